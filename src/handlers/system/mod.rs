//! `System`: health, the queue, versions and a run's artifacts. Maintenance, blocked users and
//! forbidden extensions answer the spec's documented 501 until they are implemented.
mod get_health;
mod get_liveness;
mod get_queue;
mod list_artifacts;
mod system_about;

use crate::api::*;
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

impl SystemApi for AppState {
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
}
