//! `Auth`: tokens and the caller's own account. Operations not listed here answer the spec's
//! documented 501 until they are implemented.
mod create_token;
mod deactivate_user;
mod get_current_user;
mod get_user;
mod list_tokens;
mod revoke_current_token;
mod revoke_token;
mod tokens;

use crate::api::*;
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

impl AuthApi for AppState {
    async fn create_token(&self, req: CreateTokenInput) -> Result<CreateTokenResponse, ApiError> {
        create_token::handle(self, req).await
    }
    async fn list_tokens(
        &self,
        p: &Principal,
        req: ListTokensInput,
    ) -> Result<ListTokensResponse, ApiError> {
        list_tokens::handle(self, p, req).await
    }
    async fn revoke_current_token(
        &self,
        p: &Principal,
        req: RevokeCurrentTokenInput,
    ) -> Result<RevokeCurrentTokenResponse, ApiError> {
        revoke_current_token::handle(self, p, req).await
    }
    async fn revoke_token(
        &self,
        p: &Principal,
        req: RevokeTokenInput,
    ) -> Result<RevokeTokenResponse, ApiError> {
        revoke_token::handle(self, p, req).await
    }
    async fn get_current_user(
        &self,
        p: &Principal,
        req: GetCurrentUserInput,
    ) -> Result<GetCurrentUserResponse, ApiError> {
        get_current_user::handle(p, req).await
    }
    async fn get_user(
        &self,
        _p: &Principal,
        req: GetUserInput,
    ) -> Result<GetUserResponse, ApiError> {
        get_user::handle(self, req).await
    }
    async fn deactivate_user(
        &self,
        p: &Principal,
        req: DeactivateUserInput,
    ) -> Result<DeactivateUserResponse, ApiError> {
        deactivate_user::handle(self, p, req).await
    }
}
