//! DELETE /auth/tokens/current and /auth/tokens/{token_id}. Owners revoke their own tokens,
//! admins anyone's; another user's token is a 404 exactly like a missing one (no enumeration).
//! Revoking is idempotent and atomic: one conditional UPDATE.
use crate::app::AppState;
use crate::auth::Principal;
use crate::db::entity::api_token;
use crate::error::{ApiError, ErrorResponse};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub trait NoContent: ErrorResponse {
    fn no_content() -> Self;
}

impl NoContent for crate::api::RevokeTokenResponse {
    fn no_content() -> Self {
        Self::NoContent
    }
}

impl NoContent for crate::api::RevokeCurrentTokenResponse {
    fn no_content() -> Self {
        Self::NoContent
    }
}

async fn revoke(state: &AppState, token_id: i32) -> Result<(), ApiError> {
    let now = chrono::Utc::now().naive_utc();
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(token_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&state.db)
        .await?;
    Ok(())
}

pub async fn current<R: NoContent>(state: &AppState, p: &Principal) -> Result<R, ApiError> {
    revoke(state, p.token_id).await?;
    Ok(R::no_content())
}

pub async fn by_id<R: NoContent>(
    state: &AppState,
    p: &Principal,
    token_id: i32,
) -> Result<R, ApiError> {
    let token = api_token::Entity::find_by_id(token_id)
        .one(&state.db)
        .await?;
    match token {
        Some(t) if t.user_id == p.user_id || p.is_admin() => {
            revoke(state, t.id).await?;
            Ok(R::no_content())
        }
        _ => Err(ApiError::not_found("Token")),
    }
}
