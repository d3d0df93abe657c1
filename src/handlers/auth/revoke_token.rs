//! DELETE /auth/tokens/{token_id}. Owners revoke their own tokens, admins anyone's (audited, in
//! the same transaction); another user's token is a 404 exactly like a missing one (no
//! enumeration).
use super::tokens::revoke;
use crate::api::{AuditAction, RevokeTokenInput, RevokeTokenResponse};
use crate::auth::Principal;
use crate::data::audit::{self, Change};
use crate::data::entity::api_token;
use crate::data::writer::begin_write;
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
        Some(t) if t.user_id == p.user_id => {
            revoke(&state.db, t.id).await?;
            state.verified_tokens.forget_all();
            Ok(RevokeTokenResponse::NoContent)
        }
        Some(t) if p.is_admin() => {
            let tx = begin_write(&state.db).await?;
            revoke(&tx, t.id).await?;
            audit::record(
                &tx,
                Change {
                    actor_id: p.user_id,
                    action: AuditAction::TokenRevoked,
                    target: &t.id.to_string(),
                    previous: Some(format!("user {}: {}", t.user_id, t.token_name)),
                    value: None,
                },
            )
            .await?;
            tx.commit().await?;
            state.verified_tokens.forget_all();
            Ok(RevokeTokenResponse::NoContent)
        }
        _ => Err(DomainError::not_found("Token").into()),
    }
}
