//! GET /auth/me/github: whether the caller is connected to GitHub, and the consent URL that
//! (re)connects it; its `state` names the caller, signed and expiring, because GitHub's
//! redirect back carries no bearer token.
use super::github_link::{callback_url, is_linked, linked_login};
use super::links::now_secs;
use crate::api::{GetGithubLinkInput, GetGithubLinkResponse, GithubLink};
use crate::auth::Principal;
use crate::data::entity::user;
use crate::domain::DomainError;
use crate::domain::links::{STATE_LIFETIME_SECS, github_state};
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    _req: GetGithubLinkInput,
) -> Result<GetGithubLinkResponse, ApiError> {
    let Some(u) = user::Entity::find_by_id(principal.user_id)
        .one(&state.db)
        .await?
    else {
        return Err(DomainError::account_gone().into());
    };
    let signed = github_state(
        state.config.secret.expose().as_bytes(),
        u.id,
        now_secs() + STATE_LIFETIME_SECS,
    );
    Ok(GetGithubLinkResponse::Ok(Json(GithubLink {
        linked: is_linked(&u),
        github_login: linked_login(&u),
        authorize_url: state.github.authorize_url(&callback_url(state), &signed),
    })))
}
