//! POST /system/forbidden-extensions: 409 when already forbidden (the primary key settles a
//! race the same way).
use super::forbidden_extensions::normalise;
use crate::api::{
    AuditAction, CreateForbiddenExtensionInput, CreateForbiddenExtensionResponse,
    ForbiddenExtension,
};
use crate::auth::Principal;
use crate::data::audit::{self, Change};
use crate::data::entity::extension_forbidden;
use crate::data::error::unique_violation;
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{EntityTrait, Set};

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    req: CreateForbiddenExtensionInput,
) -> Result<CreateForbiddenExtensionResponse, ApiError> {
    let extension = normalise(&req.body.extension);
    let taken = || {
        DomainError::conflict(format!("The extension {extension:?} is already forbidden."))
            .detail("extension", extension.clone())
    };
    let tx = begin_write(&state.db).await?;
    if extension_forbidden::Entity::find_by_id(extension.clone())
        .one(&tx)
        .await?
        .is_some()
    {
        return Err(taken().into());
    }
    extension_forbidden::Entity::insert(extension_forbidden::ActiveModel {
        extension: Set(extension.clone()),
    })
    .exec_without_returning(&tx)
    .await
    .map_err(unique_violation(taken))?;
    audit::record(
        &tx,
        Change {
            actor_id: principal.user_id,
            action: AuditAction::ExtensionForbidden,
            target: &extension,
            previous: None,
            value: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(CreateForbiddenExtensionResponse::Created(Json(
        ForbiddenExtension { extension },
    )))
}
