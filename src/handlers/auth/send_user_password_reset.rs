//! POST /users/{user_id}/password-reset: an admin, or the account's own user, mails the account
//! a reset link. An admin's request for someone else is audited.
use super::links::reset_message;
use crate::api::{
    AuditAction, SendUserPasswordResetInput, SendUserPasswordResetResponse,
    UserPasswordResetDispatch,
};
use crate::auth::Principal;
use crate::data::audit::{self, Change};
use crate::data::entity::user;
use crate::data::outbox;
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    req: SendUserPasswordResetInput,
) -> Result<SendUserPasswordResetResponse, ApiError> {
    let target = req.user_id;
    let own = target == principal.user_id;
    if !own && !principal.is_admin() {
        return Err(
            DomainError::forbidden("Only an admin may send another user a reset link.").into(),
        );
    }
    let Some(u) = user::Entity::find_by_id(target).one(&state.db).await? else {
        return Err(DomainError::not_found("User").into());
    };
    // Upstream allows an account without an address; there is nowhere to send a link.
    let sent = u.email.as_deref().is_some_and(|e| !e.is_empty());
    let tx = begin_write(&state.db).await?;
    if sent {
        outbox::enqueue(&tx, reset_message(state, &u)).await?;
    }
    if !own {
        audit::record(
            &tx,
            Change {
                actor_id: principal.user_id,
                action: AuditAction::ResetLinkSent,
                target: &target.to_string(),
                previous: None,
                value: u.email.clone(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(SendUserPasswordResetResponse::Accepted(Json(
        UserPasswordResetDispatch {
            user_id: target,
            sent,
        },
    )))
}
