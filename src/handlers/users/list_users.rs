//! GET /users: by id.
use crate::api::{ListUsersInput, ListUsersResponse, PlatformUserPage};
use crate::data::entity::user;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use crate::views::users::platform_user;
use poem_openapi::payload::Json;
use sea_orm::{EntityTrait, QueryOrder, QuerySelect};

pub async fn handle(state: &AppState, req: ListUsersInput) -> Result<ListUsersResponse, ApiError> {
    let db = &state.db;
    let total = crate::data::count(db, user::Entity::find()).await?;
    let data = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .offset(req.offset as u64)
        .limit(req.limit as u64)
        .all(db)
        .await?
        .into_iter()
        .map(platform_user)
        .collect();
    Ok(ListUsersResponse::Ok(Json(PlatformUserPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}
