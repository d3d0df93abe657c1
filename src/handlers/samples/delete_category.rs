//! DELETE /categories/{category_id}: only an empty category goes.
use super::categories::test_count;
use crate::api::{DeleteCategoryInput, DeleteCategoryResponse, DeletedResource};
use crate::data::entity::category;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;

pub async fn handle(
    state: &AppState,
    req: DeleteCategoryInput,
) -> Result<DeleteCategoryResponse, ApiError> {
    let category_id = req.category_id;
    category::Entity::find_by_id(category_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| DomainError::not_found("Category"))?;
    let n = test_count(&state.db, category_id).await?;
    if n > 0 {
        return Err(DomainError::conflict(format!(
            "The category still has {n} regression tests; move or delete them first."
        ))
        .detail("test_count", n)
        .into());
    }
    let gone = category::Entity::delete_by_id(category_id)
        .exec(&state.db)
        .await?
        .rows_affected;
    if gone == 0 {
        // Deleted by someone else since we looked.
        return Err(DomainError::not_found("Category").into());
    }
    Ok(DeleteCategoryResponse::Ok(Json(DeletedResource {
        id: category_id,
        deleted: true,
    })))
}
