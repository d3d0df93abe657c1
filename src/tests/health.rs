//! GET /system/health against a live and a dead database.
use super::common::{TestApp, bearer, json};
use super::world::World;
use crate::config::Config;
use poem::http::StatusCode;

#[tokio::test]
async fn healthy_when_database_and_storage_answer() {
    let app = TestApp::new().await;
    let r = app.client.get("/api/v1/system/health").send().await;
    r.assert_status_is_ok();
    let h = json(r).await;
    assert_eq!(h["status"], "ok");
    let names: Vec<&str> = h["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["database", "local_storage"]);
}

#[tokio::test]
async fn down_with_503_when_the_database_is_unreachable() {
    let app = TestApp::new().await;
    app.state.db.clone().close().await.unwrap();
    let r = app.client.get("/api/v1/system/health").send().await;
    r.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    let h = json(r).await;
    assert_eq!(h["status"], "down");
    assert_eq!(h["dependencies"][0]["status"], "down");
    assert_eq!(h["dependencies"][0]["message"], "unreachable");
}

#[tokio::test]
async fn degraded_when_only_storage_is_gone() {
    let app = TestApp::new().await;
    std::fs::remove_dir_all(app.storage_dir.path().join("LogFiles")).unwrap();
    std::fs::remove_dir_all(app.storage_dir.path()).unwrap();
    let h = json(app.client.get("/api/v1/system/health").send().await).await;
    assert_eq!(h["status"], "degraded", "{h}");
}

/// A database outage is the documented 503 with `service_unavailable` and Retry-After on every
/// operation, never a 500; once the probe has seen it, requests are refused without waiting.
#[tokio::test]
async fn hardening_4_a_database_outage_answers_503_with_retry_after() {
    let app = TestApp::new().await;
    let (_, token) = app.admin().await;
    app.state.db.clone().close().await.unwrap();
    let refused = |r: poem::test::TestResponse| async move {
        r.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        r.assert_header("retry-after", "1");
        let e = json(r).await;
        assert_eq!(e["code"], "service_unavailable", "{e}");
        assert!(!e.to_string().contains("Pool"), "no internals: {e}");
    };
    for path in ["/api/v1/runs", "/api/v1/samples", "/api/v1/auth/me"] {
        let r = app
            .client
            .get(path)
            .header("authorization", bearer(&token))
            .send()
            .await;
        refused(r).await;
    }
    assert!(!app.state.availability.is_down());
    assert!(
        !app.state
            .availability
            .probe(&app.state.db, Config::defaults().db_timeout())
            .await
    );
    assert!(app.state.availability.is_down());
    let r = app
        .client
        .get("/api/v1/runs")
        .header("authorization", bearer(&token))
        .send()
        .await;
    refused(r).await;
    // The health check still runs and reports the outage itself.
    let r = app.client.get("/api/v1/system/health").send().await;
    r.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(json(r).await["status"], "down");
}

/// A database that does not answer at all: the request waits at most the acquire timeout
/// (`SPCI_DB_TIMEOUT_MS`), then gets the 503.
#[tokio::test]
async fn hardening_4_an_unreachable_database_is_503_after_the_acquire_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::defaults();
    config.storage = dir.path().to_str().unwrap().to_string();
    config.db_timeout_ms = 200;
    // A port nothing listens on; the pool connects lazily, so it opens no connection now.
    let mut opts = sea_orm::ConnectOptions::new("postgres://ci@127.0.0.1:9/none");
    opts.connect_lazy(true).acquire_timeout(config.db_timeout());
    let db = sea_orm::Database::connect(opts).await.unwrap();
    let state = crate::state::AppState::new(config, db).unwrap();
    let limits = crate::http::ratelimit::Limits::from_config(
        &state.config,
        state.metrics.clone(),
        state.rate_book.clone(),
    );
    let client = poem::test::TestClient::new(crate::http::build_app(state, limits));
    let token = crate::auth::token::generate().plaintext;
    let r = client
        .get("/api/v1/runs")
        .header("authorization", bearer(&token))
        .send()
        .await;
    r.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    r.assert_header("retry-after", "1");
    assert_eq!(json(r).await["code"], "service_unavailable");
}

/// Storage that fails other than "not found" (here a symlink loop where the logs folder was)
/// is 503 on the operations that read it, and the health check sees it.
#[tokio::test]
async fn hardening_4_unreadable_storage_is_503_and_degrades_health() {
    let w = World::new().await;
    let logs = w.app.storage_dir.path().join("LogFiles");
    std::fs::remove_dir_all(&logs).unwrap();
    std::os::unix::fs::symlink(&logs, &logs).unwrap();
    let r = w
        .app
        .client
        .get(format!("/api/v1/runs/{}/logs", w.run_fail))
        .header("authorization", bearer(&w.admin))
        .send()
        .await;
    r.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(json(r).await["code"], "service_unavailable");
    let h = json(w.app.client.get("/api/v1/system/health").send().await).await;
    assert_eq!(h["status"], "degraded", "{h}");
}

/// Liveness is apart from readiness: with the database gone the process still answers it, so an
/// orchestrator restarts nothing for an outage.
#[tokio::test]
async fn hardening_11_liveness_answers_while_the_database_is_down() {
    let app = TestApp::new().await;
    app.state.db.clone().close().await.unwrap();
    app.state
        .availability
        .probe(&app.state.db, Config::defaults().db_timeout())
        .await;
    let r = app.client.get("/api/v1/system/health/live").send().await;
    r.assert_status_is_ok();
    assert_eq!(json(r).await["status"], "ok");
    let r = app.client.get("/api/v1/system/health").send().await;
    r.assert_status(StatusCode::SERVICE_UNAVAILABLE);
}

/// The metrics count each operation's requests by status class, the limiter's rejections and
/// the pool, as the scrape renders them.
#[tokio::test]
async fn hardening_11_metrics_count_operations_statuses_and_rejections() {
    let app = super::common::TestAppBuilder::new()
        .config(|c| c.rate_failed_auth = 1)
        .build()
        .await;
    let (_, admin) = app.admin().await;
    for _ in 0..2 {
        app.client
            .get("/api/v1/runs")
            .header("authorization", bearer(&admin))
            .send()
            .await
            .assert_status_is_ok();
    }
    let forged = crate::auth::token::generate().plaintext;
    for _ in 0..2 {
        app.client
            .get("/api/v1/runs")
            .header("authorization", bearer(&forged))
            .send()
            .await;
    }
    let text = crate::startup::render_metrics(&app.state);
    for line in [
        r#"spci_http_requests_total{operation="listRuns",status="2xx"} 2"#,
        r#"spci_http_requests_total{operation="listRuns",status="4xx"} 2"#,
        r#"spci_rate_limit_rejections_total{limiter="failed_auth"} 1"#,
        "spci_database_up 1",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
}
