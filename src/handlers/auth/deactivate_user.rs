//! POST /users/{user_id}/deactivate: by an admin or the account's own user. The name and email
//! are anonymised, the password replaced by the hash of a random one (upstream's legacy page
//! stored it unhashed), the role reset to user, the GitHub link dropped and every token
//! revoked, in one transaction with its audit row; the platform's last admin stays (409).
use crate::api::{
    AuditAction, DeactivateUserInput, DeactivateUserResponse, Role, UserDeactivation,
};
use crate::auth::Principal;
use crate::data::accounts::{admins_locked, revoke_all_tokens, user_locked};
use crate::data::audit::{self, Change};
use crate::data::db_now;
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::domain::accounts::{anonymised, deactivation};
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    req: DeactivateUserInput,
) -> Result<DeactivateUserResponse, ApiError> {
    let target = req.user_id;
    if target != principal.user_id && !principal.is_admin() {
        return Err(DomainError::forbidden("Only an admin may deactivate another account.").into());
    }
    // Hashed before the transaction: it takes a hashing slot for a while and needs no lock.
    let scrambled = state
        .hashing
        .hash(
            crate::auth::token::generate().plaintext,
            state.config.password_format,
        )
        .await?;
    let tx = begin_write(&state.db).await?;
    let admins = admins_locked(&tx).await?;
    let Some(row) = user_locked(&tx, target).await? else {
        return Err(DomainError::not_found("User").into());
    };
    deactivation(target, &admins).map_err(DomainError::from)?;
    let previous = row.email.clone();
    let (name, email) = anonymised(target);
    let mut m = row.into_active_model();
    m.name = Set(Some(name));
    m.email = Set(Some(email));
    m.password = Set(scrambled);
    // A deactivated account holds no role: an anonymised admin would still count as one.
    m.role = Set(Some(Role::User.as_str().to_string()));
    m.github_token = Set(None);
    m.github_login = Set(None);
    m.update(&tx).await?;
    let tokens_revoked = revoke_all_tokens(&tx, target, db_now()).await?;
    audit::record(
        &tx,
        Change {
            actor_id: principal.user_id,
            action: AuditAction::UserDeactivated,
            target: &target.to_string(),
            previous,
            value: Some(format!("{tokens_revoked} tokens revoked")),
        },
    )
    .await?;
    tx.commit().await?;
    state.verified_tokens.forget_all();
    Ok(DeactivateUserResponse::Ok(Json(UserDeactivation {
        user_id: target,
        deactivated: true,
        tokens_revoked: tokens_revoked as i64,
    })))
}
