//! POST /queued-samples/{queued_id}/link: the queued upload becomes an extra file of an
//! existing sample (`TestFiles/extra/<sample sha>_<extra id>.<ext>`), moved as finalize moves
//! a sample: copied in the transaction, the queued copy removed after the commit.
use super::queue::{bare_extension, file_missing, file_of, locked};
use crate::api::{LinkQueuedSampleInput, LinkQueuedSampleResponse, LinkedExtraFile};
use crate::auth::Principal;
use crate::data::entity::{sample, sample_extra, upload_queue};
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::files::Key;
use crate::files::removal::remove_after_commit;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, EntityTrait, QuerySelect, Set};

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: LinkQueuedSampleInput,
) -> Result<LinkQueuedSampleResponse, ApiError> {
    let sample_id = req.body.sample_id;
    let tx = begin_write(&state.db).await?;
    let q = locked(&tx, p, req.queued_id).await?;
    // Shared lock: a concurrent delete of the sample waits for this link, then sees it.
    let s = sample::Entity::find_by_id(sample_id)
        .lock_shared()
        .one(&tx)
        .await?
        .ok_or_else(|| DomainError::not_found("Sample"))?;
    let from = file_of(&q).ok_or_else(file_missing)?;
    let extension = bare_extension(&q);
    let extra = sample_extra::ActiveModel {
        sample_id: Set(Some(sample_id)),
        original_name: Set(q.original_name.clone()),
        extension: Set(extension.clone()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let to = Key::extra(s.sha.as_deref().unwrap_or_default(), extra.id, &extension)
        .ok_or_else(file_missing)?;
    upload_queue::Entity::delete_by_id(q.id).exec(&tx).await?;
    if !state.storage.copy(&from, &to).await? {
        return Err(file_missing().into());
    }
    if let Err(e) = tx.commit().await {
        remove_after_commit(&state.db, &state.storage, std::slice::from_ref(&to)).await?;
        return Err(e.into());
    }
    remove_after_commit(&state.db, &state.storage, &[from]).await?;
    Ok(LinkQueuedSampleResponse::Created(Json(LinkedExtraFile {
        id: extra.id,
        sample_id,
        filename: to.file_name().to_string(),
    })))
}
