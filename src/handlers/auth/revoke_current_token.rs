//! DELETE /auth/tokens/current: the caller's own token, at once.
use super::tokens::revoke;
use crate::api::{RevokeCurrentTokenInput, RevokeCurrentTokenResponse};
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

pub async fn handle(
    state: &AppState,
    p: &Principal,
    _req: RevokeCurrentTokenInput,
) -> Result<RevokeCurrentTokenResponse, ApiError> {
    revoke(&state.db, p.token_id).await?;
    state.verified_tokens.forget_all();
    Ok(RevokeCurrentTokenResponse::NoContent)
}
