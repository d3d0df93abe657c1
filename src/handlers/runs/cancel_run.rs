//! POST /runs/{run_id}/cancel. Check-and-act is one atomic step (review H7): the `canceled`
//! row is inserted by a single conditional statement that re-reads the run's last status, under
//! a row lock on the run where the database has them. Concurrent cancels therefore give
//! exactly one `accepted`; a run that completed or was canceled is never flipped.
use crate::api::{CancelRunInput, CancelRunResponse, RunAction, RunActionResult, RunActionStatus};
use crate::auth::Principal;
use crate::data::entity::{test, test_progress};
use crate::data::lookup;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait, QuerySelect};

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: CancelRunInput,
) -> Result<CancelRunResponse, ApiError> {
    let run_id = req.run_id;
    let who = p.display_name();
    let message = match req.body.and_then(|b| b.reason) {
        Some(reason) => format!("Canceled by {who} via API: {reason}"),
        None => format!("Canceled by {who} via API"),
    };
    let db = &state.db;
    let inserted = if db.get_database_backend() == DatabaseBackend::Sqlite {
        // SQLite runs a write statement under the database write lock, reading the latest
        // committed state: the single statement is the atomic step.
        lookup::run(&state.db, run_id).await?;
        insert_cancel(db, run_id, &message).await?
    } else {
        let tx = crate::data::writer::begin_write(db).await?;
        test::Entity::find_by_id(run_id)
            .lock_exclusive()
            .one(&tx)
            .await?
            .ok_or_else(|| DomainError::not_found("Run"))?;
        let n = insert_cancel(&tx, run_id, &message).await?;
        tx.commit().await?;
        n
    };
    if inserted {
        state.verdicts.changed(db, &[run_id]).await?;
    }
    let (status, message) = if inserted {
        (RunActionStatus::Accepted, message)
    } else {
        (
            RunActionStatus::NoOp,
            "The run has already finished; nothing to cancel.".to_string(),
        )
    };
    Ok(CancelRunResponse::Accepted(Json(RunActionResult {
        run_id,
        action: RunAction::Cancel,
        status,
        message,
    })))
}

/// `INSERT … SELECT … WHERE <last status is not terminal>`: true when a row was written.
async fn insert_cancel(
    db: &impl ConnectionTrait,
    run_id: i32,
    message: &str,
) -> Result<bool, ApiError> {
    let p = Alias::new("p");
    let last_status = Query::select()
        .column((p.clone(), test_progress::Column::Status))
        .from_as(test_progress::Entity, p.clone())
        .and_where(Expr::col((p.clone(), test_progress::Column::TestId)).eq(run_id))
        .order_by((p, test_progress::Column::Id), Order::Desc)
        .limit(1)
        .to_owned();
    let now = chrono::Utc::now().naive_utc();
    let select = Query::select()
        .exprs([
            Expr::val(run_id),
            Expr::val("canceled"),
            Expr::val(now),
            Expr::val(message),
        ])
        .and_where(
            Func::coalesce([Expr::from(last_status), Expr::val("queued")])
                .is_not_in(["completed", "canceled"]),
        )
        .to_owned();
    let insert = Query::insert()
        .into_table(test_progress::Entity)
        .columns([
            test_progress::Column::TestId,
            test_progress::Column::Status,
            test_progress::Column::Timestamp,
            test_progress::Column::Message,
        ])
        .select_from(select)
        .map_err(DomainError::internal)?
        .to_owned();
    Ok(db.execute(&insert).await?.rows_affected() == 1)
}
