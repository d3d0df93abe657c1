//! GET /audit-log: newest first, filtered by actor, kind and time.
use crate::api::{
    AuditAction, AuditEntry, AuditEntryPage, ListAuditLogInput, ListAuditLogResponse,
};
use crate::data::entity::spci_audit_log;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::types::UtcDateTime;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

pub async fn handle(
    state: &AppState,
    req: ListAuditLogInput,
) -> Result<ListAuditLogResponse, ApiError> {
    let db = &state.db;
    let mut q = spci_audit_log::Entity::find();
    if let Some(actor) = req.actor_id {
        q = q.filter(spci_audit_log::Column::ActorId.eq(actor));
    }
    if let Some(action) = req.action {
        q = q.filter(spci_audit_log::Column::Action.eq(action.as_str()));
    }
    if let Some(since) = &req.since {
        q = q.filter(spci_audit_log::Column::At.gte(since.naive_utc()));
    }
    if let Some(until) = &req.until {
        q = q.filter(spci_audit_log::Column::At.lte(until.naive_utc()));
    }
    let (rows, total) = crate::data::page(
        db,
        q.order_by_desc(spci_audit_log::Column::Id),
        req.limit,
        req.offset,
    )
    .await?;
    let data = rows
        .into_iter()
        // A kind this build does not know (written by a newer replica) is left out rather than
        // shown as something it is not.
        .filter_map(|r| {
            Some(AuditEntry {
                id: r.id,
                at: UtcDateTime::from_naive_utc(r.at),
                actor_id: r.actor_id,
                action: AuditAction::parse(&r.action)?,
                target: r.target,
                previous: r.previous,
                value: r.value,
            })
        })
        .collect();
    Ok(ListAuditLogResponse::Ok(Json(AuditEntryPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}
