//! Snapshots of the error contract and of a few representative responses: any change to what a
//! client sees is a reviewed diff (`cargo insta review`), not an accident. Values that differ
//! per run (ids, tokens, times) are redacted.
use super::common::{TestApp, TestAppBuilder, bearer, json};
use super::world::World;
use insta::assert_json_snapshot;
use poem::test::TestResponse;
use serde_json::{Value, json};

/// Status, the headers a client acts on, and the body.
async fn seen(r: TestResponse) -> Value {
    let status = r.0.status().as_u16();
    let header = |h: &str| {
        r.0.headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (allow, retry_after, ct) = (
        header("allow"),
        header("retry-after"),
        header("content-type"),
    );
    json!({
        "status": status,
        "content_type": ct,
        "allow": allow,
        "retry_after": retry_after,
        "body": json(r).await,
    })
}

#[tokio::test]
async fn error_bodies() {
    let app = TestAppBuilder::new()
        .config(|c| {
            c.rate_credentials = 3;
        })
        .build()
        .await;
    let (_, admin) = app.admin().await;
    let (_, reader) = app.user_with_token("user", &["results:read"]).await;
    let get = |path: &str, token: Option<&str>| {
        let mut r = app.client.get(format!("/api/v1{path}"));
        if let Some(t) = token {
            r = r.header("authorization", bearer(t));
        }
        r.send()
    };

    assert_json_snapshot!(
        "unknown_path_404",
        seen(get("/nope", Some(&admin)).await).await
    );
    let r = app.client.put("/api/v1/auth/tokens").send().await;
    assert_json_snapshot!("wrong_method_405", seen(r).await);
    assert_json_snapshot!("missing_token_401", seen(get("/runs", None).await).await);
    assert_json_snapshot!(
        "malformed_token_401",
        seen(get("/runs", Some("spci_not-a-token")).await).await
    );
    assert_json_snapshot!(
        "missing_scope_403",
        seen(get("/runs", Some(&reader)).await).await
    );
    assert_json_snapshot!(
        "missing_run_404",
        seen(get("/runs/999999", Some(&admin)).await).await
    );
    assert_json_snapshot!(
        "parameter_out_of_bounds_400",
        seen(get("/runs?limit=0", Some(&admin)).await).await
    );
    assert_json_snapshot!(
        "ordered_parameters_400",
        seen(
            get(
                "/runs?created_after=2026-02-01T00:00:00Z&created_before=2026-01-01T00:00:00Z",
                Some(&admin)
            )
            .await
        )
        .await
    );

    let post = |body: &'static str, ct: &'static str| {
        app.client
            .post("/api/v1/categories")
            .header("authorization", bearer(&admin))
            .content_type(ct)
            .body(body)
            .send()
    };
    assert_json_snapshot!(
        "body_against_schema_400",
        seen(post(r#"{"name": 12345, "extra": true}"#, "application/json").await).await
    );
    assert_json_snapshot!(
        "malformed_json_400",
        seen(post(r#"{"name": "#, "application/json").await).await
    );
    assert_json_snapshot!(
        "wrong_content_type_415",
        seen(post("name=x", "application/x-www-form-urlencoded").await).await
    );
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(2 << 20));
    let r = app
        .client
        .post("/api/v1/categories")
        .header("authorization", bearer(&admin))
        .content_type("application/json")
        .body(big)
        .send()
        .await;
    assert_json_snapshot!("body_too_large_413", seen(r).await);

    let login = || {
        app.client
            .post("/api/v1/auth/tokens")
            .body_json(&json!({"email": "nobody@example.com", "password": "wrong-password", "token_name": "t"}))
            .send()
    };
    assert_json_snapshot!("invalid_credentials_401", seen(login().await).await);
    login().await;
    login().await;
    assert_json_snapshot!("rate_limited_429", seen(login().await).await, {
        ".retry_after" => "[seconds]",
        ".body.details.retry_after" => "[seconds]",
        ".body.message" => "[message with seconds]",
    });
}

#[tokio::test]
async fn representative_responses() {
    let w = World::new().await;
    let run = w.get(&format!("/runs/{}", w.run_fail)).await;
    assert_json_snapshot!("run", run, {
        ".run_id" => "[id]",
        ".created_at" => "[time]",
        ".queued_at" => "[time]",
        ".started_at" => "[time]",
        ".completed_at" => "[time]",
        ".commit_sha" => "[sha]",
        ".github_link" => "[link]",
    });
    let summary = w.get(&format!("/runs/{}/summary", w.run_fail)).await;
    assert_json_snapshot!("run_summary", summary, { ".run_id" => "[id]" });
    let samples = w
        .get(&format!("/runs/{}/samples?limit=2", w.run_fail))
        .await;
    assert_json_snapshot!("run_samples_page", samples, {
        ".data[].regression_test_id" => "[id]",
        ".data[].sample_id" => "[id]",
        ".data[].outputs[].output_id" => "[id]",
        ".data[].outputs[].filename" => "[file]",
        ".data[].sample_name" => "[name]",
    });
    let app = TestApp::new().await;
    let r = app.client.get("/api/v1/system/health").send().await;
    assert_json_snapshot!("health", seen(r).await, { ".body.checked_at" => "[time]" });
}
