//! `Auth`: tokens, sign-up and password reset (mailed links), the caller's own account and its
//! GitHub connection, and the user operations tagged Auth.
mod complete_github_link;
mod complete_password_reset;
mod complete_signup;
mod create_token;
mod deactivate_user;
mod get_current_user;
mod get_github_link;
mod get_user;
mod github_link;
mod links;
mod list_tokens;
mod request_password_reset;
mod revoke_current_token;
mod revoke_token;
mod send_user_password_reset;
mod signup;
mod tokens;
mod unlink_github;
mod update_account;

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
    async fn signup(&self, req: SignupInput) -> Result<SignupResponse, ApiError> {
        signup::handle(self, req).await
    }
    async fn complete_signup(
        &self,
        req: CompleteSignupInput,
    ) -> Result<CompleteSignupResponse, ApiError> {
        complete_signup::handle(self, req).await
    }
    async fn request_password_reset(
        &self,
        req: RequestPasswordResetInput,
    ) -> Result<RequestPasswordResetResponse, ApiError> {
        request_password_reset::handle(self, req).await
    }
    async fn complete_password_reset(
        &self,
        req: CompletePasswordResetInput,
    ) -> Result<CompletePasswordResetResponse, ApiError> {
        complete_password_reset::handle(self, req).await
    }
    async fn send_user_password_reset(
        &self,
        p: &Principal,
        req: SendUserPasswordResetInput,
    ) -> Result<SendUserPasswordResetResponse, ApiError> {
        send_user_password_reset::handle(self, p, req).await
    }
    async fn update_account(
        &self,
        p: &Principal,
        req: UpdateAccountInput,
    ) -> Result<UpdateAccountResponse, ApiError> {
        update_account::handle(self, p, req).await
    }
    async fn get_github_link(
        &self,
        p: &Principal,
        req: GetGithubLinkInput,
    ) -> Result<GetGithubLinkResponse, ApiError> {
        get_github_link::handle(self, p, req).await
    }
    async fn unlink_github(
        &self,
        p: &Principal,
        req: UnlinkGithubInput,
    ) -> Result<UnlinkGithubResponse, ApiError> {
        unlink_github::handle(self, p, req).await
    }
    async fn complete_github_link(
        &self,
        req: CompleteGithubLinkInput,
    ) -> Result<CompleteGithubLinkResponse, ApiError> {
        complete_github_link::handle(self, req).await
    }
}
