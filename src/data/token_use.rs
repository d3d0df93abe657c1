//! Writes and reads `spci_token_use`.
use super::entity::spci_token_use::{self, Column};
use crate::auth::token_use::TokenUse;
use chrono::NaiveDateTime;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use std::collections::HashMap;

/// Writes the pending uses in one statement (an upsert on every backend); on failure they stay
/// pending for the next flush.
pub async fn flush(db: &impl ConnectionTrait, uses: &TokenUse) -> Result<usize, DbErr> {
    let pending = uses.take();
    if pending.is_empty() {
        return Ok(0);
    }
    let rows = pending.iter().map(|(id, at)| spci_token_use::ActiveModel {
        token_id: Set(*id),
        last_used_at: Set(*at),
    });
    let written = spci_token_use::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(Column::TokenId)
                .update_column(Column::LastUsedAt)
                .to_owned(),
        )
        .exec(db)
        .await;
    match written {
        Ok(_) => Ok(pending.len()),
        Err(e) => {
            uses.put_back(pending);
            Err(e)
        }
    }
}

/// When each of `ids` was last used, in one query.
pub async fn last_used(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, NaiveDateTime>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(spci_token_use::Entity::find()
        .filter(Column::TokenId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.token_id, r.last_used_at))
        .collect())
}
