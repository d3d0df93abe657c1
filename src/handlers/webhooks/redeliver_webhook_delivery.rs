//! POST /webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver: the same delivery (id and
//! body) queued again now, with a full set of attempts.
use crate::api::{RedeliverWebhookDeliveryInput, RedeliverWebhookDeliveryResponse};
use crate::data::webhooks;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::webhooks::delivery;
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: RedeliverWebhookDeliveryInput,
) -> Result<RedeliverWebhookDeliveryResponse, ApiError> {
    let found = webhooks::delivery(&state.db, req.webhook_id, &req.delivery_id).await?;
    let Some(d) = found else {
        return Err(DomainError::not_found("Delivery").into());
    };
    webhooks::redeliver(&state.db, d.id).await?;
    let again = webhooks::delivery(&state.db, req.webhook_id, &req.delivery_id)
        .await?
        .ok_or_else(|| DomainError::not_found("Delivery"))?;
    state.live.send.notify_one();
    Ok(RedeliverWebhookDeliveryResponse::Accepted(Json(delivery(
        &again,
    ))))
}
