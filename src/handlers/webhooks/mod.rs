//! `Webhooks`: endpoints that receive signed deliveries of run and baseline events, and their
//! deliveries (see `live::sender` for how they are sent).
mod create_webhook;
mod delete_webhook;
mod list_webhook_deliveries;
mod list_webhooks;
mod redeliver_webhook_delivery;

use crate::api::*;
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

impl WebhooksApi for AppState {
    async fn list_webhooks(
        &self,
        _p: &Principal,
        req: ListWebhooksInput,
    ) -> Result<ListWebhooksResponse, ApiError> {
        list_webhooks::handle(self, req).await
    }
    async fn create_webhook(
        &self,
        p: &Principal,
        req: CreateWebhookInput,
    ) -> Result<CreateWebhookResponse, ApiError> {
        create_webhook::handle(self, p, req).await
    }
    async fn delete_webhook(
        &self,
        p: &Principal,
        req: DeleteWebhookInput,
    ) -> Result<DeleteWebhookResponse, ApiError> {
        delete_webhook::handle(self, p, req).await
    }
    async fn list_webhook_deliveries(
        &self,
        _p: &Principal,
        req: ListWebhookDeliveriesInput,
    ) -> Result<ListWebhookDeliveriesResponse, ApiError> {
        list_webhook_deliveries::handle(self, req).await
    }
    async fn redeliver_webhook_delivery(
        &self,
        _p: &Principal,
        req: RedeliverWebhookDeliveryInput,
    ) -> Result<RedeliverWebhookDeliveryResponse, ApiError> {
        redeliver_webhook_delivery::handle(self, req).await
    }
}
