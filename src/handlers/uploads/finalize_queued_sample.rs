//! POST /queued-samples/{queued_id}/finalize: the queued upload becomes a sample with its
//! upload record, and its file moves from `QueuedFiles/` to `TestFiles/`. The file is copied
//! into place inside the transaction (a hard link locally, a server-side copy in a bucket), the
//! rows commit, and only then does the queued copy go: a failure at any point leaves either
//! the queued upload or the sample, each with its file.
use super::queue::{bare_extension, file_missing, file_of, locked};
use crate::api::{FinalizeQueuedSampleInput, FinalizeQueuedSampleResponse, FinalizedSample};
use crate::auth::Principal;
use crate::data::entity::{sample, upload, upload_queue};
use crate::data::error::unique_violation;
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::files::Key;
use crate::files::removal::remove_after_commit;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: FinalizeQueuedSampleInput,
) -> Result<FinalizeQueuedSampleResponse, ApiError> {
    let b = req.body;
    let tx = begin_write(&state.db).await?;
    let q = locked(&tx, p, req.queued_id).await?;
    let version = crate::data::lookup::version(&tx, &b.version).await?;
    let (Some(from), Some(sha)) = (file_of(&q), q.sha.clone()) else {
        return Err(file_missing().into());
    };
    let extension = bare_extension(&q);
    let to = Key::sample(&sha, &extension).ok_or_else(file_missing)?;
    let already = || {
        DomainError::conflict("A sample with this file already exists.").detail("sha", sha.clone())
    };
    let created = sample::ActiveModel {
        sha: Set(Some(sha.clone())),
        extension: Set(extension),
        original_name: Set(q.original_name.clone()),
        ..Default::default()
    }
    .insert(&tx)
    .await
    .map_err(unique_violation(already))?;
    upload::ActiveModel {
        user_id: Set(q.user_id.or(Some(p.user_id))),
        sample_id: Set(Some(created.id)),
        version_id: Set(Some(version.id)),
        platform: Set(b.platform.as_str().to_string()),
        parameters: Set(b.parameters.unwrap_or_default()),
        notes: Set(b.notes.unwrap_or_default()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    upload_queue::Entity::delete_by_id(q.id).exec(&tx).await?;
    if !state.storage.copy(&from, &to).await? {
        return Err(file_missing().into());
    }
    if let Err(e) = tx.commit().await {
        remove_after_commit(&state.db, &state.storage, &[to]).await?;
        return Err(e.into());
    }
    remove_after_commit(&state.db, &state.storage, &[from]).await?;
    Ok(FinalizeQueuedSampleResponse::Created(Json(
        FinalizedSample {
            sample_id: created.id,
            sha,
            original_name: created.original_name,
        },
    )))
}
