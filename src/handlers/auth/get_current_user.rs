//! GET /auth/me: who the token belongs to, with its effective scopes.
use crate::api::{CurrentUser, GetCurrentUserInput, GetCurrentUserResponse};
use crate::auth::Principal;
use crate::http::error::ApiError;
use poem_openapi::payload::Json;

pub async fn handle(
    p: &Principal,
    _req: GetCurrentUserInput,
) -> Result<GetCurrentUserResponse, ApiError> {
    Ok(GetCurrentUserResponse::Ok(Json(CurrentUser {
        user_id: p.user_id,
        name: p.name.clone(),
        email: p.email.clone(),
        role: p.role,
        // By name, as a token's scopes are stored and listed.
        scopes: {
            let mut s: Vec<_> = p.scopes.iter().copied().collect();
            s.sort_by_key(|s| s.as_str());
            s
        },
    })))
}
