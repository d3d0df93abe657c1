//! POST /runs/{run_id}/restart: the run's progress, results and files are deleted in one
//! transaction, so it is pending again with the same id. The progress delete comes first and
//! takes the write lock; concurrent restarts find nothing left to delete and answer `no_op`.
use crate::api::{
    RestartRunInput, RestartRunResponse, RunAction, RunActionResult, RunActionStatus,
};
use crate::data::entity::{test, test_progress, test_result, test_result_file};
use crate::data::{lookup, verdict_cache};
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect,
};

pub async fn handle(
    state: &AppState,
    req: RestartRunInput,
) -> Result<RestartRunResponse, ApiError> {
    let run_id = req.run_id;
    let db = &state.db;
    lookup::run(&state.db, run_id).await?;
    let tx = crate::data::writer::begin_write(db).await?;
    if tx.get_database_backend() != DatabaseBackend::Sqlite {
        test::Entity::find_by_id(run_id)
            .lock_exclusive()
            .one(&tx)
            .await?
            .ok_or_else(|| DomainError::not_found("Run"))?;
    }
    let removed = test_progress::Entity::delete_many()
        .filter(test_progress::Column::TestId.eq(run_id))
        .exec(&tx)
        .await?
        .rows_affected;
    test_result_file::Entity::delete_many()
        .filter(test_result_file::Column::TestId.eq(run_id))
        .exec(&tx)
        .await?;
    test_result::Entity::delete_many()
        .filter(test_result::Column::TestId.eq(run_id))
        .exec(&tx)
        .await?;
    verdict_cache::forget_results(&tx, run_id).await?;
    tx.commit().await?;
    // The run has no progress now: its verdict goes before anyone reads the list again.
    state.verdicts.changed(db, &[run_id]).await?;
    let (status, message) = if removed > 0 {
        (RunActionStatus::Accepted, "The run is queued again.")
    } else {
        (RunActionStatus::NoOp, "The run is already pending.")
    };
    // Streams and webhooks hear of it now, not at the recorder's next poll.
    state.live.changed();
    Ok(RestartRunResponse::Accepted(Json(RunActionResult {
        run_id,
        action: RunAction::Restart,
        status,
        message: message.to_string(),
    })))
}
