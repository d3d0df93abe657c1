//! GET /webhooks: registered endpoints, newest first.
use crate::api::{ListWebhooksInput, ListWebhooksResponse, WebhookPage};
use crate::data::webhooks;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use crate::views::webhooks::webhook;
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: ListWebhooksInput,
) -> Result<ListWebhooksResponse, ApiError> {
    let (rows, total) = webhooks::page(&state.db, req.limit, req.offset).await?;
    Ok(ListWebhooksResponse::Ok(Json(WebhookPage {
        data: rows.iter().map(webhook).collect(),
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}
