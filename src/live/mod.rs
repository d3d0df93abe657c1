//! What happens while runs run: the event recorder (upstream's and spci's changes into the
//! event log, with the webhook deliveries they cause), the hub that hands new events to this
//! replica's open streams, and the webhook sender.
//!
//! ```text
//! test_progress / test_result / approvals ──recorder──▶ spci_event + spci_webhook_delivery
//!                                                          │                 │
//!                                                        hub              sender ──▶ receivers
//!                                                          │
//!                                             GET /runs/{id}/events, /logs/stream
//! ```
pub mod follow;
pub mod hub;
pub mod recorder;
pub mod sender;

use std::sync::Arc;
use tokio::sync::Notify;

/// The live parts of the application state.
pub struct Live {
    pub hub: hub::Hub,
    /// Wakes the recorder: spci changed something a stream or webhook should hear of now.
    pub record: Arc<Notify>,
    /// Wakes the webhook sender: deliveries were queued.
    pub send: Arc<Notify>,
    pub sender: sender::Sender,
    pub recorder: recorder::Recorder,
}

impl Live {
    pub fn new(config: &crate::config::Config) -> Result<Self, String> {
        Ok(Self {
            hub: hub::Hub::new(config.streams_per_token, config.streams_max),
            record: Arc::default(),
            send: Arc::default(),
            sender: sender::Sender::new(config)?,
            recorder: recorder::Recorder::default(),
        })
    }

    /// Something spci wrote should be recorded soon (a run created, canceled, restarted, a
    /// baseline approved).
    pub fn changed(&self) {
        self.record.notify_one();
    }
}
