//! POST /auth/password-reset (public): mails a reset link, or a note that no account has the
//! address; one lookup, one outbox row and the same 202 either way.
use super::links::reset_message;
use crate::api::{MailSent, RequestPasswordResetInput, RequestPasswordResetResponse};
use crate::data::{accounts::by_email, outbox};
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::mail::messages;
use crate::state::AppState;
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: RequestPasswordResetInput,
) -> Result<RequestPasswordResetResponse, ApiError> {
    if !state.config.password_reset {
        return Err(DomainError::unavailable("Password reset is disabled on this server.").into());
    }
    let email = req.body.email.0;
    let message = match by_email(&state.db, &email).await? {
        Some(u) => reset_message(state, &u),
        None => messages::reset_unknown(&state.config.web_url, &email),
    };
    outbox::enqueue(&state.db, message).await?;
    state.mailer.wake.notify_one();
    Ok(RequestPasswordResetResponse::Accepted(Json(MailSent {
        sent: true,
    })))
}
