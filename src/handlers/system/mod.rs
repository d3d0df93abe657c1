//! `System`: health, the queue, versions, a run's artifacts, and the administrative switches
//! (maintenance, blocked GitHub accounts, forbidden extensions) with their audit log.
mod create_blocked_user;
mod create_forbidden_extension;
mod delete_blocked_user;
mod delete_forbidden_extension;
mod forbidden_extensions;
mod get_health;
mod get_liveness;
mod get_maintenance;
mod get_queue;
mod get_rate_limit;
mod list_artifacts;
mod list_audit_log;
mod list_blocked_users;
mod list_forbidden_extensions;
pub(crate) mod system_about;
mod update_maintenance;

use crate::api::*;
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

impl SystemApi for AppState {
    async fn get_rate_limit(
        &self,
        p: &Principal,
        req: GetRateLimitInput,
    ) -> Result<GetRateLimitResponse, ApiError> {
        get_rate_limit::handle(self, p, req).await
    }
    async fn get_health(&self, req: GetHealthInput) -> Result<GetHealthResponse, ApiError> {
        get_health::handle(self, req).await
    }
    async fn get_liveness(&self, req: GetLivenessInput) -> Result<GetLivenessResponse, ApiError> {
        get_liveness::handle(self, req).await
    }
    async fn get_queue(
        &self,
        _p: &Principal,
        req: GetQueueInput,
    ) -> Result<GetQueueResponse, ApiError> {
        get_queue::handle(self, req).await
    }
    async fn system_about(
        &self,
        _p: &Principal,
        req: SystemAboutInput,
    ) -> Result<SystemAboutResponse, ApiError> {
        system_about::handle(self, req).await
    }
    async fn list_artifacts(
        &self,
        _p: &Principal,
        req: ListArtifactsInput,
    ) -> Result<ListArtifactsResponse, ApiError> {
        list_artifacts::handle(self, req).await
    }
    async fn get_maintenance(
        &self,
        _p: &Principal,
        req: GetMaintenanceInput,
    ) -> Result<GetMaintenanceResponse, ApiError> {
        get_maintenance::handle(self, req).await
    }
    async fn update_maintenance(
        &self,
        p: &Principal,
        req: UpdateMaintenanceInput,
    ) -> Result<UpdateMaintenanceResponse, ApiError> {
        update_maintenance::handle(self, p, req).await
    }
    async fn list_blocked_users(
        &self,
        _p: &Principal,
        req: ListBlockedUsersInput,
    ) -> Result<ListBlockedUsersResponse, ApiError> {
        list_blocked_users::handle(self, req).await
    }
    async fn create_blocked_user(
        &self,
        p: &Principal,
        req: CreateBlockedUserInput,
    ) -> Result<CreateBlockedUserResponse, ApiError> {
        create_blocked_user::handle(self, p, req).await
    }
    async fn delete_blocked_user(
        &self,
        p: &Principal,
        req: DeleteBlockedUserInput,
    ) -> Result<DeleteBlockedUserResponse, ApiError> {
        delete_blocked_user::handle(self, p, req).await
    }
    async fn list_forbidden_extensions(
        &self,
        _p: &Principal,
        req: ListForbiddenExtensionsInput,
    ) -> Result<ListForbiddenExtensionsResponse, ApiError> {
        list_forbidden_extensions::handle(self, req).await
    }
    async fn create_forbidden_extension(
        &self,
        p: &Principal,
        req: CreateForbiddenExtensionInput,
    ) -> Result<CreateForbiddenExtensionResponse, ApiError> {
        create_forbidden_extension::handle(self, p, req).await
    }
    async fn delete_forbidden_extension(
        &self,
        p: &Principal,
        req: DeleteForbiddenExtensionInput,
    ) -> Result<DeleteForbiddenExtensionResponse, ApiError> {
        delete_forbidden_extension::handle(self, p, req).await
    }
    async fn list_audit_log(
        &self,
        _p: &Principal,
        req: ListAuditLogInput,
    ) -> Result<ListAuditLogResponse, ApiError> {
        list_audit_log::handle(self, req).await
    }
}
