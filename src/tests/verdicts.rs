//! The materialised run verdicts: exact for every new progress row and every write spci makes,
//! upstream's other edits seen by the background refresher, nothing re-judged after a restart.
use super::fixtures::at;
use super::world::{World, ids};
use crate::data::entity::{
    customized_test, regression_test, regression_test_output_files, spci_result_count,
    spci_result_verdict, spci_run_verdict, test, test_progress, test_result, test_result_file,
};
use crate::data::verdict_cache::newest_wins;
use crate::state::AppState;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use std::collections::BTreeSet;

async fn statuses(w: &World, status: &str) -> Vec<i64> {
    ids(
        &w.get(&format!("/runs?status={status}&limit=100")).await,
        "run_id",
    )
}

#[tokio::test]
async fn a_progress_row_written_by_upstream_is_seen_by_the_next_read() {
    let w = World::new().await;
    assert!(
        statuses(&w, "running")
            .await
            .contains(&(w.run_running as i64))
    );
    // Upstream's worker finishes the run: the next list reads it, no refresh in between.
    w.fx().progress(w.run_running, "completed", at(33)).await;
    assert!(
        !statuses(&w, "running")
            .await
            .contains(&(w.run_running as i64))
    );
    let failed = statuses(&w, "fail").await;
    assert!(failed.contains(&(w.run_running as i64)), "{failed:?}");
}

#[tokio::test]
async fn upstream_edits_to_variants_and_active_tests_are_seen_by_the_refresher() {
    let w = World::new().await;
    assert!(statuses(&w, "pass").await.contains(&(w.run_pass as i64)));
    // The accepted variant "vv" becomes "ww": same length, another hash.
    regression_test_output_files::Entity::update_many()
        .col_expr(
            regression_test_output_files::Column::FileHashes,
            Expr::value("ww"),
        )
        .filter(regression_test_output_files::Column::RegressionTestOutputId.eq(w.o2))
        .exec(&w.app.state.db)
        .await
        .unwrap();
    let r = w.app.state.verdicts.refresh(&w.app.state.db).await.unwrap();
    assert!(r.rejudged > 0, "{r:?}");
    assert!(statuses(&w, "fail").await.contains(&(w.run_pass as i64)));

    // Only the fingerprint changed since: a second refresh judges nothing again.
    let r = w.app.state.verdicts.refresh(&w.app.state.db).await.unwrap();
    assert_eq!((r.reconciled, r.rejudged), (0, 0));

    // An `active` flag is an input too.
    regression_test::Entity::update_many()
        .col_expr(regression_test::Column::Active, Expr::value(false))
        .filter(regression_test::Column::Id.eq(w.t3))
        .exec(&w.app.state.db)
        .await
        .unwrap();
    let r = w.app.state.verdicts.refresh(&w.app.state.db).await.unwrap();
    assert!(r.rejudged > 0, "{r:?}");
}

#[tokio::test]
async fn progress_rows_deleted_by_upstream_are_seen_by_the_refresher() {
    let w = World::new().await;
    assert!(
        statuses(&w, "canceled")
            .await
            .contains(&(w.run_canceled as i64))
    );
    crate::data::entity::test_progress::Entity::delete_many()
        .filter(crate::data::entity::test_progress::Column::TestId.eq(w.run_canceled))
        .exec(&w.app.state.db)
        .await
        .unwrap();
    w.app.state.verdicts.refresh(&w.app.state.db).await.unwrap();
    assert!(
        !statuses(&w, "canceled")
            .await
            .contains(&(w.run_canceled as i64))
    );
    assert!(
        statuses(&w, "queued")
            .await
            .contains(&(w.run_canceled as i64))
    );
}

#[tokio::test]
async fn a_restart_of_spci_judges_nothing_on_a_judged_database() {
    let w = World::new().await;
    statuses(&w, "pass").await;
    assert!(w.app.state.verdicts.judged() > 0);
    // A new process on the same database: its verdict cache starts empty.
    let again = AppState::new((*w.app.state.config).clone(), w.app.state.db.clone()).unwrap();
    again.verdicts.current(&again.db).await.unwrap();
    let r = again.verdicts.refresh(&again.db).await.unwrap();
    assert_eq!((r.reconciled, r.rejudged), (0, 0));
    assert_eq!(
        again.verdicts.judged(),
        0,
        "every verdict survived the restart"
    );
}

/// Every (run, regression test, status) of the sample's history, as the unfiltered history
/// reads it: the reference a status filter must agree with.
async fn unfiltered(w: &World, sample: i32) -> Vec<(i64, i64, String)> {
    let h = w.get(&format!("/samples/{sample}/history?limit=100")).await;
    let all = entries(&h);
    assert_eq!(h["pagination"]["total"], all.len(), "the unfiltered total");
    all
}

/// The per-test counts are exactly a `GROUP BY` over the stored result verdicts (a count moved
/// to zero may stay as a zero row).
async fn assert_counts_agree(w: &World) {
    let db = &w.app.state.db;
    let verdicts = spci_result_verdict::Entity::find().all(db).await.unwrap();
    let want = crate::data::result_count::tally(
        verdicts
            .iter()
            .map(|v| (v.regression_test_id, v.status.as_str())),
    );
    let got: crate::data::result_count::Tally = spci_result_count::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.results != 0)
        .map(|c| ((c.regression_test_id, c.status), c.results))
        .collect();
    assert_eq!(got, want);
}

fn entries(page: &serde_json::Value) -> Vec<(i64, i64, String)> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["run_id"].as_i64().unwrap(),
                e["regression_test_id"].as_i64().unwrap(),
                e["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn stored_result_runs(w: &World) -> BTreeSet<i32> {
    spci_result_verdict::Entity::find()
        .all(&w.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.test_id)
        .collect()
}

/// A status-filtered history is the union of stored verdicts (completed runs) and results
/// judged when read (every other run); each page of it must be the unfiltered history's
/// entries with that status, at every offset across the boundary between the two.
async fn assert_filtered_history_agrees(w: &World, sample: i32) {
    let all = unfiltered(w, sample).await;
    for status in ["pass", "fail", "missing_output", "not_started"] {
        let want: Vec<_> = all.iter().filter(|e| e.2 == status).cloned().collect();
        for limit in 1..=3 {
            for offset in 0..=want.len() + 1 {
                let page = w
                    .get(&format!(
                        "/samples/{sample}/history?status={status}&limit={limit}&offset={offset}"
                    ))
                    .await;
                let expected: Vec<_> = want.iter().skip(offset).take(limit).cloned().collect();
                assert_eq!(entries(&page), expected, "{status} {limit} {offset}");
                assert_eq!(page["pagination"]["total"], want.len(), "{status}");
            }
        }
    }
    assert_counts_agree(w).await;
}

#[tokio::test]
async fn status_filtered_history_is_stored_for_completed_runs_and_judged_for_the_rest() {
    let w = World::new().await;
    let fx = w.fx();
    // Results of runs that are not completed: a canceled run that reported after its cancel,
    // and (from the world) a running one.
    let late = fx.run("linux", &[w.t1, w.t2]).await;
    fx.progress(late, "canceled", at(70)).await;
    fx.result(late, w.t1, 0, 0).await;
    fx.result(late, w.t2, 5, 0).await;
    fx.file(late, w.t1, w.o1, Some("different")).await;
    // More completed history, newer than everything else.
    for i in 0..3 {
        let run = fx.run("linux", &[w.t1, w.t2]).await;
        fx.complete(run, 80 + i * 3).await;
        fx.result(run, w.t1, 0, 0).await;
        fx.file(run, w.t1, w.o1, None).await;
        fx.result(run, w.t2, i as i32, 0).await;
        fx.file(run, w.t2, w.o2, None).await;
    }
    assert_filtered_history_agrees(&w, w.sample_a).await;
    let stored = stored_result_runs(&w).await;
    assert!(stored.contains(&w.run_pass) && stored.contains(&w.run_c1));
    assert!(!stored.contains(&w.run_running) && !stored.contains(&late));

    // The running run completes: its results are stored from then on, the answers unchanged
    // but for its own entries (judged the same either way).
    w.fx().progress(w.run_running, "completed", at(99)).await;
    assert_filtered_history_agrees(&w, w.sample_a).await;
    assert!(stored_result_runs(&w).await.contains(&w.run_running));

    // A restart through spci deletes the run's results and their stored verdicts at once.
    let (status, body) = super::common::post(
        &w.app,
        &format!("/runs/{}/restart", w.run_fail),
        &w.admin,
        serde_json::json!({}),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    assert!(!stored_result_runs(&w).await.contains(&w.run_fail));
    assert_filtered_history_agrees(&w, w.sample_a).await;
}

#[tokio::test]
async fn result_verdicts_missing_after_the_upgrade_are_filled_at_the_next_start() {
    let w = World::new().await;
    let before = unfiltered(&w, w.sample_a).await;
    w.get(&format!("/samples/{}/history?status=fail", w.sample_a))
        .await;
    // What the migration that adds the table leaves: completed verdicts marked stale, no
    // result rows, nothing counted.
    let db = &w.app.state.db;
    spci_result_verdict::Entity::delete_many()
        .exec(db)
        .await
        .unwrap();
    spci_result_count::Entity::delete_many()
        .exec(db)
        .await
        .unwrap();
    spci_run_verdict::Entity::update_many()
        .col_expr(spci_run_verdict::Column::LastProgressId, Expr::value(-1))
        .filter(spci_run_verdict::Column::Status.is_in(["pass", "fail", "error"]))
        .exec(db)
        .await
        .unwrap();
    let again = AppState::new((*w.app.state.config).clone(), db.clone()).unwrap();
    again.verdicts.current(db).await.unwrap();
    assert!(again.verdicts.judged() > 0);
    assert!(stored_result_runs(&w).await.contains(&w.run_fail));
    assert_eq!(unfiltered(&w, w.sample_a).await, before);
    assert_filtered_history_agrees(&w, w.sample_a).await;
}

/// The verdict upsert itself: an older writer's row (a smaller last progress id) never replaces
/// a newer one, on every backend (on MySQL through conditional assignments, elsewhere a
/// conditional upsert).
#[tokio::test]
async fn an_older_verdict_never_overwrites_a_newer_one() {
    let w = World::new().await;
    let db = &w.app.state.db;
    statuses(&w, "pass").await;
    let upsert = |last: i32, status: &'static str| async move {
        spci_run_verdict::Entity::insert(spci_run_verdict::ActiveModel {
            test_id: Set(w.run_pass),
            last_progress_id: Set(last),
            rules: Set(1),
            status: Set(status.into()),
            effective_status: Set(format!("e-{status}")),
        })
        .on_conflict(newest_wins(db.get_database_backend()))
        .exec_without_returning(db)
        .await
        .unwrap();
        let v = spci_run_verdict::Entity::find_by_id(w.run_pass)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        // The effective status always moves with the status it was judged with.
        assert_eq!(v.effective_status, format!("e-{}", v.status));
        (v.last_progress_id, v.status)
    };
    assert_eq!(upsert(1_000, "fail").await, (1_000, "fail".into()));
    assert_eq!(upsert(999, "running").await, (1_000, "fail".into()));
    assert_eq!(upsert(1_000, "pass").await, (1_000, "pass".into()));
    assert_eq!(upsert(1_001, "error").await, (1_001, "error".into()));
}

/// Two replicas judge the same runs while the runs progress: whatever order their writes land
/// in, each run ends with the verdict of its newest progress row, and its result verdicts
/// agree with it.
#[tokio::test]
async fn two_concurrent_refreshers_keep_the_newest_verdict() {
    let w = World::new().await;
    let db = w.app.state.db.clone();
    let replica = |_: u8| AppState::new((*w.app.state.config).clone(), db.clone()).unwrap();
    let (a, b) = (replica(0), replica(1));
    let fx = w.fx();
    let mut runs = vec![];
    for i in 0..6 {
        let run = fx.run("linux", &[w.t1]).await;
        fx.progress(run, "preparation", at(100 + i)).await;
        runs.push(run);
    }
    let judge = |s: std::sync::Arc<AppState>, runs: Vec<i32>| {
        tokio::spawn(async move {
            for _ in 0..5 {
                s.verdicts.changed(&s.db, &runs).await.unwrap();
                s.verdicts.refresh(&s.db).await.unwrap();
            }
        })
    };
    let (ja, jb) = (
        judge(a.clone(), runs.clone()),
        judge(b.clone(), runs.clone()),
    );
    for (i, run) in runs.iter().enumerate() {
        fx.progress(*run, "testing", at(110 + i as i64)).await;
        fx.result(*run, w.t1, 0, 0).await;
        fx.file(*run, w.t1, w.o1, None).await;
        fx.progress(*run, "completed", at(120 + i as i64)).await;
    }
    ja.await.unwrap();
    jb.await.unwrap();
    // One more pass of each replica, in either order, changes nothing.
    a.verdicts.current(&db).await.unwrap();
    b.verdicts.changed(&db, &runs).await.unwrap();
    let passed = statuses(&w, "pass").await;
    let stored = stored_result_runs(&w).await;
    for run in runs {
        assert!(passed.contains(&(run as i64)), "{run}: {passed:?}");
        assert!(stored.contains(&run), "{run}: its result verdict is stored");
    }
}

/// Upstream deletes a completed run (its results with it): the refresher forgets its verdicts
/// and takes its results out of the counts, so no total counts a result that is gone.
#[tokio::test]
async fn a_run_deleted_by_upstream_leaves_no_result_verdicts_or_counts() {
    let w = World::new().await;
    assert_filtered_history_agrees(&w, w.sample_a).await;
    assert!(stored_result_runs(&w).await.contains(&w.run_fail));
    let db = &w.app.state.db;
    let run = w.run_fail;
    test_result_file::Entity::delete_many()
        .filter(test_result_file::Column::TestId.eq(run))
        .exec(db)
        .await
        .unwrap();
    test_result::Entity::delete_many()
        .filter(test_result::Column::TestId.eq(run))
        .exec(db)
        .await
        .unwrap();
    test_progress::Entity::delete_many()
        .filter(test_progress::Column::TestId.eq(run))
        .exec(db)
        .await
        .unwrap();
    customized_test::Entity::delete_many()
        .filter(customized_test::Column::TestId.eq(run))
        .exec(db)
        .await
        .unwrap();
    test::Entity::delete_by_id(run).exec(db).await.unwrap();
    w.app.state.verdicts.refresh(db).await.unwrap();
    assert!(!stored_result_runs(&w).await.contains(&run));
    let all = unfiltered(&w, w.sample_a).await;
    assert!(all.iter().all(|e| e.0 != run as i64));
    assert_filtered_history_agrees(&w, w.sample_a).await;
}
