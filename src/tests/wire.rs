//! Where spci answered differently from upstream on the wire and upstream was right: one test
//! per difference, named after it, so a client switching servers sees the same answer.
use super::common::get;
use super::fixtures::hash;
use super::world::World;
use crate::api::Scope;
use crate::auth::issue::issue_for_email;
use crate::data::entity::{sample, user};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

#[tokio::test]
async fn wire_a_sample_without_an_extension_is_named_by_its_sha_alone() {
    let w = World::new().await;
    let sha = hash("no extension");
    let id = sample::ActiveModel {
        sha: Set(Some(sha.clone())),
        extension: Set(String::new()),
        original_name: Set("raw".into()),
        ..Default::default()
    }
    .insert(&w.app.state.db)
    .await
    .unwrap()
    .id;
    w.put(&format!("TestFiles/{sha}"), b"bytes");
    let s = w.get(&format!("/samples/{id}")).await;
    assert_eq!(s["filename"], sha);
    let d = w.get(&format!("/samples/{id}/download")).await;
    assert_eq!(d["filename"], sha);
    assert_eq!(d["storage_status"], "ok");
}

#[tokio::test]
async fn wire_queue_started_at_is_the_first_testing_row() {
    let w = World::new().await;
    let q = w.get("/system/queue?status=running").await;
    let running = q["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["run_id"] == w.run_running)
        .cloned()
        .expect("the running run is in the queue");
    // preparation at :30, testing at :31: upstream and spci's own /runs say :31.
    assert_eq!(running["started_at"], "2026-01-01T00:31:00Z");
    let run = w.get(&format!("/runs/{}", w.run_running)).await;
    assert_eq!(run["started_at"], running["started_at"]);
}

#[tokio::test]
async fn wire_artifacts_are_named_as_upstream_names_them() {
    let w = World::new().await;
    let r = w.run_fail;
    let page = w.get(&format!("/runs/{r}/artifacts?limit=4")).await;
    let named: Vec<(String, String)> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["artifact_id"].as_str().unwrap().to_string(),
                a["filename"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            (format!("binary_{r}"), "ccextractor".to_string()),
            (format!("coredump_{r}"), "coredump".to_string()),
            (format!("stdout_{r}"), "combined_stdout.log".to_string()),
            (format!("buildlog_{r}"), format!("{r}.txt")),
        ]
    );
}

#[tokio::test]
async fn wire_tokens_are_listed_newest_first() {
    let w = World::new().await;
    let (id, first) = w.app.user_with_token("admin", &["tokens:manage"]).await;
    let user = user::Entity::find_by_id(id)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    for name in ["second", "third"] {
        issue_for_email(
            &w.app.state.db,
            user.email.as_deref().unwrap(),
            name,
            &[Scope::RunsRead],
            7,
        )
        .await
        .unwrap();
    }
    let (status, page) = get(&w.app, "/auth/tokens", &first).await;
    assert_eq!(status, 200, "{page}");
    let names: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["token_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["third", "second", "test"]);
}

#[tokio::test]
async fn wire_a_missing_output_entry_carries_the_missing_output_signature() {
    let w = World::new().await;
    let fx = w.fx();
    // Two expected outputs: one produced and different, the other never produced. The status
    // is missing_output, and so is the signature (it said diff_mismatch before).
    let (rt, outputs) = fx.regression_test(w.sample_b, &[], 2).await;
    let run = fx.run("linux", &[rt]).await;
    fx.complete(run, 90).await;
    fx.result(run, rt, 0, 0).await;
    fx.file(run, rt, outputs[0], Some("different")).await;
    let h = w
        .get(&format!(
            "/samples/{}/history?regression_test_id={rt}",
            w.sample_b
        ))
        .await;
    assert_eq!(h["data"][0]["status"], "missing_output", "{h}");
    assert_eq!(h["data"][0]["failure_signature"], "missing_output", "{h}");
    let filtered = w
        .get(&format!(
            "/samples/{}/history?regression_test_id={rt}&status=missing_output",
            w.sample_b
        ))
        .await;
    assert_eq!(filtered["data"], h["data"]);
}

/// Upstream's `regression_test.active` is nullable and its queries treat NULL as inactive.
#[tokio::test]
async fn upstream_a_null_active_flag_reads_as_inactive() {
    use crate::data::entity::regression_test;
    use sea_orm::{ColumnTrait, QueryFilter};
    let w = World::new().await;
    regression_test::Entity::update_many()
        .col_expr(
            regression_test::Column::Active,
            sea_orm::sea_query::Expr::value(Option::<bool>::None),
        )
        .filter(regression_test::Column::Id.eq(w.t3))
        .exec(&w.app.state.db)
        .await
        .unwrap();
    let inactive = w.get("/regression-tests?active=false").await;
    assert_eq!(
        super::world::ids(&inactive, "regression_test_id"),
        [w.t3 as i64]
    );
    let t3 = w.get(&format!("/regression-tests/{}", w.t3)).await;
    assert_eq!(t3["active"], false);
}
