//! GET /system/blocked-users: by GitHub id.
use crate::api::{BlockedUser, BlockedUserPage, ListBlockedUsersInput, ListBlockedUsersResponse};
use crate::data::entity::blocked_users;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::{EntityTrait, QueryOrder};

pub async fn handle(
    state: &AppState,
    req: ListBlockedUsersInput,
) -> Result<ListBlockedUsersResponse, ApiError> {
    let db = &state.db;
    let (rows, total) = crate::data::page(
        db,
        blocked_users::Entity::find().order_by_asc(blocked_users::Column::UserId),
        req.limit,
        req.offset,
    )
    .await?;
    let data = rows
        .into_iter()
        .map(|b| BlockedUser {
            user_id: b.user_id,
            comment: b.comment.unwrap_or_default(),
        })
        .collect();
    Ok(ListBlockedUsersResponse::Ok(Json(BlockedUserPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}
