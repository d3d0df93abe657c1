//! Webhook endpoints and deliveries on the wire (never the secret).
use crate::api::{Webhook, WebhookDelivery, WebhookDeliveryState, WebhookEvent};
use crate::data::entity::{spci_webhook, spci_webhook_delivery};
use crate::data::webhooks::events_of;
use crate::types::UtcDateTime;

pub fn webhook(h: &spci_webhook::Model) -> Webhook {
    Webhook {
        id: h.id,
        url: h.url.clone(),
        events: events_of(h),
        description: h.description.clone(),
        created_by: h.created_by,
        created_at: UtcDateTime::from_naive_utc(h.created_at),
    }
}

pub fn delivery(d: &spci_webhook_delivery::Model) -> WebhookDelivery {
    WebhookDelivery {
        id: d.delivery_id.clone(),
        webhook_id: d.webhook_id,
        event: WebhookEvent::parse(&d.event).unwrap_or(WebhookEvent::RunStatusChanged),
        state: WebhookDeliveryState::parse(&d.state).unwrap_or(WebhookDeliveryState::Pending),
        attempts: d.attempts,
        last_status_code: d.last_status_code,
        last_error: d.last_error.clone(),
        created_at: UtcDateTime::from_naive_utc(d.created_at),
        next_attempt_at: d.next_attempt_at.map(UtcDateTime::from_naive_utc),
        delivered_at: d.delivered_at.map(UtcDateTime::from_naive_utc),
    }
}
