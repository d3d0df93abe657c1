//! Hand-written implementations of the generated traits, one file per action. Each tag's trait
//! impl only routes to its actions; operations without a handler keep the generated 501.
use crate::api::*;
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::respond;

mod approve_baseline;
mod cancel_run;
mod categories;
mod category_admin;
mod create_run;
mod create_token;
mod current_user;
mod downloads;
mod filters;
mod get_run;
mod like;
mod list_runs;
mod list_tokens;
mod lookup;
mod outputs;
mod page;
mod regression_tests;
mod restart_run;
mod revoke_token;
mod run_artifacts;
mod run_config;
mod run_errors;
mod run_logs;
mod run_progress;
mod run_samples;
mod run_summary;
mod sample_history;
mod samples;
mod system_about;
mod system_health;
mod system_queue;

pub use system_health::health;

impl AuthApi for AppState {
    async fn create_token(&self, req: CreateTokenRequest) -> CreateTokenResponse {
        respond(create_token::handle(self, req).await)
    }
    async fn list_tokens(&self, p: &Principal, req: ListTokensRequest) -> ListTokensResponse {
        respond(list_tokens::handle(self, p, req).await)
    }
    async fn revoke_current_token(
        &self,
        p: &Principal,
        _req: RevokeCurrentTokenRequest,
    ) -> RevokeCurrentTokenResponse {
        respond(revoke_token::current(self, p).await)
    }
    async fn revoke_token(&self, p: &Principal, req: RevokeTokenRequest) -> RevokeTokenResponse {
        respond(revoke_token::by_id(self, p, req.token_id).await)
    }
    async fn get_current_user(
        &self,
        p: &Principal,
        _req: GetCurrentUserRequest,
    ) -> GetCurrentUserResponse {
        GetCurrentUserResponse::Ok(poem_openapi::payload::Json(current_user::of(p)))
    }
}

impl SystemApi for AppState {
    async fn get_system_health(&self, _req: GetSystemHealthRequest) -> GetSystemHealthResponse {
        system_health::handle(self).await
    }
    async fn get_system_queue(
        &self,
        _p: &Principal,
        req: GetSystemQueueRequest,
    ) -> GetSystemQueueResponse {
        respond(system_queue::handle(self, req).await)
    }
    async fn get_system_about(
        &self,
        _p: &Principal,
        _req: GetSystemAboutRequest,
    ) -> GetSystemAboutResponse {
        respond(system_about::handle(self).await)
    }
}

impl RunsApi for AppState {
    async fn list_runs(&self, _p: &Principal, req: ListRunsRequest) -> ListRunsResponse {
        respond(list_runs::handle(self, req).await)
    }
    async fn create_run(&self, p: &Principal, req: CreateRunRequest) -> CreateRunResponse {
        respond(create_run::handle(self, p, req).await)
    }
    async fn get_run(&self, _p: &Principal, req: GetRunRequest) -> GetRunResponse {
        respond(get_run::handle(self, req.run_id).await)
    }
    async fn get_run_summary(
        &self,
        _p: &Principal,
        req: GetRunSummaryRequest,
    ) -> GetRunSummaryResponse {
        respond(run_summary::handle(self, req.run_id).await)
    }
    async fn get_run_progress(
        &self,
        _p: &Principal,
        req: GetRunProgressRequest,
    ) -> GetRunProgressResponse {
        respond(run_progress::handle(self, req).await)
    }
    async fn get_run_config(
        &self,
        _p: &Principal,
        req: GetRunConfigRequest,
    ) -> GetRunConfigResponse {
        respond(run_config::handle(self, req.run_id).await)
    }
    async fn cancel_run(&self, p: &Principal, req: CancelRunRequest) -> CancelRunResponse {
        respond(cancel_run::handle(self, p, req).await)
    }
    async fn restart_run(&self, _p: &Principal, req: RestartRunRequest) -> RestartRunResponse {
        respond(restart_run::handle(self, req.run_id).await)
    }
}

impl ResultsApi for AppState {
    async fn list_run_samples(
        &self,
        _p: &Principal,
        req: ListRunSamplesRequest,
    ) -> ListRunSamplesResponse {
        respond(run_samples::list(self, req).await)
    }
    async fn get_run_sample(
        &self,
        _p: &Principal,
        req: GetRunSampleRequest,
    ) -> GetRunSampleResponse {
        respond(run_samples::one(self, req.run_id, req.regression_test_id).await)
    }
    async fn get_expected_output(
        &self,
        _p: &Principal,
        req: GetExpectedOutputRequest,
    ) -> GetExpectedOutputResponse {
        respond(outputs::expected(self, req).await)
    }
    async fn get_actual_output(
        &self,
        _p: &Principal,
        req: GetActualOutputRequest,
    ) -> GetActualOutputResponse {
        respond(outputs::actual(self, req).await)
    }
    async fn get_output_diff(
        &self,
        _p: &Principal,
        req: GetOutputDiffRequest,
    ) -> GetOutputDiffResponse {
        respond(outputs::diff(self, req).await)
    }
    async fn approve_baseline(
        &self,
        p: &Principal,
        req: ApproveBaselineRequest,
    ) -> ApproveBaselineResponse {
        respond(approve_baseline::handle(self, p, req).await)
    }
}

impl SamplesApi for AppState {
    async fn list_samples(&self, _p: &Principal, req: ListSamplesRequest) -> ListSamplesResponse {
        respond(samples::list(self, req).await)
    }
    async fn get_sample(&self, _p: &Principal, req: GetSampleRequest) -> GetSampleResponse {
        respond(samples::one(self, req.sample_id).await)
    }
    async fn get_sample_details(
        &self,
        _p: &Principal,
        req: GetSampleDetailsRequest,
    ) -> GetSampleDetailsResponse {
        respond(samples::details(self, req.sample_id).await)
    }
    async fn get_sample_history(
        &self,
        _p: &Principal,
        req: GetSampleHistoryRequest,
    ) -> GetSampleHistoryResponse {
        respond(sample_history::handle(self, req).await)
    }
    async fn get_sample_download(
        &self,
        _p: &Principal,
        req: GetSampleDownloadRequest,
    ) -> GetSampleDownloadResponse {
        respond(downloads::sample(self, req.sample_id).await)
    }
    async fn get_sample_media_info_download(
        &self,
        _p: &Principal,
        req: GetSampleMediaInfoDownloadRequest,
    ) -> GetSampleMediaInfoDownloadResponse {
        respond(downloads::media_info(self, req.sample_id).await)
    }
    async fn get_sample_extra_file_download(
        &self,
        _p: &Principal,
        req: GetSampleExtraFileDownloadRequest,
    ) -> GetSampleExtraFileDownloadResponse {
        respond(downloads::extra_file(self, req.sample_id, req.extra_id).await)
    }
}

impl RegressionTestsApi for AppState {
    async fn list_regression_tests(
        &self,
        _p: &Principal,
        req: ListRegressionTestsRequest,
    ) -> ListRegressionTestsResponse {
        respond(regression_tests::list(self, req).await)
    }
    async fn get_regression_test(
        &self,
        _p: &Principal,
        req: GetRegressionTestRequest,
    ) -> GetRegressionTestResponse {
        respond(regression_tests::one(self, req.regression_test_id).await)
    }
    async fn get_regression_test_output_download(
        &self,
        _p: &Principal,
        req: GetRegressionTestOutputDownloadRequest,
    ) -> GetRegressionTestOutputDownloadResponse {
        respond(downloads::baseline(self, req.regression_test_id, req.output_id).await)
    }
    async fn get_output_variant_download(
        &self,
        _p: &Principal,
        req: GetOutputVariantDownloadRequest,
    ) -> GetOutputVariantDownloadResponse {
        respond(
            downloads::variant(self, req.regression_test_id, req.output_id, req.variant_id).await,
        )
    }
}

impl CategoriesApi for AppState {
    async fn list_categories(
        &self,
        _p: &Principal,
        req: ListCategoriesRequest,
    ) -> ListCategoriesResponse {
        respond(categories::list(self, req).await)
    }
    async fn create_category(
        &self,
        _p: &Principal,
        req: CreateCategoryRequest,
    ) -> CreateCategoryResponse {
        respond(category_admin::create(self, req).await)
    }
    async fn update_category(
        &self,
        _p: &Principal,
        req: UpdateCategoryRequest,
    ) -> UpdateCategoryResponse {
        respond(category_admin::update(self, req).await)
    }
    async fn delete_category(
        &self,
        _p: &Principal,
        req: DeleteCategoryRequest,
    ) -> DeleteCategoryResponse {
        respond(category_admin::delete(self, req.category_id).await)
    }
}

impl TagsApi for AppState {
    async fn list_tags(&self, _p: &Principal, req: ListTagsRequest) -> ListTagsResponse {
        respond(categories::tags(self, req).await)
    }
}

impl ErrorsApi for AppState {
    async fn list_run_errors(
        &self,
        _p: &Principal,
        req: ListRunErrorsRequest,
    ) -> ListRunErrorsResponse {
        respond(run_errors::list(self, req).await)
    }
    async fn list_infrastructure_errors(
        &self,
        p: &Principal,
        req: ListInfrastructureErrorsRequest,
    ) -> ListInfrastructureErrorsResponse {
        respond(run_errors::infrastructure(self, p, req).await)
    }
    async fn get_run_error_summary(
        &self,
        _p: &Principal,
        req: GetRunErrorSummaryRequest,
    ) -> GetRunErrorSummaryResponse {
        respond(run_errors::summary(self, req).await)
    }
}

impl LogsApi for AppState {
    async fn list_run_logs(&self, _p: &Principal, req: ListRunLogsRequest) -> ListRunLogsResponse {
        respond(run_logs::run(self, req).await)
    }
    async fn list_sample_logs(
        &self,
        _p: &Principal,
        req: ListSampleLogsRequest,
    ) -> ListSampleLogsResponse {
        respond(run_logs::sample(self, req).await)
    }
}

impl ArtifactsApi for AppState {
    async fn list_run_artifacts(
        &self,
        _p: &Principal,
        req: ListRunArtifactsRequest,
    ) -> ListRunArtifactsResponse {
        respond(run_artifacts::list(self, req).await)
    }
}

// Tags whose operations are all still the documented 501.
impl UsersApi for AppState {}
impl QueuedSamplesApi for AppState {}
