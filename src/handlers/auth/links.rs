//! The mailed links the account operations share: building them, and the clock they expire by.
use crate::data::entity::user;
use crate::domain::links::{LINK_LIFETIME_SECS, reset_mac};
use crate::mail::{Outgoing, messages};
use crate::state::AppState;

pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A reset link for `u`, signed over its current password hash (so it works once).
pub fn reset_message(state: &AppState, u: &user::Model) -> Outgoing {
    let expires = now_secs() + LINK_LIFETIME_SECS;
    let mac = reset_mac(&state.config.link_key_bytes(), u.id, expires, &u.password);
    messages::reset_link(
        &state.config.web_url,
        u.email.as_deref().unwrap_or_default(),
        u.name.as_deref().unwrap_or_default(),
        u.id,
        expires,
        &mac,
    )
}
