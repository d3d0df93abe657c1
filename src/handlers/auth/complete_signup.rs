//! POST /auth/signup/complete (public): a valid sign-up link creates the account, role user.
//! The link names the address, so only its owner can complete it; an address or a name taken
//! meanwhile is a 409 (the unique indexes decide, whatever races).
use super::links::now_secs;
use crate::api::{CompleteSignupInput, CompleteSignupResponse, Role};
use crate::data::entity::user;
use crate::data::error::unique_violation;
use crate::data::writer::begin_write;
use crate::data::{accounts::by_email, outbox};
use crate::domain::DomainError;
use crate::domain::links::signup_valid;
use crate::http::error::ApiError;
use crate::mail::messages;
use crate::state::AppState;
use crate::views::users::platform_user;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, Set};

pub async fn handle(
    state: &AppState,
    req: CompleteSignupInput,
) -> Result<CompleteSignupResponse, ApiError> {
    let body = req.body;
    let email = body.email.0.clone();
    let key = state.config.link_key_bytes();
    if !signup_valid(&key, &email, body.expires, &body.mac, now_secs()) {
        return Err(DomainError::invalid_link().into());
    }
    let taken = || DomainError::conflict("An account with this email or name exists already.");
    if by_email(&state.db, &email).await?.is_some() {
        return Err(taken().into());
    }
    let hashed = state
        .hashing
        .hash(body.password.clone(), state.config.password_format)
        .await?;
    let tx = begin_write(&state.db).await?;
    let created = user::ActiveModel {
        name: Set(Some(body.name.clone())),
        email: Set(Some(email.clone())),
        password: Set(hashed),
        role: Set(Some(Role::User.as_str().to_string())),
        ..Default::default()
    }
    .insert(&tx)
    .await
    .map_err(unique_violation(taken))?;
    outbox::enqueue(&tx, messages::welcome(&email, &body.name)).await?;
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(CompleteSignupResponse::Created(Json(platform_user(
        created,
    ))))
}
