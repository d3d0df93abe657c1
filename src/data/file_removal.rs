//! `spci_file_removal`: objects whose removal failed after their rows were deleted.
use super::entity::spci_file_removal::{self, Column};
use chrono::NaiveDateTime;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// Records `key` to be removed at `next`.
pub async fn record(
    db: &impl ConnectionTrait,
    key: &str,
    next: NaiveDateTime,
    error: &str,
) -> Result<(), DbErr> {
    spci_file_removal::ActiveModel {
        object_key: Set(key.to_string()),
        created_at: Set(super::db_now()),
        attempts: Set(1),
        next_attempt_at: Set(next),
        last_error: Set(Some(truncated(error))),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Removals due at `now`, oldest first.
pub async fn due(
    db: &impl ConnectionTrait,
    now: NaiveDateTime,
    limit: u64,
) -> Result<Vec<spci_file_removal::Model>, DbErr> {
    spci_file_removal::Entity::find()
        .filter(Column::NextAttemptAt.lte(now))
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

pub async fn done(db: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    spci_file_removal::Entity::delete_by_id(id)
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn failed_again(
    db: &impl ConnectionTrait,
    id: i32,
    attempts: i32,
    next: NaiveDateTime,
    error: &str,
) -> Result<(), DbErr> {
    spci_file_removal::Entity::update_many()
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(Column::NextAttemptAt, Expr::value(next))
        .col_expr(Column::LastError, Expr::value(truncated(error)))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

fn truncated(error: &str) -> String {
    error.chars().take(1000).collect()
}

/// Before writing `key` where a row will point at it: if this process dies before the row
/// commits, the object is removed at `due`. Earlier intents for the key are pushed to `due`
/// too, so a crash's leftover never removes the file while this write is under way.
pub async fn intend(db: &impl ConnectionTrait, key: &str, due: NaiveDateTime) -> Result<(), DbErr> {
    spci_file_removal::Entity::delete_many()
        .filter(Column::ObjectKey.eq(key))
        .exec(db)
        .await?;
    record(db, key, due, "written; its row not committed yet").await
}

/// In the transaction that commits the row pointing at `key`: the object stays.
pub async fn keep(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    spci_file_removal::Entity::delete_many()
        .filter(Column::ObjectKey.eq(key))
        .exec(db)
        .await
        .map(|_| ())
}
