//! GET /users: by id.
use crate::api::{ListUsersInput, ListUsersResponse, PlatformUserPage};
use crate::data::entity::user;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use crate::views::users::platform_user;
use poem_openapi::payload::Json;
use sea_orm::{EntityTrait, QueryOrder};

pub async fn handle(state: &AppState, req: ListUsersInput) -> Result<ListUsersResponse, ApiError> {
    let db = &state.db;
    let (rows, total) = crate::data::page(
        db,
        user::Entity::find().order_by_asc(user::Column::Id),
        req.limit,
        req.offset,
    )
    .await?;
    let data = rows.into_iter().map(platform_user).collect();
    Ok(ListUsersResponse::Ok(Json(PlatformUserPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}
