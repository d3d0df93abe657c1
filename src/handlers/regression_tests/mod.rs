//! `Regression Tests`: the files of expected outputs and their accepted variants.
mod create_regression_test_variant;
mod delete_regression_test_variant;
mod download_regression_test_output;
mod download_regression_test_variant;

use crate::api::*;
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

impl RegressionTestsApi for AppState {
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
