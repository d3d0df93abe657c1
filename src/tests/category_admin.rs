//! Creating, renaming and deleting categories: unique names, only empty categories go, and only
//! admins and contributors may.
use super::common::{bearer, post};
use super::world::World;
use serde_json::{Value, json};

async fn send(
    w: &World,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("/api/v1{path}");
    let c = &w.app.client;
    let req = match method {
        "PATCH" => c.patch(url),
        "DELETE" => c.delete(url),
        _ => unreachable!(),
    }
    .header("Authorization", bearer(token));
    let r = match body {
        Some(b) => req.body_json(&b).send().await,
        None => req.send().await,
    };
    let status = r.0.status().as_u16();
    (status, super::common::json(r).await)
}

#[tokio::test]
async fn a_category_is_created_renamed_and_deleted() {
    let w = World::new().await;
    let (_, token) = w
        .app
        .user_with_token("contributor", &["runs:read", "runs:write"])
        .await;
    let (s, c) = post(
        &w.app,
        "/categories",
        &token,
        json!({"name": "Teletext", "description": "pages"}),
    )
    .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(
        (c["name"].as_str(), c["test_count"].as_i64()),
        (Some("Teletext"), Some(0))
    );
    let id = c["id"].as_i64().unwrap();
    let (s, e) = post(&w.app, "/categories", &token, json!({"name": "Teletext"})).await;
    assert_eq!((s, e["code"].as_str()), (409, Some("conflict")));
    let path = format!("/categories/{id}");
    let (s, e) = send(&w, "PATCH", &path, &token, Some(json!({}))).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("validation_error")));
    let (s, e) = send(&w, "PATCH", &path, &token, Some(json!({"name": "General"}))).await;
    assert_eq!(s, 409, "{e}");
    let (s, c) = send(
        &w,
        "PATCH",
        &path,
        &token,
        Some(json!({"name": "Teletext pages"})),
    )
    .await;
    assert_eq!(
        (s, c["name"].as_str(), c["description"].as_str()),
        (200, Some("Teletext pages"), Some("pages"))
    );
    let listed = w.get("/categories?limit=100").await;
    assert!(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Teletext pages")
    );
    let (s, d) = send(&w, "DELETE", &path, &token, None).await;
    assert_eq!((s, d), (200, json!({"id": id, "deleted": true})));
    let (s, _) = send(&w, "DELETE", &path, &token, None).await;
    assert_eq!(s, 404);
    let (s, _) = send(&w, "PATCH", &path, &token, Some(json!({"name": "x"}))).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn a_category_with_tests_is_not_deleted_and_roles_are_enforced() {
    let w = World::new().await;
    let general = w.get("/categories?limit=100").await["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "General")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, e) = send(
        &w,
        "DELETE",
        &format!("/categories/{general}"),
        &w.admin,
        None,
    )
    .await;
    assert_eq!(
        (s, e["details"]["test_count"].as_i64()),
        (409, Some(2)),
        "{e}"
    );
    let (_, tester) = w
        .app
        .user_with_token("tester", &["runs:read", "runs:write"])
        .await;
    let (s, e) = post(&w.app, "/categories", &tester, json!({"name": "Nope"})).await;
    assert_eq!(
        (s, e["details"]["user_role"].as_str()),
        (403, Some("tester"))
    );
    let (s, _) = send(
        &w,
        "DELETE",
        &format!("/categories/{general}"),
        &tester,
        None,
    )
    .await;
    assert_eq!(s, 403);
}
