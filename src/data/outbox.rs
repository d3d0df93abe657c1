//! The mail outbox: requests queue messages in their transaction; the sender delivers them.
use super::entity::spci_mail_outbox::{self, Column};
use crate::mail::Outgoing;
use chrono::NaiveDateTime;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// After this many failed attempts a message is left undelivered (its link has long expired).
pub const MAX_ATTEMPTS: i32 = 12;

/// Queues `m` to be sent as soon as the sender runs.
pub async fn enqueue(db: &impl ConnectionTrait, m: Outgoing) -> Result<(), DbErr> {
    let now = super::db_now();
    spci_mail_outbox::ActiveModel {
        created_at: Set(now),
        recipient: Set(m.to),
        subject: Set(m.subject),
        body: Set(m.body),
        attempts: Set(0),
        next_attempt_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Unsent messages due at `now`, oldest first.
pub async fn due(
    db: &impl ConnectionTrait,
    now: NaiveDateTime,
    limit: u64,
) -> Result<Vec<spci_mail_outbox::Model>, DbErr> {
    spci_mail_outbox::Entity::find()
        .filter(Column::SentAt.is_null())
        .filter(Column::NextAttemptAt.lte(now))
        .filter(Column::Attempts.lt(MAX_ATTEMPTS))
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

pub async fn mark_sent(
    db: &impl ConnectionTrait,
    id: i32,
    now: NaiveDateTime,
) -> Result<(), DbErr> {
    spci_mail_outbox::Entity::update_many()
        .col_expr(Column::SentAt, Expr::value(now))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn mark_failed(
    db: &impl ConnectionTrait,
    id: i32,
    attempts: i32,
    next: NaiveDateTime,
    error: &str,
) -> Result<(), DbErr> {
    spci_mail_outbox::Entity::update_many()
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            Column::LastError,
            Expr::value(error.chars().take(1000).collect::<String>()),
        )
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}
