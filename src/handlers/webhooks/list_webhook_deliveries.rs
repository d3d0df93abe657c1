//! GET /webhooks/{webhook_id}/deliveries: newest first, with their state and last response.
use crate::api::{ListWebhookDeliveriesInput, ListWebhookDeliveriesResponse, WebhookDeliveryPage};
use crate::data::webhooks;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use crate::views::webhooks::delivery;
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: ListWebhookDeliveriesInput,
) -> Result<ListWebhookDeliveriesResponse, ApiError> {
    if webhooks::get(&state.db, req.webhook_id).await?.is_none() {
        return Err(DomainError::not_found("Webhook").into());
    }
    let (rows, total) =
        webhooks::deliveries(&state.db, req.webhook_id, req.limit, req.offset).await?;
    Ok(ListWebhookDeliveriesResponse::Ok(Json(
        WebhookDeliveryPage {
            data: rows.iter().map(delivery).collect(),
            pagination: pagination(req.limit, req.offset, total),
            meta: no_meta(),
        },
    )))
}
