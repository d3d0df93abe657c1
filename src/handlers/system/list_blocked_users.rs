//! GET /system/blocked-users: by GitHub id.
use crate::api::{BlockedUser, BlockedUserPage, ListBlockedUsersInput, ListBlockedUsersResponse};
use crate::data::entity::blocked_users;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::{EntityTrait, QueryOrder, QuerySelect};

pub async fn handle(
    state: &AppState,
    req: ListBlockedUsersInput,
) -> Result<ListBlockedUsersResponse, ApiError> {
    let db = &state.db;
    let total = crate::data::count(db, blocked_users::Entity::find()).await?;
    let data = blocked_users::Entity::find()
        .order_by_asc(blocked_users::Column::UserId)
        .offset(req.offset as u64)
        .limit(req.limit as u64)
        .all(db)
        .await?
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
