//! POST /categories.
use super::categories::{name_used, or_taken, taken};
use crate::api::{CreateCategoryInput, CreateCategoryResponse};
use crate::data::entity::category;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::categories::category as category_view;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, Set};

pub async fn handle(
    state: &AppState,
    req: CreateCategoryInput,
) -> Result<CreateCategoryResponse, ApiError> {
    let body = req.body;
    if name_used(&state.db, &body.name, None).await? {
        return Err(taken(&body.name).into());
    }
    let created = category::ActiveModel {
        name: Set(Some(body.name.clone())),
        description: Set(body.description.unwrap_or_default()),
        ..Default::default()
    }
    .insert(&state.db)
    .await
    .map_err(or_taken(&body.name))?;
    Ok(CreateCategoryResponse::Created(Json(category_view(
        created, 0,
    ))))
}
