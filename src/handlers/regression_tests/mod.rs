//! `Regression Tests`: the files of expected outputs and their accepted variants.
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
}
