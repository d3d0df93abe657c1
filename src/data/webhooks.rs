//! Webhook endpoints (`spci_webhook`) and their outbox (`spci_webhook_delivery`).
//!
//! Deliveries are written by the event recorder in the transaction that records their event.
//! A sender claims one with a conditional update of `locked_until` (it is due and nobody holds
//! it), so two replicas never send the same delivery at once, on any backend; a sender that
//! dies holding one leaves it to be claimed again when the lock runs out.
use super::db_now;
use super::entity::spci_webhook::{self, Column as H};
use super::entity::spci_webhook_delivery::{self, Column as D};
use crate::api::{WebhookDeliveryState, WebhookEvent};
use chrono::NaiveDateTime;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// How long a sender holds a delivery it claimed (longer than one attempt can take).
pub const CLAIM_SECS: i64 = 60;

pub async fn create(
    db: &impl ConnectionTrait,
    url: &str,
    secret: &str,
    events: &[WebhookEvent],
    description: &str,
    created_by: i32,
) -> Result<spci_webhook::Model, DbErr> {
    spci_webhook::ActiveModel {
        url: Set(url.to_string()),
        secret: Set(secret.to_string()),
        events: Set(events
            .iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(",")),
        description: Set(description.to_string()),
        created_by: Set(created_by),
        created_at: Set(db_now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The events an endpoint asked for.
pub fn events_of(h: &spci_webhook::Model) -> Vec<WebhookEvent> {
    h.events
        .split(',')
        .filter_map(WebhookEvent::parse)
        .collect()
}

pub async fn page(
    db: &impl ConnectionTrait,
    limit: i32,
    offset: i32,
) -> Result<(Vec<spci_webhook::Model>, u64), DbErr> {
    super::page(
        db,
        spci_webhook::Entity::find().order_by_desc(H::Id),
        limit,
        offset,
    )
    .await
}

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<spci_webhook::Model>, DbErr> {
    spci_webhook::Entity::find()
        .order_by_asc(H::Id)
        .all(db)
        .await
}

pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<Option<spci_webhook::Model>, DbErr> {
    spci_webhook::Entity::find_by_id(id).one(db).await
}

/// Removes the endpoint and its deliveries; whether it existed.
pub async fn delete(db: &impl ConnectionTrait, id: i32) -> Result<bool, DbErr> {
    spci_webhook_delivery::Entity::delete_many()
        .filter(D::WebhookId.eq(id))
        .exec(db)
        .await?;
    Ok(spci_webhook::Entity::delete_by_id(id)
        .exec(db)
        .await?
        .rows_affected
        > 0)
}

/// Queues `payload` for every endpoint in `hooks` that asked for `event`; how many.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    hooks: &[spci_webhook::Model],
    event: WebhookEvent,
    payload: &serde_json::Value,
) -> Result<usize, DbErr> {
    let now = db_now();
    let mut n = 0;
    for h in hooks.iter().filter(|h| events_of(h).contains(&event)) {
        let delivery_id = uuid::Uuid::new_v4().to_string();
        let mut body = payload.clone();
        if let Some(o) = body.as_object_mut() {
            o.insert("event".into(), event.as_str().into());
            o.insert("delivery_id".into(), delivery_id.clone().into());
        }
        spci_webhook_delivery::ActiveModel {
            delivery_id: Set(delivery_id),
            webhook_id: Set(h.id),
            event: Set(event.as_str().to_string()),
            payload: Set(body.to_string()),
            state: Set(WebhookDeliveryState::Pending.as_str().to_string()),
            attempts: Set(0),
            created_at: Set(now),
            next_attempt_at: Set(Some(now)),
            ..Default::default()
        }
        .insert(db)
        .await?;
        n += 1;
    }
    Ok(n)
}

pub async fn deliveries(
    db: &impl ConnectionTrait,
    webhook: i32,
    limit: i32,
    offset: i32,
) -> Result<(Vec<spci_webhook_delivery::Model>, u64), DbErr> {
    let q = spci_webhook_delivery::Entity::find()
        .filter(D::WebhookId.eq(webhook))
        .order_by_desc(D::Id);
    super::page(db, q, limit, offset).await
}

pub async fn delivery(
    db: &impl ConnectionTrait,
    webhook: i32,
    delivery_id: &str,
) -> Result<Option<spci_webhook_delivery::Model>, DbErr> {
    spci_webhook_delivery::Entity::find()
        .filter(D::WebhookId.eq(webhook))
        .filter(D::DeliveryId.eq(delivery_id))
        .one(db)
        .await
}

/// Pending deliveries due at `now` that nobody holds, oldest first.
pub async fn due(
    db: &impl ConnectionTrait,
    now: NaiveDateTime,
    limit: u64,
) -> Result<Vec<spci_webhook_delivery::Model>, DbErr> {
    spci_webhook_delivery::Entity::find()
        .filter(D::State.eq(WebhookDeliveryState::Pending.as_str()))
        .filter(D::NextAttemptAt.lte(now))
        .filter(D::LockedUntil.is_null().or(D::LockedUntil.lt(now)))
        .order_by_asc(D::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Takes delivery `id` for [`CLAIM_SECS`]; false when another sender has it or it is no longer
/// due.
pub async fn claim(db: &impl ConnectionTrait, id: i64, now: NaiveDateTime) -> Result<bool, DbErr> {
    let until = now + chrono::Duration::seconds(CLAIM_SECS);
    Ok(spci_webhook_delivery::Entity::update_many()
        .col_expr(D::LockedUntil, Expr::value(until))
        .filter(D::Id.eq(id))
        .filter(D::State.eq(WebhookDeliveryState::Pending.as_str()))
        .filter(D::NextAttemptAt.lte(now))
        .filter(D::LockedUntil.is_null().or(D::LockedUntil.lt(now)))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// How one attempt went.
pub struct Attempt {
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub delivered: bool,
    /// When to try again; `None` when no attempt is left (or it was delivered).
    pub next: Option<NaiveDateTime>,
}

pub async fn record(db: &impl ConnectionTrait, id: i64, a: Attempt) -> Result<(), DbErr> {
    let now = db_now();
    let state = if a.delivered {
        WebhookDeliveryState::Delivered
    } else if a.next.is_some() {
        WebhookDeliveryState::Pending
    } else {
        WebhookDeliveryState::Failed
    };
    spci_webhook_delivery::Entity::update_many()
        .col_expr(D::Attempts, Expr::col(D::Attempts).add(1))
        .col_expr(D::State, Expr::value(state.as_str()))
        .col_expr(D::LastStatusCode, Expr::value(a.status_code))
        .col_expr(
            D::LastError,
            Expr::value(a.error.map(|e| e.chars().take(500).collect::<String>())),
        )
        .col_expr(D::NextAttemptAt, Expr::value(a.next))
        .col_expr(D::DeliveredAt, Expr::value(a.delivered.then_some(now)))
        .col_expr(D::LockedUntil, Expr::value(Option::<NaiveDateTime>::None))
        .filter(D::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Makes a delivery pending and due now, with a full set of attempts.
pub async fn redeliver(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    spci_webhook_delivery::Entity::update_many()
        .col_expr(
            D::State,
            Expr::value(WebhookDeliveryState::Pending.as_str()),
        )
        .col_expr(D::Attempts, Expr::value(0))
        .col_expr(D::NextAttemptAt, Expr::value(Some(db_now())))
        .col_expr(D::LockedUntil, Expr::value(Option::<NaiveDateTime>::None))
        .filter(D::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
