//! GET /auth/github/callback (public): GitHub's redirect back from the consent page. Only the
//! signed `state` says whose account this is; the code is exchanged for a token, the token for
//! the login, and both are stored. GitHub unreachable is a 503 and changes nothing.
use super::github_link::linked_login;
use super::links::now_secs;
use crate::api::{CompleteGithubLinkInput, CompleteGithubLinkResponse, GithubUnlink};
use crate::data::entity::user;
use crate::domain::DomainError;
use crate::domain::links::github_state_user;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

pub async fn handle(
    state: &AppState,
    req: CompleteGithubLinkInput,
) -> Result<CompleteGithubLinkResponse, ApiError> {
    let key = state.config.secret.expose().as_bytes();
    let Some(user_id) = github_state_user(key, &req.state, now_secs()) else {
        return Err(DomainError::invalid_link().into());
    };
    let Some(u) = user::Entity::find_by_id(user_id).one(&state.db).await? else {
        return Err(DomainError::invalid_link().into());
    };
    let redirect = super::github_link::callback_url(state);
    let Some(token) = state
        .github
        .exchange_code(&req.code, &redirect)
        .await
        .map_err(DomainError::from)?
    else {
        return Err(DomainError::invalid_link().into());
    };
    let Some(login) = state
        .github
        .login_for_token(&token)
        .await
        .map_err(DomainError::from)?
    else {
        return Err(DomainError::invalid_link().into());
    };
    let mut m = u.into_active_model();
    m.github_token = Set(Some(token));
    m.github_login = Set(Some(login));
    let updated = m.update(&state.db).await?;
    Ok(CompleteGithubLinkResponse::Ok(Json(GithubUnlink {
        linked: true,
        github_login: linked_login(&updated),
    })))
}
