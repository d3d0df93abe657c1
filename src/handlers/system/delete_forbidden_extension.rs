//! DELETE /system/forbidden-extensions/{extension}: a leading dot and case are ignored.
use super::forbidden_extensions::normalise;
use crate::api::{
    AuditAction, DeleteForbiddenExtensionInput, DeleteForbiddenExtensionResponse,
    ForbiddenExtensionDeletion,
};
use crate::auth::Principal;
use crate::data::audit::{self, Change};
use crate::data::entity::extension_forbidden;
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    req: DeleteForbiddenExtensionInput,
) -> Result<DeleteForbiddenExtensionResponse, ApiError> {
    let extension = normalise(&req.extension);
    let tx = begin_write(&state.db).await?;
    let gone = extension_forbidden::Entity::delete_by_id(extension.clone())
        .exec(&tx)
        .await?
        .rows_affected;
    if gone == 0 {
        return Err(DomainError::not_found("Forbidden extension").into());
    }
    audit::record(
        &tx,
        Change {
            actor_id: principal.user_id,
            action: AuditAction::ExtensionAllowed,
            target: &extension,
            previous: None,
            value: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(DeleteForbiddenExtensionResponse::Ok(Json(
        ForbiddenExtensionDeletion {
            extension,
            deleted: true,
        },
    )))
}
