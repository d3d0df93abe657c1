//! `Regression Tests`: the files of expected outputs and their accepted variants, how stable
//! each test is across a branch's runs, and quarantine.
mod create_regression_test_variant;
mod delete_regression_test_variant;
mod download_regression_test_output;
mod download_regression_test_variant;
mod get_regression_test_stability;
mod lift_quarantine;
mod list_flaky_tests;
mod list_quarantines;
mod quarantine_regression_test;
mod stability;

use crate::api::*;
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

impl RegressionTestsApi for AppState {
    async fn list_flaky_tests(
        &self,
        _p: &Principal,
        req: ListFlakyTestsInput,
    ) -> Result<ListFlakyTestsResponse, ApiError> {
        list_flaky_tests::handle(self, req).await
    }
    async fn get_regression_test_stability(
        &self,
        _p: &Principal,
        req: GetRegressionTestStabilityInput,
    ) -> Result<GetRegressionTestStabilityResponse, ApiError> {
        get_regression_test_stability::handle(self, req).await
    }
    async fn list_quarantines(
        &self,
        _p: &Principal,
        req: ListQuarantinesInput,
    ) -> Result<ListQuarantinesResponse, ApiError> {
        list_quarantines::handle(self, req).await
    }
    async fn quarantine_regression_test(
        &self,
        p: &Principal,
        req: QuarantineRegressionTestInput,
    ) -> Result<QuarantineRegressionTestResponse, ApiError> {
        quarantine_regression_test::handle(self, p, req).await
    }
    async fn lift_quarantine(
        &self,
        p: &Principal,
        req: LiftQuarantineInput,
    ) -> Result<LiftQuarantineResponse, ApiError> {
        lift_quarantine::handle(self, p, req).await
    }
    async fn download_regression_test_output(
        &self,
        _p: &Principal,
        req: DownloadRegressionTestOutputInput,
    ) -> Result<DownloadRegressionTestOutputResponse, ApiError> {
        download_regression_test_output::handle(self, req).await
    }
    async fn download_regression_test_variant(
        &self,
        _p: &Principal,
        req: DownloadRegressionTestVariantInput,
    ) -> Result<DownloadRegressionTestVariantResponse, ApiError> {
        download_regression_test_variant::handle(self, req).await
    }
    async fn create_regression_test_variant(
        &self,
        _p: &Principal,
        req: CreateRegressionTestVariantInput,
    ) -> Result<CreateRegressionTestVariantResponse, ApiError> {
        create_regression_test_variant::handle(self, req).await
    }
    async fn delete_regression_test_variant(
        &self,
        _p: &Principal,
        req: DeleteRegressionTestVariantInput,
    ) -> Result<DeleteRegressionTestVariantResponse, ApiError> {
        delete_regression_test_variant::handle(self, req).await
    }
}
