//! What the queue operations share: a queued upload is visible to its uploader and to admins;
//! to anyone else it does not exist (404, never 403, so ids reveal nothing).
use crate::api::QueuedSample;
use crate::auth::Principal;
use crate::data::entity::upload_queue;
use crate::domain::DomainError;
use crate::files::Key;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Select};

/// The queued uploads `p` may see.
pub fn visible_to(p: &Principal) -> Select<upload_queue::Entity> {
    let q = upload_queue::Entity::find();
    if p.is_admin() {
        q
    } else {
        q.filter(upload_queue::Column::UserId.eq(p.user_id))
    }
}

/// Queued upload `id`, row-locked for the caller's write transaction.
pub async fn locked(
    tx: &impl ConnectionTrait,
    p: &Principal,
    id: i32,
) -> Result<upload_queue::Model, DomainError> {
    visible_to(p)
        .filter(upload_queue::Column::Id.eq(id))
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(not_found)
}

pub fn not_found() -> DomainError {
    DomainError::not_found("Queued sample")
}

/// Where the queued file is; `None` for a row whose name is not a safe key (then it has no
/// file spci could touch).
pub fn file_of(q: &upload_queue::Model) -> Option<Key> {
    Key::queued(q.sha.as_deref()?, &q.extension)
}

/// The file went missing from storage: the row stays, so the caller can delete it.
pub fn file_missing() -> DomainError {
    DomainError::conflict("The queued upload's file is missing from storage; delete the upload.")
}

/// Upstream keeps the queue's extension with its dot, a sample's and an extra's without.
pub fn bare_extension(q: &upload_queue::Model) -> String {
    q.extension.trim_start_matches('.').to_string()
}

pub fn queued_sample(q: upload_queue::Model) -> QueuedSample {
    QueuedSample {
        id: q.id,
        sha: q.sha.unwrap_or_default(),
        extension: q.extension,
        original_name: q.original_name,
        user_id: q.user_id,
    }
}
