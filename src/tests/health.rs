//! GET /system/health against a live and a dead database.
use super::common::{TestApp, json};
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
