//! `Results`: a run's output files, their diffs, and approving one as the new baseline.
mod approve_baseline;
mod get_actual_output;
mod get_diff;
mod get_expected_output;
mod output;

use crate::api::*;
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

impl ResultsApi for AppState {
    async fn get_expected_output(
        &self,
        _p: &Principal,
        req: GetExpectedOutputInput,
    ) -> Result<GetExpectedOutputResponse, ApiError> {
        get_expected_output::handle(self, req).await
    }
    async fn get_actual_output(
        &self,
        _p: &Principal,
        req: GetActualOutputInput,
    ) -> Result<GetActualOutputResponse, ApiError> {
        get_actual_output::handle(self, req).await
    }
    async fn get_diff(
        &self,
        _p: &Principal,
        req: GetDiffInput,
    ) -> Result<GetDiffResponse, ApiError> {
        get_diff::handle(self, req).await
    }
    async fn approve_baseline(
        &self,
        p: &Principal,
        req: ApproveBaselineInput,
    ) -> Result<ApproveBaselineResponse, ApiError> {
        approve_baseline::handle(self, p, req).await
    }
}
