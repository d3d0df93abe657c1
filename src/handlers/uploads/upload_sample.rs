//! POST /samples/upload: the `file` part streams into a temporary object (hashed and counted
//! as it arrives, stopped at SPCI_MAX_UPLOAD), is checked (its name's extension, then the type
//! detected from its content and the extension that type implies, against the forbidden lists;
//! its hash against the library and the queue), and moves to `QueuedFiles/<sha><ext>` as its
//! `upload_queue` row commits. The queued copy is announced in `spci_file_removal` before it is
//! written and kept in the transaction that commits the row, so a crash in between leaves
//! nothing behind: the row and the file are both there or neither. The temporary object goes
//! whatever happens.
use super::queue::queued_sample;
use crate::api::{UploadSampleInput, UploadSampleResponse};
use crate::auth::Principal;
use crate::data::entity::{extension_forbidden, mimetype_forbidden, sample, upload_queue};
use crate::data::error::unique_violation;
use crate::data::writer::begin_write;
use crate::data::{db_now, file_removal};
use crate::domain::DomainError;
use crate::domain::uploads::{NameError, checked_extension, detected_type};
use crate::files::Key;
use crate::files::removal::remove_after_commit;
use crate::files::upload::{Received, receive};
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

/// How long an announced queued copy may wait for its row before it counts as left behind.
const COMMIT_GRACE_SECS: i64 = 600;

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: UploadSampleInput,
) -> Result<UploadSampleResponse, ApiError> {
    let mut parts = req.body.parts;
    // The form has exactly one part, `file`: anything else is a client mistake worth naming.
    let field = match parts.next_field().await.map_err(|e| {
        DomainError::invalid("The multipart body could not be read.")
            .detail("reason", e.to_string())
    })? {
        None => return Err(DomainError::invalid("The form has no `file` part.").into()),
        Some(f) if f.name() == Some("file") => f,
        Some(f) => {
            return Err(
                DomainError::invalid("Unknown form part; only `file` is accepted.")
                    .detail("part", f.name().unwrap_or_default().to_string())
                    .into(),
            );
        }
    };
    let name = field
        .file_name()
        .ok_or_else(|| DomainError::invalid("The `file` part has no file name."))?
        .to_string();
    let extension = checked_extension(&name).map_err(|e| refused_name(&name, e))?;
    let bare = extension.trim_start_matches('.').to_string();
    if !bare.is_empty() && extension_is_forbidden(&state.db, &bare).await? {
        return Err(forbidden_extension(&bare).into());
    }
    let received = receive(
        &state.storage,
        field.into_async_read(),
        state.config.max_upload,
    )
    .await
    .map_err(DomainError::from)?;
    let temp = received.temp.clone();
    let outcome = queue(state, p, &name, &extension, received).await;
    remove_after_commit(&state.db, &state.storage, &[temp]).await?;
    Ok(UploadSampleResponse::Created(Json(queued_sample(outcome?))))
}

async fn queue(
    state: &AppState,
    p: &Principal,
    name: &str,
    extension: &str,
    received: Received,
) -> Result<upload_queue::Model, DomainError> {
    let (mime, implied) = detected_type(&received.head);
    let mime_forbidden = mimetype_forbidden::Entity::find()
        .filter(mimetype_forbidden::Column::Mimetype.eq(mime.as_str()))
        .count(&state.db)
        .await?
        > 0;
    if mime_forbidden {
        return Err(
            DomainError::forbidden("This type of file may not be uploaded.")
                .detail("mimetype", mime),
        );
    }
    if let Some(ext) = implied.filter(|e| !e.is_empty())
        && extension_is_forbidden(&state.db, &ext).await?
    {
        return Err(forbidden_extension(&ext).detail("mimetype", mime));
    }
    let sha = received.sha256;
    let duplicate = || {
        DomainError::conflict("This file is already a sample or a queued upload.")
            .detail("sha", sha.clone())
    };
    if sha_known(&state.db, &sha).await? {
        return Err(duplicate());
    }
    let to = Key::queued(&sha, extension).ok_or_else(|| DomainError::internal("queued key"))?;
    let announce = begin_write(&state.db).await?;
    let due = db_now() + chrono::Duration::seconds(COMMIT_GRACE_SECS);
    file_removal::intend(&announce, to.as_str(), due).await?;
    announce.commit().await?;
    if !state.storage.copy(&received.temp, &to).await? {
        return Err(DomainError::internal("the received upload vanished"));
    }
    let tx = begin_write(&state.db).await?;
    if sha_known(&tx, &sha).await? {
        // Someone else's upload of the same file won the race; the copy is theirs now.
        return Err(duplicate());
    }
    let row = upload_queue::ActiveModel {
        sha: Set(Some(sha.clone())),
        extension: Set(extension.to_string()),
        original_name: Set(name.to_string()),
        user_id: Set(Some(p.user_id)),
        ..Default::default()
    };
    let created = upload_queue::Entity::insert(row)
        .exec_with_returning(&tx)
        .await
        .map_err(unique_violation(duplicate))?;
    file_removal::keep(&tx, to.as_str()).await?;
    tx.commit().await?;
    tracing::info!(
        sha,
        size = received.size,
        user_id = p.user_id,
        "sample uploaded"
    );
    Ok(created)
}

async fn sha_known(db: &impl ConnectionTrait, sha: &str) -> Result<bool, DomainError> {
    let samples = sample::Entity::find()
        .filter(sample::Column::Sha.eq(sha))
        .count(db)
        .await?;
    let queued = upload_queue::Entity::find()
        .filter(upload_queue::Column::Sha.eq(sha))
        .count(db)
        .await?;
    Ok(samples + queued > 0)
}

async fn extension_is_forbidden(
    db: &impl ConnectionTrait,
    bare: &str,
) -> Result<bool, DomainError> {
    Ok(extension_forbidden::Entity::find()
        .filter(extension_forbidden::Column::Extension.eq(bare.to_ascii_lowercase()))
        .count(db)
        .await?
        > 0)
}

fn forbidden_extension(ext: &str) -> DomainError {
    DomainError::forbidden("This type of file may not be uploaded.").detail("extension", ext)
}

fn refused_name(name: &str, e: NameError) -> DomainError {
    let why = match e {
        NameError::Empty => "The file name is empty.",
        NameError::TooLong => "The file name is too long.",
        NameError::Path => "The file name must be a plain name, not a path.",
        NameError::Extension => "The file name's extension must be letters and digits.",
    };
    DomainError::invalid(why).detail("file_name", name.chars().take(100).collect::<String>())
}
