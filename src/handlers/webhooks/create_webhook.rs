//! POST /webhooks: registers an endpoint after checking its URL and addresses; the secret is
//! answered once and never again.
use crate::api::{AuditAction, CreateWebhookInput, CreateWebhookResponse, WebhookCreated};
use crate::auth::Principal;
use crate::data::audit::{self, Change};
use crate::data::webhooks;
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::webhooks::webhook;
use poem_openapi::payload::Json;
use rand::RngCore;

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: CreateWebhookInput,
) -> Result<CreateWebhookResponse, ApiError> {
    let body = req.body;
    state
        .live
        .sender
        .check_target(&body.url)
        .await
        .map_err(|why| {
            DomainError::unprocessable(format!("The URL is refused: {why}.")).detail("field", "url")
        })?;
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let secret = hex::encode(key);
    let tx = begin_write(&state.db).await?;
    let row = webhooks::create(
        &tx,
        &body.url,
        &secret,
        &body.events,
        body.description.as_deref().unwrap_or(""),
        p.user_id,
    )
    .await?;
    audit::record(
        &tx,
        Change {
            actor_id: p.user_id,
            action: AuditAction::WebhookCreated,
            target: &row.id.to_string(),
            previous: None,
            value: Some(row.url.clone()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(CreateWebhookResponse::Created(Json(WebhookCreated {
        webhook: webhook(&row),
        secret,
    })))
}
