//! GET /samples/{sample_id}/media-info/download: the sample's MediaInfo report
//! (`TestFiles/media/<sha>.xml`).
use crate::api::{DownloadSampleMediaInfoInput, DownloadSampleMediaInfoResponse};
use crate::data::lookup;
use crate::files::Key;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::stored_file::{sample_file, stored_file};
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: DownloadSampleMediaInfoInput,
) -> Result<DownloadSampleMediaInfoResponse, ApiError> {
    let s = lookup::sample(&state.db, req.sample_id).await?;
    let key = Key::media_info(s.sha.as_deref().unwrap_or_default());
    let f = stored_file(&state.storage, key, "MediaInfo").await?;
    Ok(DownloadSampleMediaInfoResponse::Ok(Json(sample_file(
        req.sample_id,
        f,
    ))))
}
