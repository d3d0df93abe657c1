//! PATCH /categories/{category_id}: rename or describe; a name another category holds is 409.
use super::categories::{name_used, or_taken, taken, test_count};
use crate::api::{UpdateCategoryInput, UpdateCategoryResponse};
use crate::data::entity::category;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::categories::category as category_view;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

pub async fn handle(
    state: &AppState,
    req: UpdateCategoryInput,
) -> Result<UpdateCategoryResponse, ApiError> {
    let body = req.body;
    if body.name.is_none() && body.description.is_none() {
        return Err(DomainError::invalid("Send a name, a description or both.").into());
    }
    let found = category::Entity::find_by_id(req.category_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| DomainError::not_found("Category"))?;
    if let Some(name) = &body.name
        && name_used(&state.db, name, Some(found.id)).await?
    {
        return Err(taken(name).into());
    }
    let mut row: category::ActiveModel = found.into();
    if let Some(name) = &body.name {
        row.name = Set(Some(name.clone()));
    }
    if let Some(d) = body.description {
        row.description = Set(d);
    }
    let name = body.name.unwrap_or_default();
    let updated = row.update(&state.db).await.map_err(or_taken(&name))?;
    let n = test_count(&state.db, updated.id).await?;
    Ok(UpdateCategoryResponse::Ok(Json(category_view(updated, n))))
}
