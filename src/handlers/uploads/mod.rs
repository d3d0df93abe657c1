//! `Uploads`: uploading samples, the queue of uploaded samples, FTP credentials. Operations not
//! listed here answer the spec's documented 501 until they are implemented.
mod get_ftp_credentials;

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
}
