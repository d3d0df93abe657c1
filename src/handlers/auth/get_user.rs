//! GET /users/{user_id}.
use crate::api::{GetUserInput, GetUserResponse};
use crate::data::entity::user;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::users::platform_user;
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;

pub async fn handle(state: &AppState, req: GetUserInput) -> Result<GetUserResponse, ApiError> {
    let row = user::Entity::find_by_id(req.user_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| DomainError::not_found("User"))?;
    Ok(GetUserResponse::Ok(Json(platform_user(row))))
}
