//! DELETE /webhooks/{webhook_id}: the endpoint and its undelivered deliveries go.
use crate::api::{AuditAction, DeleteWebhookInput, DeleteWebhookResponse};
use crate::auth::Principal;
use crate::data::audit::{self, Change};
use crate::data::webhooks;
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: DeleteWebhookInput,
) -> Result<DeleteWebhookResponse, ApiError> {
    let tx = begin_write(&state.db).await?;
    let Some(row) = webhooks::get(&tx, req.webhook_id).await? else {
        return Err(DomainError::not_found("Webhook").into());
    };
    webhooks::delete(&tx, row.id).await?;
    audit::record(
        &tx,
        Change {
            actor_id: p.user_id,
            action: AuditAction::WebhookDeleted,
            target: &row.id.to_string(),
            previous: Some(row.url),
            value: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(DeleteWebhookResponse::NoContent)
}
