//! The materialised run verdicts: exact for every new progress row and every write spci makes,
//! upstream's other edits seen by the background refresher, nothing re-judged after a restart.
use super::fixtures::at;
use super::world::{World, ids};
use crate::data::entity::{regression_test, regression_test_output_files};
use crate::state::AppState;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

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
