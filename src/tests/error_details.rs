//! Typed error details: each error family the spec names (validation, forbidden, not found,
//! rate limited) is what the server sends, produced through the real app and validated against
//! the family's schema; and each schema is strict enough to refuse a body of another shape.
use super::common::{TestAppBuilder, call, json};
use crate::http::body_schema::validator;
use serde_json::{Value, json};

fn family(name: &str) -> jsonschema::Validator {
    validator(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_is(name: &str, status: u16, want: u16, body: &Value) {
    assert_eq!(status, want, "{name}: {body}");
    let errors: Vec<String> = family(name)
        .iter_errors(body)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{name}: {body} breaks it: {errors:?}");
}

#[tokio::test]
async fn each_error_family_is_its_named_shape() {
    let app = TestAppBuilder::new()
        .config(|c| c.rate_credentials = 1)
        .build()
        .await;
    let (_, admin) = app.admin().await;
    let (_, reader) = app.user_with_token("user", &["results:read"]).await;

    // A body against its schema: each violation with its path.
    let (s, b) = call(
        &app,
        "POST",
        "/categories",
        &admin,
        Some(json!({"name": 1})),
    )
    .await;
    assert_is("ValidationErrorResponse", s, 400, &b);
    assert_eq!(b["details"]["errors"][0]["path"], "/name", "{b}");
    // A parameter at fault is named.
    let (s, b) = call(
        &app,
        "GET",
        "/runs?created_after=2026-02-01T00:00:00Z&created_before=2026-01-01T00:00:00Z",
        &admin,
        None,
    )
    .await;
    assert_is("ValidationErrorResponse", s, 400, &b);
    assert_eq!(b["details"]["field"], "created_after", "{b}");

    // A missing scope names the scopes, as values of the Scope enum.
    let (s, b) = call(&app, "GET", "/runs", &reader, None).await;
    assert_is("ForbiddenErrorResponse", s, 403, &b);
    assert_eq!(b["details"]["missing_scopes"], json!(["runs:read"]), "{b}");
    // A role that may not: the required roles and the caller's.
    let (_, user) = app.user_with_token("user", &["system:read"]).await;
    let (s, b) = call(
        &app,
        "GET",
        "/runs/1/infrastructure-errors?include_stack=true",
        &user,
        None,
    )
    .await;
    assert_is("ForbiddenErrorResponse", s, 403, &b);
    assert_eq!(b["details"]["user_role"], "user", "{b}");

    let (s, b) = call(&app, "GET", "/runs/999999", &admin, None).await;
    assert_is("NotFoundErrorResponse", s, 404, &b);
    assert_eq!(b["details"], json!({"resource": "Run"}));

    let login = || {
        app.client
            .post("/api/v1/auth/tokens")
            .body_json(&json!({"email": "nobody@example.com", "password": "wrong-password", "token_name": "t"}))
            .send()
    };
    login().await;
    let r = login().await;
    let status = r.0.status().as_u16();
    let b = json(r).await;
    assert_is("RateLimitedErrorResponse", status, 429, &b);
    assert!(
        b["details"]["retry_after"].as_i64().is_some_and(|s| s > 0),
        "{b}"
    );
}

/// The named shapes are not free-form: another family's keys, a wrong type or an unknown scope
/// break them, so the contract harness, which holds every answer to them, would notice.
#[test]
fn the_named_shapes_refuse_other_shapes() {
    let body = |details: Value| json!({"code": "x", "message": "x", "details": details});
    let cases = [
        ("ForbiddenErrorResponse", body(json!({"retry_after": 3}))),
        (
            "ForbiddenErrorResponse",
            body(json!({"missing_scopes": ["runs:destroy"]})),
        ),
        (
            "ForbiddenErrorResponse",
            body(json!({"user_role": "overlord"})),
        ),
        ("NotFoundErrorResponse", body(json!({"missing_scopes": []}))),
        ("RateLimitedErrorResponse", body(json!({"retry_after": 3}))),
        ("RateLimitedErrorResponse", body(json!({"limit": "ten"}))),
        (
            "ValidationErrorResponse",
            body(json!({"errors": [{"path": "/a"}]})),
        ),
        ("ValidationErrorResponse", body(json!({"unknown": "a"}))),
        (
            "ValidationErrorResponse",
            json!({"code": "x", "message": "x"}),
        ),
    ];
    for (name, b) in cases {
        assert!(!family(name).is_valid(&b), "{name} accepts {b}");
    }
    let fine = [
        ("ForbiddenErrorResponse", body(json!({}))),
        ("NotFoundErrorResponse", body(json!({}))),
        ("RateLimitedErrorResponse", body(json!({"limit": 1}))),
        (
            "ValidationErrorResponse",
            body(json!({"rule_specific": [1, 2]})),
        ),
    ];
    for (name, b) in fine {
        assert!(family(name).is_valid(&b), "{name} refuses {b}");
    }
}
