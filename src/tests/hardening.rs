//! What hostile or unlucky input does, through the real application: NUL characters, repeated
//! parameters, encoded bodies, huge values echoed in errors, cross-origin browsers. (Rate limits
//! and the login throttle are in `auth`, outages in `health`, concurrent writers in
//! `run_actions`.)
use super::common::{TestApp, TestAppBuilder, bearer, json};
use poem::http::StatusCode;
use serde_json::json;

/// PostgreSQL cannot store a NUL character and fails the whole statement; every backend
/// refuses one at the boundary with the same 400 instead, in the query, the path and bodies.
#[tokio::test]
async fn hardening_5_nul_characters_are_a_400_on_every_backend() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    for path in [
        "/samples?name=a%00b",
        "/runs?branch=a%00b",
        "/runs?repository=%00",
        "/samples/a%00b",
    ] {
        let r = app
            .client
            .get(format!("/api/v1{path}"))
            .header("authorization", bearer(&admin))
            .send()
            .await;
        r.assert_status(StatusCode::BAD_REQUEST);
        let e = json(r).await;
        assert_eq!(e["code"], "validation_error", "{path}: {e}");
        assert!(
            e["message"].as_str().unwrap().contains("NUL"),
            "{path}: {e}"
        );
    }
    let bodies = [
        (
            "/categories",
            json!({"name": "DVB\u{0}", "description": "x"}),
        ),
        ("/runs/1/cancel", json!({"reason": "stop\u{0}now"})),
    ];
    for (path, body) in bodies {
        let r = app
            .client
            .post(format!("/api/v1{path}"))
            .header("authorization", bearer(&admin))
            .body_json(&body)
            .send()
            .await;
        r.assert_status(StatusCode::BAD_REQUEST);
        let e = json(r).await;
        assert!(
            e["message"].as_str().unwrap().contains("NUL"),
            "{path}: {e}"
        );
        assert!(e["details"]["field"].is_string(), "{e}");
    }
}

/// `?status=pass&status=fail` would silently mean the first; a repeated parameter is refused.
#[tokio::test]
async fn hardening_9_repeated_scalar_parameters_are_a_400() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    for (query, field) in [
        ("status=pass&status=fail", "status"),
        ("limit=1&limit=1000", "limit"),
    ] {
        let r = app
            .client
            .get(format!("/api/v1/runs?{query}"))
            .header("authorization", bearer(&admin))
            .send()
            .await;
        r.assert_status(StatusCode::BAD_REQUEST);
        assert_eq!(json(r).await["details"]["field"], field, "{query}");
    }
    let r = app
        .client
        .get("/api/v1/runs?status=pass&limit=1")
        .header("authorization", bearer(&admin))
        .send()
        .await;
    r.assert_status_is_ok();
}

/// A body spci does not decode is refused, not parsed as garbage.
#[tokio::test]
async fn hardening_8_encoded_request_bodies_are_a_415() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    for encoding in ["gzip", "br", "deflate, gzip"] {
        let r = app
            .client
            .post("/api/v1/categories")
            .header("authorization", bearer(&admin))
            .header("content-encoding", encoding)
            .content_type("application/json")
            .body(r#"{"name": "x"}"#)
            .send()
            .await;
        r.assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(json(r).await["details"]["content_encoding"], encoding);
    }
    let r = app
        .client
        .post("/api/v1/categories")
        .header("authorization", bearer(&admin))
        .header("content-encoding", "identity")
        .body_json(&json!({"name": "identity is no encoding"}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
}

/// A 640 KB value in a body makes a small error, not a 2 MB one: echoed values are capped at
/// 200 characters and listed violations at 20, with a count of the rest.
#[tokio::test]
async fn hardening_7_error_bodies_do_not_echo_huge_values() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let huge = "x".repeat(640 * 1024);
    let r = app
        .client
        .post("/api/v1/categories")
        .header("authorization", bearer(&admin))
        .body_json(&json!({"name": huge}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    let body = r.0.into_body().into_string().await.unwrap();
    assert!(body.len() < 4096, "{} bytes", body.len());
    // Many violations: at most 20 listed, the rest counted.
    let extra: serde_json::Map<String, serde_json::Value> =
        (0..50).map(|i| (format!("f{i}"), json!(i))).collect();
    let mut many = json!({"name": 1, "description": 2});
    many.as_object_mut().unwrap().extend(extra);
    let r = app
        .client
        .post("/api/v1/categories")
        .header("authorization", bearer(&admin))
        .body_json(&many)
        .send()
        .await;
    let e = json(r).await;
    let listed = e["details"]["errors"].as_array().unwrap().len();
    assert!(listed <= 20, "{e}");
    assert!(
        e["details"]["omitted"].as_u64().is_some() || listed < 20,
        "{e}"
    );
}

/// Browser dashboards on a configured origin get correct preflights and may read the
/// rate-limit headers; other origins get no CORS grant; without configuration there is none.
#[tokio::test]
async fn hardening_10_cors_for_configured_origins_only() {
    let dash = "https://dash.example.org";
    let app = TestAppBuilder::new()
        .config(|c| c.cors_origins = vec![dash.to_string()])
        .build()
        .await;
    let (_, reader) = app.user_with_token("user", &["runs:read"]).await;
    let r = app
        .client
        .options("/api/v1/runs")
        .header("origin", dash)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await;
    r.assert_status_is_ok();
    r.assert_header("access-control-allow-origin", dash);
    let methods = r.0.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        methods.contains("GET") && methods.contains("POST"),
        "{methods}"
    );
    let r = app
        .client
        .get("/api/v1/runs")
        .header("origin", dash)
        .header("authorization", bearer(&reader))
        .send()
        .await;
    r.assert_status_is_ok();
    r.assert_header("access-control-allow-origin", dash);
    let exposed = r.0.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for h in ["x-ratelimit-remaining", "retry-after", "x-request-id"] {
        assert!(exposed.contains(h), "{h} not in {exposed}");
    }
    // Another origin: refused in the error contract, no grant.
    let r = app
        .client
        .get("/api/v1/runs")
        .header("origin", "https://evil.example.com")
        .header("authorization", bearer(&reader))
        .send()
        .await;
    r.assert_status(StatusCode::FORBIDDEN);
    assert!(!r.0.headers().contains_key("access-control-allow-origin"));
    assert_eq!(json(r).await["code"], "forbidden");

    // Not configured: no CORS header, a preflight is the 405 of any unknown method.
    let plain = TestApp::new().await;
    let r = plain
        .client
        .options("/api/v1/runs")
        .header("origin", dash)
        .header("access-control-request-method", "GET")
        .send()
        .await;
    r.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    assert!(!r.0.headers().contains_key("access-control-allow-origin"));
}
