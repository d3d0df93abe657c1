//! Idempotency-Key on writes: replay, in-flight 409, mismatch 422, expiry, per-account keys, and
//! twenty concurrent retries that create one run.
use super::common::{TestApp, TestAppBuilder, bearer, json};
use super::world::World;
use crate::data::entity::{spci_idempotency, test};
use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use serde_json::{Value, json};

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn run_body(platform: &str) -> Value {
    json!({"repository": "CCExtractor/ccextractor", "commit_sha": SHA, "platform": platform})
}

/// POST with an Idempotency-Key: (status, replayed header, body).
async fn keyed(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: Value,
) -> (u16, bool, Value) {
    let r = app
        .client
        .post(format!("/api/v1{path}"))
        .header("Authorization", bearer(token))
        .header("Idempotency-Key", key)
        .body_json(&body)
        .send()
        .await;
    let status = r.0.status().as_u16();
    let replayed = r.0.headers().get("Idempotent-Replayed").is_some();
    (status, replayed, json(r).await)
}

async fn runs(app: &TestApp) -> u64 {
    test::Entity::find().count(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn a_retry_replays_the_first_answer_and_creates_nothing() {
    let w = World::new().await;
    let before = runs(&w.app).await;
    let (status, replayed, first) =
        keyed(&w.app, "/runs", &w.admin, "create-1", run_body("linux")).await;
    assert_eq!((status, replayed), (202, false), "{first}");
    let (status, replayed, again) =
        keyed(&w.app, "/runs", &w.admin, "create-1", run_body("linux")).await;
    assert_eq!((status, replayed), (202, true));
    assert_eq!(again, first, "the stored body, byte for byte the same JSON");
    assert_eq!(runs(&w.app).await, before + 1);

    // Another key is another request; no key at all is never deduplicated.
    let (status, _, other) = keyed(&w.app, "/runs", &w.admin, "create-2", run_body("linux")).await;
    assert_eq!(status, 202);
    assert_ne!(other["run_id"], first["run_id"]);
    assert_eq!(runs(&w.app).await, before + 2);

    // The same key with another body, or on another operation: 422, nothing done.
    let (status, _, body) = keyed(&w.app, "/runs", &w.admin, "create-1", run_body("windows")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("unprocessable")),
        "{body}"
    );
    let run = first["run_id"].as_i64().unwrap();
    let (status, _, _) = keyed(
        &w.app,
        &format!("/runs/{run}/cancel"),
        &w.admin,
        "create-1",
        json!({}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(runs(&w.app).await, before + 2);
    // A body the operation does not take is its 415, whatever key it carries.
    let r = w
        .app
        .client
        .post("/api/v1/runs")
        .header("Authorization", bearer(&w.admin))
        .header("Idempotency-Key", "create-1")
        .content_type("text/plain")
        .body("hello")
        .send()
        .await;
    assert_eq!(r.0.status().as_u16(), 415);
}

#[tokio::test]
async fn keys_belong_to_the_account() {
    let w = World::new().await;
    let (_, other_admin) = w.app.admin().await;
    let before = runs(&w.app).await;
    let (a, _, _) = keyed(&w.app, "/runs", &w.admin, "shared", run_body("linux")).await;
    let (b, replayed, _) = keyed(&w.app, "/runs", &other_admin, "shared", run_body("linux")).await;
    assert_eq!((a, b, replayed), (202, 202, false));
    assert_eq!(runs(&w.app).await, before + 2);
}

#[tokio::test]
async fn refusals_are_replayed_and_failures_of_ours_free_the_key() {
    let w = World::new().await;
    // A 4xx from the handler is the answer to that request: a retry gets it again.
    let mut inactive = run_body("linux");
    inactive["regression_test_ids"] = json!([999_999]);
    let (status, replayed, _) = keyed(&w.app, "/runs", &w.admin, "bad", inactive.clone()).await;
    assert_eq!((status, replayed), (422, false));
    let (status, replayed, _) = keyed(&w.app, "/runs", &w.admin, "bad", inactive).await;
    assert_eq!((status, replayed), (422, true));
    // An invalid parameter is its 400 whatever the key says, and a request the adapter refused
    // keeps no key.
    let (status, _, _) = keyed(&w.app, "/runs/0/cancel", &w.admin, "bad", json!({})).await;
    assert_eq!(status, 400, "a used key, an invalid run id");
    let (status, _, _) = keyed(&w.app, "/runs/0/cancel", &w.admin, "fresh", json!({})).await;
    assert_eq!(status, 400);
    let (status, replayed, _) = keyed(&w.app, "/runs", &w.admin, "fresh", run_body("linux")).await;
    assert_eq!((status, replayed), (202, false), "the key was not kept");
    // A request refused before its handler (here: an invalid body) takes no key at all.
    let (status, _, _) = keyed(&w.app, "/runs", &w.admin, "invalid", json!({"platform": 1})).await;
    assert_eq!(status, 400);
    let (status, replayed, _) =
        keyed(&w.app, "/runs", &w.admin, "invalid", run_body("linux")).await;
    assert_eq!((status, replayed), (202, false));
}

async fn stored(app: &TestApp, key: &str) -> spci_idempotency::Model {
    spci_idempotency::Entity::find()
        .filter(spci_idempotency::Column::IdempotencyKey.eq(key))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_retry_while_the_first_runs_is_a_409_until_it_is_abandoned() {
    let w = World::new().await;
    keyed(&w.app, "/runs", &w.admin, "slow", run_body("linux")).await;
    // As if the first request were still running.
    let row = stored(&w.app, "slow").await;
    let mut running = row.clone().into_active_model();
    running.started_at = Set(Some(crate::data::db_now()));
    running.update(&w.app.state.db).await.unwrap();
    let before = runs(&w.app).await;
    let (status, _, body) = keyed(&w.app, "/runs", &w.admin, "slow", run_body("linux")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    assert_eq!(runs(&w.app).await, before);

    // Its process died: after the abandon time the key is taken over and the request runs.
    let mut dead = stored(&w.app, "slow").await.into_active_model();
    dead.started_at = Set(Some(crate::data::db_now() - Duration::minutes(10)));
    dead.update(&w.app.state.db).await.unwrap();
    let (status, replayed, _) = keyed(&w.app, "/runs", &w.admin, "slow", run_body("linux")).await;
    assert_eq!((status, replayed), (202, false));
    assert_eq!(runs(&w.app).await, before + 1);
}

#[tokio::test]
async fn keys_expire_after_a_day_and_are_swept() {
    let w = World::new().await;
    keyed(&w.app, "/runs", &w.admin, "old", run_body("linux")).await;
    let mut old = stored(&w.app, "old").await.into_active_model();
    old.created_at = Set(crate::data::db_now() - Duration::hours(25));
    old.update(&w.app.state.db).await.unwrap();
    let before = runs(&w.app).await;
    // An expired key is free, even for another request.
    let (status, replayed, _) = keyed(&w.app, "/runs", &w.admin, "old", run_body("windows")).await;
    assert_eq!((status, replayed), (202, false));
    assert_eq!(runs(&w.app).await, before + 1);

    let mut old = stored(&w.app, "old").await.into_active_model();
    old.created_at = Set(crate::data::db_now() - Duration::hours(25));
    old.update(&w.app.state.db).await.unwrap();
    keyed(&w.app, "/runs", &w.admin, "fresh", run_body("linux")).await;
    assert_eq!(
        crate::data::idempotency::sweep(&w.app.state.db)
            .await
            .unwrap(),
        1
    );
    let left = spci_idempotency::Entity::find()
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(left, 1, "only the fresh key stays");
}

/// Twenty concurrent POSTs with one key: exactly one run, and every answer is that run or a
/// 409 asking to retry (on a file database, where writers really overlap).
#[tokio::test]
async fn twenty_concurrent_posts_with_one_key_create_one_run() {
    let w = World::on(TestAppBuilder::new().on_disk().build().await).await;
    let before = runs(&w.app).await;
    let calls = (0..20).map(|_| keyed(&w.app, "/runs", &w.admin, "once", run_body("linux")));
    let answers = futures_util::future::join_all(calls).await;
    assert_eq!(runs(&w.app).await, before + 1);
    let created: Vec<&Value> = answers
        .iter()
        .filter(|a| a.0 == 202)
        .map(|a| &a.2)
        .collect();
    assert!(!created.is_empty());
    assert!(
        created.iter().all(|b| b["run_id"] == created[0]["run_id"]),
        "{answers:?}"
    );
    assert!(
        answers.iter().all(|a| a.0 == 202 || a.0 == 409),
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|a| a.0 == 202 && !a.1).count(),
        1,
        "one ran"
    );
}
