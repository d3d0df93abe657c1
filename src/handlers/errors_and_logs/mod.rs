//! `Errors and Logs`: errors derived from a run's results and progress, and its log lines.
mod get_error_summary;
mod get_run_logs;
mod get_sample_logs;
mod list_infra_errors;
mod list_run_errors;
mod logs;
mod result_errors;
mod stream_run_log;

use crate::api::*;
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

impl ErrorsAndLogsApi for AppState {
    async fn stream_run_log(
        &self,
        p: &Principal,
        req: StreamRunLogInput,
    ) -> Result<StreamRunLogResponse, ApiError> {
        stream_run_log::handle(self, p, req).await
    }
    async fn list_run_errors(
        &self,
        _p: &Principal,
        req: ListRunErrorsInput,
    ) -> Result<ListRunErrorsResponse, ApiError> {
        list_run_errors::handle(self, req).await
    }
    async fn list_infra_errors(
        &self,
        p: &Principal,
        req: ListInfraErrorsInput,
    ) -> Result<ListInfraErrorsResponse, ApiError> {
        list_infra_errors::handle(self, p, req).await
    }
    async fn get_error_summary(
        &self,
        _p: &Principal,
        req: GetErrorSummaryInput,
    ) -> Result<GetErrorSummaryResponse, ApiError> {
        get_error_summary::handle(self, req).await
    }
    async fn get_run_logs(
        &self,
        _p: &Principal,
        req: GetRunLogsInput,
    ) -> Result<GetRunLogsResponse, ApiError> {
        get_run_logs::handle(self, req).await
    }
    async fn get_sample_logs(
        &self,
        _p: &Principal,
        req: GetSampleLogsInput,
    ) -> Result<GetSampleLogsResponse, ApiError> {
        get_sample_logs::handle(self, req).await
    }
}
