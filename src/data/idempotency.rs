//! Idempotency keys in `spci_idempotency`: taken by one request at a time (a unique index on
//! account and key decides between concurrent ones), answered again once it ended, swept after
//! a day.
use super::db_now;
use super::entity::spci_idempotency::{self, Column};
use crate::domain::idempotency::{Decision, KEPT, Seen, decide};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, SqlErr,
};

/// What a request with a key may do.
#[derive(Debug, PartialEq, Eq)]
pub enum Begun {
    /// It holds the key (this row): run it, then [`finish`] or [`release`].
    Run(i32),
    /// The first request's stored answer.
    Replay {
        status: u16,
        content_type: Option<String>,
        body: String,
    },
    InFlight,
    Mismatch,
}

pub struct Request<'a> {
    pub user_id: i32,
    pub key: &'a str,
    pub operation: &'a str,
    pub fingerprint: &'a str,
}

pub async fn begin(db: &impl ConnectionTrait, r: &Request<'_>) -> Result<Begun, DbErr> {
    // A few rounds at most: each lost race means another request changed the row meanwhile.
    for _ in 0..5 {
        let now = db_now();
        let fresh = spci_idempotency::ActiveModel {
            user_id: Set(r.user_id),
            idempotency_key: Set(r.key.to_string()),
            fingerprint: Set(r.fingerprint.to_string()),
            operation: Set(r.operation.to_string()),
            started_at: Set(Some(now)),
            status: Set(None),
            content_type: Set(None),
            body: Set(None),
            created_at: Set(now),
            ..Default::default()
        };
        match fresh.insert(db).await {
            Ok(row) => return Ok(Begun::Run(row.id)),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
            Err(e) => return Err(e),
        }
        let Some(seen) = spci_idempotency::Entity::find()
            .filter(Column::UserId.eq(r.user_id))
            .filter(Column::IdempotencyKey.eq(r.key))
            .one(db)
            .await?
        else {
            continue;
        };
        let decision = decide(
            &Seen {
                fingerprint: &seen.fingerprint,
                created_at: seen.created_at,
                started_at: seen.started_at,
            },
            r.fingerprint,
            now,
        );
        match decision {
            Decision::InFlight => return Ok(Begun::InFlight),
            Decision::Mismatch => return Ok(Begun::Mismatch),
            Decision::Replay => {
                return Ok(Begun::Replay {
                    status: seen
                        .status
                        .and_then(|s| u16::try_from(s).ok())
                        .unwrap_or(200),
                    content_type: seen.content_type,
                    body: seen.body.unwrap_or_default(),
                });
            }
            Decision::TakeOver => {
                // Only if nobody took it over meanwhile: the row must be as it was read.
                let mut q = spci_idempotency::Entity::update_many()
                    .col_expr(Column::Fingerprint, Expr::value(r.fingerprint))
                    .col_expr(Column::Operation, Expr::value(r.operation))
                    .col_expr(Column::StartedAt, Expr::value(Some(now)))
                    .col_expr(Column::Status, Expr::value(Option::<i32>::None))
                    .col_expr(Column::ContentType, Expr::value(Option::<String>::None))
                    .col_expr(Column::Body, Expr::value(Option::<String>::None))
                    .col_expr(Column::CreatedAt, Expr::value(now))
                    .filter(Column::Id.eq(seen.id))
                    .filter(Column::CreatedAt.eq(seen.created_at));
                q = match seen.started_at {
                    Some(s) => q.filter(Column::StartedAt.eq(s)),
                    None => q.filter(Column::StartedAt.is_null()),
                };
                if q.exec(db).await?.rows_affected == 1 {
                    return Ok(Begun::Run(seen.id));
                }
            }
        }
    }
    // Five rounds of races on one key: answer as if the other request still runs.
    Ok(Begun::InFlight)
}

/// The request ended: its answer is what a retry gets.
pub async fn finish(
    db: &impl ConnectionTrait,
    id: i32,
    status: u16,
    content_type: Option<String>,
    body: String,
) -> Result<(), DbErr> {
    spci_idempotency::Entity::update_many()
        .col_expr(
            Column::StartedAt,
            Expr::value(Option::<chrono::NaiveDateTime>::None),
        )
        .col_expr(Column::Status, Expr::value(i32::from(status)))
        .col_expr(Column::ContentType, Expr::value(content_type))
        .col_expr(Column::Body, Expr::value(body))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// The request failed on our side (a 5xx) or never reached its handler: the key is free again.
pub async fn release(db: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    spci_idempotency::Entity::delete_by_id(id)
        .exec(db)
        .await
        .map(|_| ())
}

/// Forgets keys older than they are kept; how many.
pub async fn sweep(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    spci_idempotency::Entity::delete_many()
        .filter(Column::CreatedAt.lt(db_now() - KEPT))
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}
