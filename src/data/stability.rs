//! What the stability rules read: a branch's most recently completed runs on a platform, and
//! the stored verdicts of their results (`spci_result_verdict`, kept by the verdict cache).
//! Two statements per platform, whatever the window or the number of tests.
use super::entity::{spci_result_verdict, spci_run_verdict, test};
use super::verdict_cache::{status_in, verdict_run_id};
use crate::domain::verdict::COMPLETED;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

/// A run of the window: id and commit.
pub struct WindowRun {
    pub id: i32,
    pub commit: String,
}

/// The `window` most recently completed runs of `branch` on `platform`, oldest first.
pub async fn window(
    db: &impl ConnectionTrait,
    branch: &str,
    platform: &str,
    window: u32,
) -> Result<Vec<WindowRun>, DbErr> {
    let mut q = Query::select();
    q.column((test::Entity, test::Column::Id))
        .column((test::Entity, test::Column::Commit))
        .from(test::Entity)
        .inner_join(
            spci_run_verdict::Entity,
            Expr::col(verdict_run_id()).equals((test::Entity, test::Column::Id)),
        )
        .and_where(Expr::col((test::Entity, test::Column::Branch)).eq(branch))
        .and_where(Expr::col((test::Entity, test::Column::Platform)).eq(platform))
        .and_where(status_in(&COMPLETED))
        // The completed row is the run's last progress row: the newest completions first.
        .order_by(
            (
                spci_run_verdict::Entity,
                spci_run_verdict::Column::LastProgressId,
            ),
            Order::Desc,
        )
        .limit(u64::from(window));
    let mut runs = Vec::new();
    for r in db.query_all(&q).await? {
        runs.push(WindowRun {
            id: r.try_get_by_index(0)?,
            commit: r.try_get_by_index(1)?,
        });
    }
    runs.reverse();
    Ok(runs)
}

/// (run, regression test, status) of the results of `runs`, of one test when `only` says so.
pub async fn verdicts(
    db: &impl ConnectionTrait,
    runs: &[i32],
    only: Option<i32>,
) -> Result<Vec<(i32, i32, String)>, DbErr> {
    if runs.is_empty() {
        return Ok(vec![]);
    }
    use spci_result_verdict::Column as C;
    let mut q = spci_result_verdict::Entity::find().filter(C::TestId.is_in(runs.iter().copied()));
    if let Some(rt) = only {
        q = q.filter(C::RegressionTestId.eq(rt));
    }
    q.select_only()
        .column(C::TestId)
        .column(C::RegressionTestId)
        .column(C::Status)
        .into_tuple()
        .all(db)
        .await
}
