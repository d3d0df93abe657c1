//! GET /auth/tokens: the caller's tokens (every user's with `all=true`, admins only — the spec
//! restricts the operation to admins). Metadata and when each was last used (to the minute),
//! never a secret or digest.
use crate::api::{ApiTokenItem, ApiTokenPage, ListTokensInput, ListTokensResponse};
use crate::auth::{Principal, token_scopes};
use crate::data::entity::api_token;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::types::UtcDateTime;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: ListTokensInput,
) -> Result<ListTokensResponse, ApiError> {
    let mut q = api_token::Entity::find();
    if !(req.all && p.is_admin()) {
        q = q.filter(api_token::Column::UserId.eq(p.user_id));
    }
    let q = q.order_by_desc(api_token::Column::Id);
    let (rows, total) = crate::data::page(&state.db, q, req.limit, req.offset).await?;
    let ids: Vec<i32> = rows.iter().map(|t| t.id).collect();
    let used = crate::data::token_use::last_used(&state.db, &ids).await?;
    let data = rows
        .into_iter()
        .map(|t| {
            let last_used_at = used.get(&t.id).copied();
            item(t, last_used_at)
        })
        .collect();
    Ok(ListTokensResponse::Ok(Json(ApiTokenPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}

fn item(t: api_token::Model, last_used_at: Option<chrono::NaiveDateTime>) -> ApiTokenItem {
    ApiTokenItem {
        last_used_at: last_used_at.map(UtcDateTime::from_naive_utc),
        id: t.id,
        user_id: t.user_id,
        token_name: t.token_name,
        scopes: token_scopes(&t.scopes_json),
        created_at: UtcDateTime::from_naive_utc(t.created_at),
        expires_at: UtcDateTime::from_naive_utc(t.expires_at),
        is_revoked: t.revoked_at.is_some(),
        revoked_at: t.revoked_at.map(UtcDateTime::from_naive_utc),
    }
}
