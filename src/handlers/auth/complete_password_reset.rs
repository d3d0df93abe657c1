//! POST /auth/password-reset/complete (public): a valid link sets the password and revokes
//! every token of the account, in one transaction. The link is signed over the password hash
//! it was issued for, and checked again under the row's lock, so of two uses of one link
//! (one after the other, or at once) exactly one succeeds.
use super::links::now_secs;
use crate::api::{
    CompletePasswordResetInput, CompletePasswordResetResponse, PasswordResetCompletion,
};
use crate::data::accounts::{revoke_all_tokens, user_locked};
use crate::data::entity::user;
use crate::data::writer::begin_write;
use crate::data::{db_now, outbox};
use crate::domain::DomainError;
use crate::domain::links::reset_valid;
use crate::http::error::ApiError;
use crate::mail::messages;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

pub async fn handle(
    state: &AppState,
    req: CompletePasswordResetInput,
) -> Result<CompletePasswordResetResponse, ApiError> {
    let body = req.body;
    let key = state.config.link_key_bytes();
    let valid =
        |u: &user::Model| reset_valid(&key, u.id, body.expires, &u.password, &body.mac, now_secs());
    // Checked before hashing, so a forged link costs no hashing slot.
    let found = user::Entity::find_by_id(body.user_id)
        .one(&state.db)
        .await?;
    if !found.as_ref().is_some_and(valid) {
        return Err(DomainError::invalid_link().into());
    }
    let hashed = state
        .hashing
        .hash(body.password.clone(), state.config.password_format)
        .await?;
    let tx = begin_write(&state.db).await?;
    let Some(row) = user_locked(&tx, body.user_id).await?.filter(valid) else {
        return Err(DomainError::invalid_link().into());
    };
    let notice = messages::password_changed(
        row.email.as_deref().unwrap_or_default(),
        row.name.as_deref().unwrap_or_default(),
    );
    let mut m = row.into_active_model();
    m.password = Set(hashed);
    m.update(&tx).await?;
    revoke_all_tokens(&tx, body.user_id, db_now()).await?;
    outbox::enqueue(&tx, notice).await?;
    tx.commit().await?;
    state.verified_tokens.forget_all();
    state.mailer.wake.notify_one();
    Ok(CompletePasswordResetResponse::Ok(Json(
        PasswordResetCompletion {
            user_id: body.user_id,
            password_changed: true,
        },
    )))
}
