//! DELETE /system/blocked-users/{user_id}: runs canceled by the block stay canceled.
use crate::api::{
    AuditAction, BlockedUserDeletion, DeleteBlockedUserInput, DeleteBlockedUserResponse,
};
use crate::auth::Principal;
use crate::data::audit::{self, Change};
use crate::data::entity::blocked_users;
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    req: DeleteBlockedUserInput,
) -> Result<DeleteBlockedUserResponse, ApiError> {
    let github_id = req.user_id;
    let tx = begin_write(&state.db).await?;
    let Some(row) = blocked_users::Entity::find_by_id(github_id)
        .one(&tx)
        .await?
    else {
        return Err(DomainError::not_found("Blocked user").into());
    };
    blocked_users::Entity::delete_by_id(github_id)
        .exec(&tx)
        .await?;
    audit::record(
        &tx,
        Change {
            actor_id: principal.user_id,
            action: AuditAction::GithubUserUnblocked,
            target: &github_id.to_string(),
            previous: row.comment,
            value: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(DeleteBlockedUserResponse::Ok(Json(BlockedUserDeletion {
        user_id: github_id,
        deleted: true,
    })))
}
