//! Removing stored files whose rows are gone. Rows are deleted first, in their transaction;
//! files only after it committed, so a row never points at nothing. A removal that fails then
//! (storage down) is recorded in `spci_file_removal` and retried by a background task with
//! backoff, for as long as it takes.
use super::{Key, Storage};
use crate::data::{db_now, file_removal};
use crate::domain::backoff::backoff_secs;
use sea_orm::{ConnectionTrait, DbErr};

/// Removals per background pass; the next pass follows at once while any are left.
pub const BATCH: u64 = 100;

/// Removes `keys` now; each that cannot be removed is recorded for the background task.
pub async fn remove_after_commit(
    db: &impl ConnectionTrait,
    storage: &Storage,
    keys: &[Key],
) -> Result<(), DbErr> {
    for key in keys {
        if let Err(e) = storage.delete(key).await {
            tracing::warn!(key = key.as_str(), error = %e, "file removal failed; retrying later");
            let next = db_now() + chrono::Duration::seconds(backoff_secs(0));
            file_removal::record(db, key.as_str(), next, &e).await?;
        }
    }
    Ok(())
}

/// Tries every recorded removal that is due; says how many it handled.
pub async fn retry_due(db: &impl ConnectionTrait, storage: &Storage) -> Result<usize, DbErr> {
    let now = db_now();
    let due = file_removal::due(db, now, BATCH).await?;
    for row in &due {
        // A key that no longer parses cannot be spci's to remove: dropped, never guessed at.
        let outcome = match Key::from_stored(&row.object_key) {
            Some(key) => storage.delete(&key).await,
            None => Ok(()),
        };
        match outcome {
            Ok(()) => file_removal::done(db, row.id).await?,
            Err(e) => {
                let next = now + chrono::Duration::seconds(backoff_secs(row.attempts));
                file_removal::failed_again(db, row.id, row.attempts + 1, next, &e).await?
            }
        }
    }
    Ok(due.len())
}
