//! Hand-written implementations of the generated traits, one file per action. Each tag's trait
//! impl only routes to its actions; operations without a handler keep the generated 501.
use crate::api::*;
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::respond;

mod create_token;
mod current_user;
mod list_tokens;
mod page;
mod revoke_token;
mod system_health;

pub use system_health::health;

impl AuthApi for AppState {
    async fn create_token(&self, req: CreateTokenRequest) -> CreateTokenResponse {
        respond(create_token::handle(self, req).await)
    }
    async fn list_tokens(&self, p: &Principal, req: ListTokensRequest) -> ListTokensResponse {
        respond(list_tokens::handle(self, p, req).await)
    }
    async fn revoke_current_token(
        &self,
        p: &Principal,
        _req: RevokeCurrentTokenRequest,
    ) -> RevokeCurrentTokenResponse {
        respond(revoke_token::current(self, p).await)
    }
    async fn revoke_token(&self, p: &Principal, req: RevokeTokenRequest) -> RevokeTokenResponse {
        respond(revoke_token::by_id(self, p, req.token_id).await)
    }
    async fn get_current_user(
        &self,
        p: &Principal,
        _req: GetCurrentUserRequest,
    ) -> GetCurrentUserResponse {
        GetCurrentUserResponse::Ok(poem_openapi::payload::Json(current_user::of(p)))
    }
}

impl SystemApi for AppState {
    async fn get_system_health(&self, _req: GetSystemHealthRequest) -> GetSystemHealthResponse {
        system_health::handle(self).await
    }
}

// Tags whose operations are all still the documented 501 (issues #3 and #4 implement them).
impl UsersApi for AppState {}
impl RunsApi for AppState {}
impl ResultsApi for AppState {}
impl ErrorsApi for AppState {}
impl LogsApi for AppState {}
impl ArtifactsApi for AppState {}
impl SamplesApi for AppState {}
impl QueuedSamplesApi for AppState {}
impl RegressionTestsApi for AppState {}
impl CategoriesApi for AppState {}
impl TagsApi for AppState {}
