//! GET /auth/tokens: the caller's tokens (every user's with `all=true`, admins only — the spec
//! restricts the operation to admins). Metadata only, never a secret or digest.
use crate::api::{ApiTokenItem, ApiTokenPage, ListTokensInput, ListTokensResponse};
use crate::auth::{Principal, token_scopes};
use crate::data::entity::api_token;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::types::UtcDateTime;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: ListTokensInput,
) -> Result<ListTokensResponse, ApiError> {
    let mut q = api_token::Entity::find();
    if !(req.all && p.is_admin()) {
        q = q.filter(api_token::Column::UserId.eq(p.user_id));
    }
    let total = q.clone().count(&state.db).await?;
    let rows = q
        .order_by_desc(api_token::Column::Id)
        .offset(req.offset as u64)
        .limit(req.limit as u64)
        .all(&state.db)
        .await?;
    let data = rows.into_iter().map(item).collect();
    Ok(ListTokensResponse::Ok(Json(ApiTokenPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}

fn item(t: api_token::Model) -> ApiTokenItem {
    ApiTokenItem {
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
