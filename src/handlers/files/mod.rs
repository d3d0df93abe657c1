//! `Files`: downloads through the links a local store signs (cloud stores sign their own).
mod download_file;

use crate::api::*;
use crate::http::error::ApiError;
use crate::state::AppState;

impl FilesApi for AppState {
    async fn download_file(
        &self,
        req: DownloadFileInput,
    ) -> Result<DownloadFileResponse, ApiError> {
        download_file::handle(self, req).await
    }
}
