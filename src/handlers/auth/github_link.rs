//! What the three GitHub connection operations share: where GitHub sends the browser back, and
//! the connection state of an account.
use crate::data::entity::user;
use crate::http::API_PREFIX;
use crate::state::AppState;

pub fn callback_url(state: &AppState) -> String {
    format!(
        "{}{API_PREFIX}/auth/github/callback",
        state.config.public_base()
    )
}

/// The stored login, when the account is connected.
pub fn linked_login(u: &user::Model) -> Option<String> {
    u.github_login.clone().filter(|l| !l.trim().is_empty())
}

pub fn is_linked(u: &user::Model) -> bool {
    linked_login(u).is_some() || u.github_token.as_deref().is_some_and(|t| !t.is_empty())
}
