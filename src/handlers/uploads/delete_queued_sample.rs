//! DELETE /queued-samples/{queued_id}: the row, then (after the commit) its file.
use super::queue::{file_of, locked};
use crate::api::{DeleteQueuedSampleInput, DeleteQueuedSampleResponse, DeletedResource};
use crate::auth::Principal;
use crate::data::entity::upload_queue;
use crate::data::writer::begin_write;
use crate::files::removal::remove_after_commit;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: DeleteQueuedSampleInput,
) -> Result<DeleteQueuedSampleResponse, ApiError> {
    let tx = begin_write(&state.db).await?;
    let q = locked(&tx, p, req.queued_id).await?;
    upload_queue::Entity::delete_by_id(q.id).exec(&tx).await?;
    tx.commit().await?;
    let files: Vec<_> = file_of(&q).into_iter().collect();
    remove_after_commit(&state.db, &state.storage, &files).await?;
    Ok(DeleteQueuedSampleResponse::Ok(Json(DeletedResource {
        id: q.id,
        deleted: true,
    })))
}
