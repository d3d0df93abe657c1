//! The error contract over HTTP: every non-2xx is `{code, message, details}` JSON, framework
//! errors included, with security and rate-limit headers on every response.
use super::common::{TestApp, bearer, json};
use poem::http::StatusCode;
use poem::{EndpointExt, handler};
use serde_json::json;

const SECURITY_HEADERS: &[(&str, &str)] = &[
    (
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
    ),
    (
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
];

async fn assert_error(
    resp: poem::test::TestResponse,
    status: StatusCode,
    code: &str,
) -> serde_json::Value {
    resp.assert_status(status);
    for (h, v) in SECURITY_HEADERS {
        resp.assert_header(*h, *v);
    }
    for h in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        assert!(resp.0.headers().contains_key(h), "{h} missing");
    }
    let ct = resp
        .0
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(ct.starts_with("application/json"), "{ct}");
    let body = json(resp).await;
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].is_string() && body["details"].is_object(),
        "{body}"
    );
    body
}

#[tokio::test]
async fn unknown_path_is_a_json_404() {
    let app = TestApp::new().await;
    assert_error(
        app.client.get("/api/v1/no/such/thing").send().await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.client.get("/").send().await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn wrong_method_is_a_json_405_with_allow() {
    let app = TestApp::new().await;
    let r = app.client.put("/api/v1/auth/tokens").send().await;
    let allow =
        r.0.headers()
            .get("allow")
            .expect("Allow header")
            .to_str()
            .unwrap()
            .to_string();
    assert_eq!(allow, "GET, POST");
    assert_error(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn malformed_json_and_unknown_fields_are_400() {
    let app = TestApp::new().await;
    let r = app
        .client
        .post("/api/v1/auth/tokens")
        .content_type("application/json")
        .body("{\"email\": ")
        .send()
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "validation_error").await;
    let body = json!({"email": "a@example.com", "password": "password123", "token_name": "t", "is_admin": true});
    let r = app
        .client
        .post("/api/v1/auth/tokens")
        .body_json(&body)
        .send()
        .await;
    let e = assert_error(r, StatusCode::BAD_REQUEST, "validation_error").await;
    assert!(
        e["details"]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("is_admin"),
        "{e}"
    );
}

/// poem-openapi alone would read `"token_name": 12345` as the string "12345"; the spec says
/// string, so the body is refused and every violation is listed.
#[tokio::test]
async fn json_types_are_not_coerced() {
    let app = TestApp::new().await;
    let body = json!({"email": "a@example.com", "password": 12345678, "token_name": true});
    let r = app
        .client
        .post("/api/v1/auth/tokens")
        .body_json(&body)
        .send()
        .await;
    let e = assert_error(r, StatusCode::BAD_REQUEST, "validation_error").await;
    let paths: Vec<&str> = e["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/password", "/token_name"], "{e}");
}

/// Every spelling of a JSON media type that poem-openapi would parse gets the schema check
/// first: `Application/JSON` or `application/vnd.api+json` used to skip it.
#[tokio::test]
async fn every_json_media_type_is_checked_against_the_schema() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    for ct in [
        "application/json",
        "Application/JSON",
        "APPLICATION/JSON; charset=UTF-8",
        "application/json;charset=utf-8",
        "application/vnd.api+json",
        "application/problem+json",
    ] {
        let r = app
            .client
            .post("/api/v1/categories")
            .header("authorization", bearer(&admin))
            .content_type(ct)
            .body(r#"{"name": 12345}"#)
            .send()
            .await;
        let e = assert_error(r, StatusCode::BAD_REQUEST, "validation_error").await;
        assert_eq!(e["details"]["errors"][0]["path"], "/name", "{ct}: {e}");
    }
    // The same spellings with a valid body are accepted, so the check is not a refusal of them.
    for (i, ct) in ["Application/JSON", "application/vnd.api+json"]
        .iter()
        .enumerate()
    {
        let r = app
            .client
            .post("/api/v1/categories")
            .header("authorization", bearer(&admin))
            .content_type(*ct)
            .body(format!(r#"{{"name": "media type {i}"}}"#))
            .send()
            .await;
        r.assert_status(StatusCode::CREATED);
    }
}

#[tokio::test]
async fn bounds_and_patterns_are_enforced() {
    let app = TestApp::new().await;
    for body in [
        json!({"email": "a@example.com", "password": "short", "token_name": "t"}),
        json!({"email": "not-an-email", "password": "password123", "token_name": "t"}),
        json!({"email": "a@example.com", "password": "password123", "token_name": "bad name"}),
        json!({"email": "a@example.com", "password": "password123", "token_name": "t", "expires_in_days": 31}),
        json!({"email": "a@example.com", "password": "password123", "token_name": "t", "scopes": ["runs:delete"]}),
        json!({"email": "a@example.com", "password": "password123"}),
    ] {
        let r = app
            .client
            .post("/api/v1/auth/tokens")
            .body_json(&body)
            .send()
            .await;
        assert_error(r, StatusCode::BAD_REQUEST, "validation_error").await;
    }
    let (_, admin) = app.admin().await;
    for q in [
        "limit=0",
        "limit=101",
        "offset=-1",
        "limit=abc",
        "all=maybe",
    ] {
        let r = app
            .client
            .get(format!("/api/v1/auth/tokens?{q}"))
            .header("authorization", bearer(&admin))
            .send()
            .await;
        assert_error(r, StatusCode::BAD_REQUEST, "validation_error").await;
    }
    let r = app
        .client
        .delete("/api/v1/auth/tokens/0")
        .header("authorization", bearer(&admin))
        .send()
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "validation_error").await;
    let r = app
        .client
        .delete("/api/v1/auth/tokens/2147483648")
        .header("authorization", bearer(&admin))
        .send()
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "validation_error").await;
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let app = TestApp::new().await;
    let r = app
        .client
        .post("/api/v1/auth/tokens")
        .content_type("text/plain")
        .body("hello")
        .send()
        .await;
    assert_error(r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "validation_error").await;
}

#[tokio::test]
async fn an_omitted_body_is_missing_not_a_wrong_media_type() {
    let app = TestApp::new().await;
    let r = app.client.post("/api/v1/auth/tokens").send().await;
    assert_error(r, StatusCode::BAD_REQUEST, "validation_error").await;
}

#[tokio::test]
async fn oversized_bodies_are_413_with_or_without_a_length() {
    let app = TestApp::new().await;
    let big = format!("{{\"email\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let r = app
        .client
        .post("/api/v1/auth/tokens")
        .content_type("application/json")
        .body(big.clone())
        .send()
        .await;
    assert_error(r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let stream = futures_util::stream::iter(
        big.into_bytes()
            .chunks(64 * 1024)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let r = app
        .client
        .post("/api/v1/auth/tokens")
        .content_type("application/json")
        .header("transfer-encoding", "chunked")
        .body(poem::Body::from_bytes_stream(stream))
        .send()
        .await;
    assert_error(r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn missing_and_invalid_tokens_are_json_401() {
    let app = TestApp::new().await;
    for auth in [
        None,
        Some("Bearer nope"),
        Some("Bearer spci_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        Some("Basic Zm9vOmJhcg=="),
    ] {
        let mut req = app.client.get("/api/v1/auth/me");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        assert_error(req.send().await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = TestApp::new().await;
    let (_, token) = app.admin().await;
    app.client
        .get("/api/v1/auth/me")
        .header("authorization", format!("bearer {token}"))
        .send()
        .await
        .assert_status_is_ok();
}

#[tokio::test]
async fn review_h4_a_real_database_failure_is_a_json_500_without_internals() {
    let app = TestApp::new().await;
    let (_, token) = app.admin().await;
    // Break the real database under the real app: the table behind a status filter is gone, so
    // that query fails (a fault, not an outage: the database still answers).
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_unprepared("DROP TABLE spci_run_verdict")
        .await
        .unwrap();
    let r = app
        .client
        .get("/api/v1/runs?status=pass")
        .header("authorization", bearer(&token))
        .send()
        .await;
    let e = assert_error(r, StatusCode::INTERNAL_SERVER_ERROR, "internal_error").await;
    assert_eq!(e["details"], json!({}));
    let text = e.to_string().to_lowercase();
    assert!(
        !text.contains("sqlite") && !text.contains("pool") && !text.contains("closed"),
        "{text}"
    );
}

#[handler]
fn boom() -> &'static str {
    panic!("secret internal state")
}

#[tokio::test]
async fn review_h4_a_panicking_route_is_a_json_500() {
    let app = TestApp::new().await;
    let ep = crate::http::with_stack(
        poem::Route::new().at("/boom", boom),
        app.state.config.clone(),
        app.limits.clone(),
        app.state.metrics.clone(),
    )
    .boxed();
    let client = poem::test::TestClient::new(ep);
    let e = assert_error(
        client.get("/boom").send().await,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
    )
    .await;
    assert!(!e.to_string().contains("secret"));
}

#[tokio::test]
async fn success_responses_carry_security_and_rate_limit_headers_and_a_request_id() {
    let app = TestApp::new().await;
    let r = app
        .client
        .get("/api/v1/system/health")
        .header("x-request-id", "abc-123")
        .send()
        .await;
    r.assert_status_is_ok();
    for (h, v) in SECURITY_HEADERS {
        r.assert_header(*h, *v);
    }
    r.assert_header("x-request-id", "abc-123");
    assert!(r.0.headers().contains_key("x-ratelimit-reset"));
}

#[tokio::test]
async fn the_spec_is_served_verbatim_and_as_json_with_docs() {
    let app = TestApp::new().await;
    let r = app.client.get("/api/v1/openapi.yaml").send().await;
    r.assert_status_is_ok();
    assert_eq!(
        r.0.into_body().into_string().await.unwrap(),
        crate::http::spec::SPEC_YAML
    );
    let j = json(app.client.get("/api/v1/openapi.json").send().await).await;
    assert_eq!(&j, crate::http::spec::spec_json());
    assert_eq!(j["openapi"], "3.0.3");
    let r = app.client.get("/api/v1/docs").send().await;
    r.assert_status_is_ok();
    assert!(
        r.0.headers()
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("script-src")
    );
}

#[tokio::test]
async fn authentication_and_authorisation_come_before_validation() {
    let app = TestApp::new().await;
    // Anonymous: 401 even though the body and the path parameter are both invalid.
    let r = app
        .client
        .patch("/api/v1/system/maintenance/not-a-platform")
        .content_type("text/plain")
        .body("x")
        .send()
        .await;
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    // Authenticated without the scope or role: 403, still before validation.
    let (_, user) = app.user_with_token("user", &["runs:read"]).await;
    let r = app
        .client
        .patch("/api/v1/system/maintenance/not-a-platform")
        .header("authorization", bearer(&user))
        .content_type("text/plain")
        .body("x")
        .send()
        .await;
    let e = assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(e["details"]["missing_scopes"], json!(["system:write"]));
}
