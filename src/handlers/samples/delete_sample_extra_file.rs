//! DELETE /samples/{sample_id}/extra-files/{extra_id}: the row, then (after the commit) its
//! stored copy; another sample's extra file is a 404.
use crate::api::{DeleteSampleExtraFileInput, DeleteSampleExtraFileResponse, DeletedResource};
use crate::data::entity::{sample, sample_extra};
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::files::Key;
use crate::files::removal::remove_after_commit;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{EntityTrait, QuerySelect};

pub async fn handle(
    state: &AppState,
    req: DeleteSampleExtraFileInput,
) -> Result<DeleteSampleExtraFileResponse, ApiError> {
    let tx = begin_write(&state.db).await?;
    let s = sample::Entity::find_by_id(req.sample_id)
        .lock_shared()
        .one(&tx)
        .await?
        .ok_or_else(|| DomainError::not_found("Sample"))?;
    let extra = sample_extra::Entity::find_by_id(req.extra_id)
        .lock_exclusive()
        .one(&tx)
        .await?
        .filter(|e| e.sample_id == Some(s.id))
        .ok_or_else(|| DomainError::not_found("Extra file"))?;
    sample_extra::Entity::delete_by_id(extra.id)
        .exec(&tx)
        .await?;
    tx.commit().await?;
    let files: Vec<Key> = Key::extra(
        s.sha.as_deref().unwrap_or_default(),
        extra.id,
        &extra.extension,
    )
    .into_iter()
    .collect();
    remove_after_commit(&state.db, &state.storage, &files).await?;
    Ok(DeleteSampleExtraFileResponse::Ok(Json(DeletedResource {
        id: extra.id,
        deleted: true,
    })))
}
