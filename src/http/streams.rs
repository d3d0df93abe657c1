//! What the two event-stream operations share at the HTTP edge: the caller's place among the
//! open streams (429 beyond the limits) and the heartbeat.
use crate::auth::Principal;
use crate::domain::{DomainError, ErrorKind};
use crate::http::error::ApiError;
use crate::live::hub::{Full, Slot};
use crate::state::AppState;
use std::time::Duration;

pub fn open_slot(state: &AppState, p: &Principal) -> Result<Slot, ApiError> {
    state.live.hub.open(p.token_id).map_err(|full| {
        let (message, limit) = match full {
            Full::Token(n) => ("This token has as many event streams open as it may.", n),
            Full::Server(n) => ("The server has as many event streams open as it may.", n),
        };
        DomainError::new(ErrorKind::TooManyStreams, message)
            .detail("limit", limit)
            .into()
    })
}

pub fn heartbeat(state: &AppState) -> Duration {
    Duration::from_secs(state.config.stream_heartbeat)
}
