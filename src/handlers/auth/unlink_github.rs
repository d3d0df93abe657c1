//! DELETE /auth/me/github: forgets the caller's GitHub token and login (both columns, as
//! upstream's unlink does).
use crate::api::{GithubUnlink, UnlinkGithubInput, UnlinkGithubResponse};
use crate::auth::Principal;
use crate::data::entity::user;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    _req: UnlinkGithubInput,
) -> Result<UnlinkGithubResponse, ApiError> {
    user::Entity::update_many()
        .col_expr(
            user::Column::GithubToken,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            user::Column::GithubLogin,
            Expr::value(Option::<String>::None),
        )
        .filter(user::Column::Id.eq(principal.user_id))
        .exec(&state.db)
        .await?;
    Ok(UnlinkGithubResponse::Ok(Json(GithubUnlink {
        linked: false,
        github_login: None,
    })))
}
