//! Cheap versions of the resources clients poll, read before anything else so a poll that
//! changed nothing is answered 304 after a few primary-key and index lookups. A version covers
//! what the answer is made of: a run's progress rows (newest id and how many, so a restart's
//! deletions count), its results (how many), its judged status and the rules it was judged
//! under, and the newest baseline approval (an approval can change any run's test statuses);
//! the queue's: the newest run and progress row, and the unfinished runs' verdicts. A change the
//! verdict rules only see at their refresh (an expected output edited by upstream) shows in the
//! version once re-judged.
use super::entity::{spci_baseline_approval, spci_run_verdict, test, test_progress, test_result};
use crate::api::RunStatus;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

/// The run's version, `None` when there is no such run (the handler answers that).
pub async fn run(db: &impl ConnectionTrait, run_id: i32) -> Result<Option<String>, DbErr> {
    let verdict: Option<(i32, i64, String, String)> = spci_run_verdict::Entity::find()
        .select_only()
        .columns([
            spci_run_verdict::Column::LastProgressId,
            spci_run_verdict::Column::Rules,
            spci_run_verdict::Column::Status,
            spci_run_verdict::Column::EffectiveStatus,
        ])
        .filter(spci_run_verdict::Column::TestId.eq(run_id))
        .into_tuple()
        .one(db)
        .await?;
    if verdict.is_none() && test::Entity::find_by_id(run_id).one(db).await?.is_none() {
        return Ok(None);
    }
    let progress: Option<(Option<i32>, i64)> = test_progress::Entity::find()
        .select_only()
        .column_as(Expr::col(test_progress::Column::Id).max(), "newest")
        .column_as(Expr::col(test_progress::Column::Id).count(), "rows")
        .filter(test_progress::Column::TestId.eq(run_id))
        .into_tuple()
        .one(db)
        .await?;
    let results: Option<i64> = test_result::Entity::find()
        .select_only()
        .column_as(
            Expr::col(test_result::Column::RegressionTestId).count(),
            "n",
        )
        .filter(test_result::Column::TestId.eq(run_id))
        .into_tuple()
        .one(db)
        .await?;
    let approval = newest_approval(db).await?;
    Ok(Some(format!(
        "run {run_id} {progress:?} {results:?} {verdict:?} {approval:?}"
    )))
}

/// The queue's version.
pub async fn queue(db: &impl ConnectionTrait) -> Result<String, DbErr> {
    let newest_run: Option<Option<i32>> = test::Entity::find()
        .select_only()
        .column_as(Expr::col(test::Column::Id).max(), "m")
        .into_tuple()
        .one(db)
        .await?;
    let newest_progress: Option<Option<i32>> = test_progress::Entity::find()
        .select_only()
        .column_as(Expr::col(test_progress::Column::Id).max(), "m")
        .into_tuple()
        .one(db)
        .await?;
    let unfinished: Option<i64> = spci_run_verdict::Entity::find()
        .select_only()
        .column_as(Expr::col(spci_run_verdict::Column::TestId).count(), "n")
        .filter(
            spci_run_verdict::Column::Status
                .is_in([RunStatus::Queued.as_str(), RunStatus::Running.as_str()]),
        )
        .into_tuple()
        .one(db)
        .await?;
    Ok(format!(
        "queue {newest_run:?} {newest_progress:?} {unfinished:?}"
    ))
}

async fn newest_approval(db: &impl ConnectionTrait) -> Result<Option<Option<i32>>, DbErr> {
    spci_baseline_approval::Entity::find()
        .select_only()
        .column_as(Expr::col(spci_baseline_approval::Column::Id).max(), "m")
        .into_tuple()
        .one(db)
        .await
}
