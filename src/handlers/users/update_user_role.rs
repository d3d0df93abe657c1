//! PATCH /users/{user_id}: the role, under the lock on the admins (the platform keeps one).
use crate::api::{AuditAction, UpdateUserRoleInput, UpdateUserRoleResponse};
use crate::auth::Principal;
use crate::data::accounts::{admins_locked, user_locked};
use crate::data::audit::{self, Change};
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::domain::accounts::role_change;
use crate::domain::scopes::role_of;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::users::platform_user;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    req: UpdateUserRoleInput,
) -> Result<UpdateUserRoleResponse, ApiError> {
    let (target, new) = (req.user_id, req.body.role);
    let tx = begin_write(&state.db).await?;
    let admins = admins_locked(&tx).await?;
    let Some(row) = user_locked(&tx, target).await? else {
        return Err(DomainError::not_found("User").into());
    };
    let current = role_of(row.role.as_deref());
    role_change(principal.user_id, target, current, new, &admins).map_err(DomainError::from)?;
    let updated = if current == new {
        row
    } else {
        let mut m = row.into_active_model();
        m.role = Set(Some(new.as_str().to_string()));
        let updated = m.update(&tx).await?;
        audit::record(
            &tx,
            Change {
                actor_id: principal.user_id,
                action: AuditAction::RoleChanged,
                target: &target.to_string(),
                previous: Some(current.as_str().to_string()),
                value: Some(new.as_str().to_string()),
            },
        )
        .await?;
        updated
    };
    tx.commit().await?;
    state.verified_tokens.forget_all();
    Ok(UpdateUserRoleResponse::Ok(Json(platform_user(updated))))
}
