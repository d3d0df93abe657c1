//! DELETE /auth/tokens/{token_id}. Owners revoke their own tokens, admins anyone's; another
//! user's token is a 404 exactly like a missing one (no enumeration).
use super::tokens::revoke;
use crate::api::{RevokeTokenInput, RevokeTokenResponse};
use crate::auth::Principal;
use crate::data::entity::api_token;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use sea_orm::EntityTrait;

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: RevokeTokenInput,
) -> Result<RevokeTokenResponse, ApiError> {
    let token = api_token::Entity::find_by_id(req.token_id)
        .one(&state.db)
        .await?;
    match token {
        Some(t) if t.user_id == p.user_id || p.is_admin() => {
            revoke(&state.db, t.id).await?;
            Ok(RevokeTokenResponse::NoContent)
        }
        _ => Err(DomainError::not_found("Token").into()),
    }
}
