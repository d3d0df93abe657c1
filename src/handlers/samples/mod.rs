//! `Samples`: the media samples and their history and downloads, a run's per-sample results,
//! and the regression tests, categories and tags of the library. One trait serves the whole
//! tag, as upstream's one API class does; the files below are one per operation.
mod categories;
mod create_category;
mod create_regression_test;
mod create_tag;
mod delete_category;
mod delete_regression_test;
mod delete_sample;
mod delete_sample_extra_file;
mod download_sample;
mod download_sample_extra_file;
mod download_sample_media_info;
mod get_regression_test;
mod get_run_sample;
mod get_sample;
mod get_sample_details;
mod get_sample_history;
mod list_categories;
mod list_regression_tests;
mod list_run_samples;
mod list_samples;
mod list_tags;
mod regression_tests;
mod update_category;
mod update_regression_test;
mod update_sample;

use crate::api::*;
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

impl SamplesApi for AppState {
    async fn list_run_samples(
        &self,
        _p: &Principal,
        req: ListRunSamplesInput,
    ) -> Result<ListRunSamplesResponse, ApiError> {
        list_run_samples::handle(self, req).await
    }
    async fn get_run_sample(
        &self,
        _p: &Principal,
        req: GetRunSampleInput,
    ) -> Result<GetRunSampleResponse, ApiError> {
        get_run_sample::handle(self, req).await
    }
    async fn list_samples(
        &self,
        _p: &Principal,
        req: ListSamplesInput,
    ) -> Result<ListSamplesResponse, ApiError> {
        list_samples::handle(self, req).await
    }
    async fn get_sample(
        &self,
        _p: &Principal,
        req: GetSampleInput,
    ) -> Result<GetSampleResponse, ApiError> {
        get_sample::handle(self, req).await
    }
    async fn get_sample_details(
        &self,
        _p: &Principal,
        req: GetSampleDetailsInput,
    ) -> Result<GetSampleDetailsResponse, ApiError> {
        get_sample_details::handle(self, req).await
    }
    async fn get_sample_history(
        &self,
        _p: &Principal,
        req: GetSampleHistoryInput,
    ) -> Result<GetSampleHistoryResponse, ApiError> {
        get_sample_history::handle(self, req).await
    }
    async fn download_sample(
        &self,
        _p: &Principal,
        req: DownloadSampleInput,
    ) -> Result<DownloadSampleResponse, ApiError> {
        download_sample::handle(self, req).await
    }
    async fn download_sample_media_info(
        &self,
        _p: &Principal,
        req: DownloadSampleMediaInfoInput,
    ) -> Result<DownloadSampleMediaInfoResponse, ApiError> {
        download_sample_media_info::handle(self, req).await
    }
    async fn download_sample_extra_file(
        &self,
        _p: &Principal,
        req: DownloadSampleExtraFileInput,
    ) -> Result<DownloadSampleExtraFileResponse, ApiError> {
        download_sample_extra_file::handle(self, req).await
    }
    async fn list_regression_tests(
        &self,
        _p: &Principal,
        req: ListRegressionTestsInput,
    ) -> Result<ListRegressionTestsResponse, ApiError> {
        list_regression_tests::handle(self, req).await
    }
    async fn get_regression_test(
        &self,
        _p: &Principal,
        req: GetRegressionTestInput,
    ) -> Result<GetRegressionTestResponse, ApiError> {
        get_regression_test::handle(self, req).await
    }
    async fn list_categories(
        &self,
        _p: &Principal,
        req: ListCategoriesInput,
    ) -> Result<ListCategoriesResponse, ApiError> {
        list_categories::handle(self, req).await
    }
    async fn create_category(
        &self,
        _p: &Principal,
        req: CreateCategoryInput,
    ) -> Result<CreateCategoryResponse, ApiError> {
        create_category::handle(self, req).await
    }
    async fn update_category(
        &self,
        _p: &Principal,
        req: UpdateCategoryInput,
    ) -> Result<UpdateCategoryResponse, ApiError> {
        update_category::handle(self, req).await
    }
    async fn delete_category(
        &self,
        _p: &Principal,
        req: DeleteCategoryInput,
    ) -> Result<DeleteCategoryResponse, ApiError> {
        delete_category::handle(self, req).await
    }
    async fn list_tags(
        &self,
        _p: &Principal,
        req: ListTagsInput,
    ) -> Result<ListTagsResponse, ApiError> {
        list_tags::handle(self, req).await
    }
    async fn create_tag(
        &self,
        _p: &Principal,
        req: CreateTagInput,
    ) -> Result<CreateTagResponse, ApiError> {
        create_tag::handle(self, req).await
    }
    async fn create_regression_test(
        &self,
        _p: &Principal,
        req: CreateRegressionTestInput,
    ) -> Result<CreateRegressionTestResponse, ApiError> {
        create_regression_test::handle(self, req).await
    }
    async fn update_regression_test(
        &self,
        _p: &Principal,
        req: UpdateRegressionTestInput,
    ) -> Result<UpdateRegressionTestResponse, ApiError> {
        update_regression_test::handle(self, req).await
    }
    async fn delete_regression_test(
        &self,
        _p: &Principal,
        req: DeleteRegressionTestInput,
    ) -> Result<DeleteRegressionTestResponse, ApiError> {
        delete_regression_test::handle(self, req).await
    }
    async fn update_sample(
        &self,
        _p: &Principal,
        req: UpdateSampleInput,
    ) -> Result<UpdateSampleResponse, ApiError> {
        update_sample::handle(self, req).await
    }
    async fn delete_sample(
        &self,
        _p: &Principal,
        req: DeleteSampleInput,
    ) -> Result<DeleteSampleResponse, ApiError> {
        delete_sample::handle(self, req).await
    }
    async fn delete_sample_extra_file(
        &self,
        _p: &Principal,
        req: DeleteSampleExtraFileInput,
    ) -> Result<DeleteSampleExtraFileResponse, ApiError> {
        delete_sample_extra_file::handle(self, req).await
    }
}
