//! The audit trail of administrative changes. A change and its row are written in one
//! transaction (callers pass theirs), so the log cannot miss a change that happened.
use crate::api::AuditAction;
use crate::data::db_now;
use crate::data::entity::spci_audit_log;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

/// One change: who made it, what kind, what it touched, the value it replaced and the one it set.
pub struct Change<'a> {
    pub actor_id: i32,
    pub action: AuditAction,
    pub target: &'a str,
    pub previous: Option<String>,
    pub value: Option<String>,
}

pub async fn record(db: &impl ConnectionTrait, change: Change<'_>) -> Result<(), DbErr> {
    spci_audit_log::ActiveModel {
        at: Set(db_now()),
        actor_id: Set(change.actor_id),
        action: Set(change.action.as_str().to_string()),
        target: Set(change.target.chars().take(255).collect()),
        previous: Set(change.previous),
        value: Set(change.value),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}
