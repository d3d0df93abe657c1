//! POST /auth/signup (public): mails a sign-up link, or a note that the address already has an
//! account. Either way one lookup and one outbox row, and the same 202, so the answer and its
//! time tell nothing about which addresses are registered.
use super::links::now_secs;
use crate::api::{MailSent, SignupInput, SignupResponse};
use crate::data::{accounts::by_email, outbox};
use crate::domain::DomainError;
use crate::domain::links::{LINK_LIFETIME_SECS, signup_mac};
use crate::http::error::ApiError;
use crate::mail::messages;
use crate::state::AppState;
use poem_openapi::payload::Json;

pub async fn handle(state: &AppState, req: SignupInput) -> Result<SignupResponse, ApiError> {
    if !state.config.signup {
        return Err(DomainError::unavailable("Sign-up is disabled on this server.").into());
    }
    let email = req.body.email.0;
    let web = &state.config.web_url;
    let message = match by_email(&state.db, &email).await? {
        None => {
            let expires = now_secs() + LINK_LIFETIME_SECS;
            let mac = signup_mac(&state.config.link_key_bytes(), &email, expires);
            messages::signup_link(web, &email, expires, &mac)
        }
        Some(u) => messages::already_registered(web, &email, u.name.as_deref().unwrap_or_default()),
    };
    outbox::enqueue(&state.db, message).await?;
    state.mailer.wake.notify_one();
    Ok(SignupResponse::Accepted(Json(MailSent { sent: true })))
}
