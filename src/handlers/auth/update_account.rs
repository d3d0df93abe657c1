//! PATCH /auth/me: the caller's name, email or password. Changing the email or the password
//! takes the current password (checked like a login, and throttled per account like one); a
//! new password revokes the account's other tokens; both changes are mailed to the addresses
//! concerned. A name or an email taken is a 409 (the unique indexes decide).
use crate::api::{UpdateAccountInput, UpdateAccountResponse};
use crate::auth::{Principal, password::Verdict};
use crate::data::accounts::{revoke_tokens, user_locked};
use crate::data::entity::user;
use crate::data::error::unique_violation;
use crate::data::writer::begin_write;
use crate::data::{db_now, outbox};
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::mail::messages;
use crate::state::AppState;
use crate::views::users::platform_user;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    req: UpdateAccountInput,
) -> Result<UpdateAccountResponse, ApiError> {
    let body = req.body;
    let Some(current) = user::Entity::find_by_id(principal.user_id)
        .one(&state.db)
        .await?
    else {
        return Err(DomainError::account_gone().into());
    };
    let new_email = body.email.map(|e| e.0);
    if new_email.is_some() || body.new_password.is_some() {
        check_current_password(state, &current, body.current_password).await?;
    }
    let hashed = match body.new_password {
        Some(p) => Some(state.hashing.hash(p, state.config.password_format).await?),
        None => None,
    };
    let tx = begin_write(&state.db).await?;
    let Some(row) = user_locked(&tx, principal.user_id).await? else {
        return Err(DomainError::account_gone().into());
    };
    let old_email = row.email.clone().unwrap_or_default();
    let mut m = row.into_active_model();
    if let Some(name) = &body.name {
        m.name = Set(Some(name.clone()));
    }
    let email_changed = new_email.as_ref().is_some_and(|e| *e != old_email);
    if let Some(e) = new_email.as_ref().filter(|_| email_changed) {
        m.email = Set(Some(e.clone()));
    }
    let password_changed = hashed.is_some();
    if let Some(h) = hashed {
        m.password = Set(h);
    }
    let taken = || DomainError::conflict("That name or email is taken by another account.");
    let updated = m.update(&tx).await.map_err(unique_violation(taken))?;
    let name = updated.name.clone().unwrap_or_default();
    let email = updated.email.clone().unwrap_or_default();
    if email_changed {
        for to in [&old_email, &email] {
            outbox::enqueue(&tx, messages::email_changed(to, &name, &email)).await?;
        }
    }
    if password_changed {
        revoke_tokens(&tx, principal.user_id, Some(principal.token_id), db_now()).await?;
        let mut to = vec![&email];
        if email_changed {
            to.push(&old_email);
        }
        for to in to {
            outbox::enqueue(&tx, messages::password_changed(to, &name)).await?;
        }
    }
    tx.commit().await?;
    state.verified_tokens.forget_all();
    state.mailer.wake.notify_one();
    Ok(UpdateAccountResponse::Ok(Json(platform_user(updated))))
}

/// The current password, verified in the hashing pool and throttled per account as a login is:
/// a stolen token must not become a way to guess the password.
async fn check_current_password(
    state: &AppState,
    u: &user::Model,
    given: Option<String>,
) -> Result<(), ApiError> {
    let wrong = || DomainError::forbidden("current_password is missing or wrong.");
    let Some(given) = given else {
        return Err(wrong().into());
    };
    let key = u.email.clone().unwrap_or_else(|| u.id.to_string());
    let throttle = &state.login_throttle;
    if let Some(retry) = throttle.wait(&key) {
        return Err(ApiError::rate_limited(
            retry,
            throttle.limit,
            throttle.window.as_secs(),
        ));
    }
    let verdict = state
        .hashing
        .verify(
            given,
            Some(u.password.clone()),
            state.config.password_format,
        )
        .await?;
    match verdict {
        Verdict::Match | Verdict::MatchNeedsRehash => Ok(()),
        _ => {
            throttle.failed(&key);
            Err(wrong().into())
        }
    }
}
