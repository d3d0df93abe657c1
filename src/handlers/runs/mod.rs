//! `Runs`: listing, reading, starting, canceling and restarting runs.
mod cancel_run;
mod create_run;
mod get_run;
mod get_run_comparison;
mod get_run_config;
mod get_run_progress;
mod get_run_summary;
mod launch;
mod list_failure_groups;
mod list_runs;
mod rerun_run;
mod restart_run;
mod stream_run_events;

use crate::api::*;
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

impl RunsApi for AppState {
    async fn stream_run_events(
        &self,
        p: &Principal,
        req: StreamRunEventsInput,
    ) -> Result<StreamRunEventsResponse, ApiError> {
        stream_run_events::handle(self, p, req).await
    }
    async fn list_runs(
        &self,
        _p: &Principal,
        req: ListRunsInput,
    ) -> Result<ListRunsResponse, ApiError> {
        list_runs::handle(self, req).await
    }
    async fn create_run(
        &self,
        p: &Principal,
        req: CreateRunInput,
    ) -> Result<CreateRunResponse, ApiError> {
        create_run::handle(self, p, req).await
    }
    async fn get_run(&self, _p: &Principal, req: GetRunInput) -> Result<GetRunResponse, ApiError> {
        get_run::handle(self, req).await
    }
    async fn get_run_comparison(
        &self,
        _p: &Principal,
        req: GetRunComparisonInput,
    ) -> Result<GetRunComparisonResponse, ApiError> {
        get_run_comparison::handle(self, req).await
    }
    async fn list_failure_groups(
        &self,
        _p: &Principal,
        req: ListFailureGroupsInput,
    ) -> Result<ListFailureGroupsResponse, ApiError> {
        list_failure_groups::handle(self, req).await
    }
    async fn rerun_run(
        &self,
        p: &Principal,
        req: RerunRunInput,
    ) -> Result<RerunRunResponse, ApiError> {
        rerun_run::handle(self, p, req).await
    }
    async fn get_run_summary(
        &self,
        _p: &Principal,
        req: GetRunSummaryInput,
    ) -> Result<GetRunSummaryResponse, ApiError> {
        get_run_summary::handle(self, req).await
    }
    async fn get_run_progress(
        &self,
        _p: &Principal,
        req: GetRunProgressInput,
    ) -> Result<GetRunProgressResponse, ApiError> {
        get_run_progress::handle(self, req).await
    }
    async fn get_run_config(
        &self,
        _p: &Principal,
        req: GetRunConfigInput,
    ) -> Result<GetRunConfigResponse, ApiError> {
        get_run_config::handle(self, req).await
    }
    async fn cancel_run(
        &self,
        p: &Principal,
        req: CancelRunInput,
    ) -> Result<CancelRunResponse, ApiError> {
        cancel_run::handle(self, p, req).await
    }
    async fn restart_run(
        &self,
        _p: &Principal,
        req: RestartRunInput,
    ) -> Result<RestartRunResponse, ApiError> {
        restart_run::handle(self, req).await
    }
}
