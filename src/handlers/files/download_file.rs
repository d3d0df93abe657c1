//! GET /files/{file_token}: the signature is the authorisation, as with a cloud store's signed
//! URL; the file is streamed, whole or one byte range, never held.
use crate::api::{DownloadFileInput, DownloadFileResponse};
use crate::domain::etag;
use crate::domain::links::FileLinkError;
use crate::domain::ranges::{ByteRange, requested};
use crate::domain::{DomainError, ErrorKind};
use crate::http::error::ApiError;
use crate::state::AppState;
use poem::Body;
use poem_openapi::payload::Binary;

pub async fn handle(
    state: &AppState,
    req: DownloadFileInput,
) -> Result<DownloadFileResponse, ApiError> {
    let now = chrono::Utc::now().timestamp();
    let key = state
        .storage
        .open_local_link(&req.file_token, now)
        .map_err(refused)?;
    let (size, version) = state
        .storage
        .version(&key)
        .await?
        .ok_or_else(|| DomainError::not_found("File"))?;
    let tag = etag::of_file(key.file_name(), size, version.as_deref());
    let disposition = format!("attachment; filename=\"{}\"", key.file_name());
    let accept = "bytes".to_string();
    match requested(req.range.as_deref(), size) {
        ByteRange::Whole => {
            let body = Body::from_bytes_stream(state.storage.range_stream(&key, 0, size).await?);
            Ok(DownloadFileResponse::Ok(
                Binary(body),
                size as i64,
                accept,
                tag,
                disposition,
            ))
        }
        ByteRange::Part { start, end } => {
            let body = Body::from_bytes_stream(state.storage.range_stream(&key, start, end).await?);
            Ok(DownloadFileResponse::PartialContent(
                Binary(body),
                (end - start) as i64,
                format!("bytes {start}-{}/{size}", end - 1),
                accept,
                tag,
                disposition,
            ))
        }
        ByteRange::Unsatisfiable => Err(DomainError::new(
            ErrorKind::RangeNotSatisfiable,
            "The range starts past the end of the file.",
        )
        .detail("size", size)
        .into()),
    }
}

fn refused(e: FileLinkError) -> DomainError {
    let reason = match e {
        FileLinkError::Malformed | FileLinkError::Forged => "invalid",
        FileLinkError::Expired => "expired",
    };
    DomainError::forbidden("The link is invalid or has expired; ask the API for a new one.")
        .detail("reason", reason)
}
