//! POST /auth/tokens: email + password → a new token, shown once.
use crate::api::{AuthToken, CreateTokenInput, CreateTokenResponse, TokenType};
use crate::auth::{issue, password, token_scopes};
use crate::data::accounts::by_email;
use crate::domain::DomainError;
use crate::domain::scopes::DEFAULT_SCOPES;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::types::UtcDateTime;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

const DEFAULT_DAYS: i64 = 7;

pub async fn handle(
    state: &AppState,
    req: CreateTokenInput,
) -> Result<CreateTokenResponse, ApiError> {
    let body = req.body;
    let email = body.email.0.as_str();
    // Before the lookup, so the answer is the same whether the account exists.
    let throttle = &state.login_throttle;
    if let Some(retry) = throttle.wait(email) {
        return Err(ApiError::rate_limited(
            retry,
            throttle.limit,
            throttle.window.as_secs(),
        ));
    }
    let owner = by_email(&state.db, email).await?;
    // Unknown email and wrong password cost the same hashing work (that of the configured
    // format) and give the same answer.
    let stored = owner.as_ref().map(|u| u.password.clone());
    let format = state.config.password_format;
    let verdict = state
        .hashing
        .verify(body.password.clone(), stored, format)
        .await?;
    let owner = match (owner, verdict) {
        (Some(u), password::Verdict::Match) => u,
        (Some(u), password::Verdict::MatchNeedsRehash) => {
            let rehashed = state.hashing.hash(body.password.clone(), format).await?;
            let mut am = u.into_active_model();
            am.password = Set(rehashed);
            am.update(&state.db).await?
        }
        _ => {
            throttle.failed(email);
            return Err(DomainError::invalid_credentials().into());
        }
    };
    let requested = body.scopes.as_deref().unwrap_or(DEFAULT_SCOPES);
    let days = body.expires_in_days.map(i64::from).unwrap_or(DEFAULT_DAYS);
    let issued = issue::issue_token(&state.db, &owner, &body.token_name, requested, days).await?;
    let token = AuthToken {
        token: issued.plaintext,
        token_type: TokenType::Bearer,
        token_name: issued.model.token_name,
        scopes: token_scopes(&issued.model.scopes_json),
        expires_at: UtcDateTime::from_naive_utc(issued.model.expires_at),
    };
    // The plaintext is shown exactly once: no cache may keep it.
    Ok(CreateTokenResponse::Created(
        Json(token),
        "no-store".to_string(),
    ))
}
