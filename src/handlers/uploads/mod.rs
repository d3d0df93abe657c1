//! `Uploads`: uploading samples, the queue of uploaded samples, FTP credentials.
mod delete_queued_sample;
mod finalize_queued_sample;
mod get_ftp_credentials;
mod get_queued_sample;
mod link_queued_sample;
mod list_queued_samples;
mod queue;
mod upload_sample;

use crate::api::*;
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;

impl UploadsApi for AppState {
    async fn get_ftp_credentials(
        &self,
        p: &Principal,
        req: GetFtpCredentialsInput,
    ) -> Result<GetFtpCredentialsResponse, ApiError> {
        get_ftp_credentials::handle(self, p, req).await
    }
    async fn list_queued_samples(
        &self,
        p: &Principal,
        req: ListQueuedSamplesInput,
    ) -> Result<ListQueuedSamplesResponse, ApiError> {
        list_queued_samples::handle(self, p, req).await
    }
    async fn get_queued_sample(
        &self,
        p: &Principal,
        req: GetQueuedSampleInput,
    ) -> Result<GetQueuedSampleResponse, ApiError> {
        get_queued_sample::handle(self, p, req).await
    }
    async fn delete_queued_sample(
        &self,
        p: &Principal,
        req: DeleteQueuedSampleInput,
    ) -> Result<DeleteQueuedSampleResponse, ApiError> {
        delete_queued_sample::handle(self, p, req).await
    }
    async fn finalize_queued_sample(
        &self,
        p: &Principal,
        req: FinalizeQueuedSampleInput,
    ) -> Result<FinalizeQueuedSampleResponse, ApiError> {
        finalize_queued_sample::handle(self, p, req).await
    }
    async fn link_queued_sample(
        &self,
        p: &Principal,
        req: LinkQueuedSampleInput,
    ) -> Result<LinkQueuedSampleResponse, ApiError> {
        link_queued_sample::handle(self, p, req).await
    }
    async fn upload_sample(
        &self,
        p: &Principal,
        req: UploadSampleInput,
    ) -> Result<UploadSampleResponse, ApiError> {
        upload_sample::handle(self, p, req).await
    }
}
