//! GET /samples/{sample_id}/download: where the sample file is (`TestFiles/<sha>.<ext>`).
use crate::api::{DownloadSampleInput, DownloadSampleResponse};
use crate::data::lookup;
use crate::files::Key;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::stored_file::{sample_file, stored_file};
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: DownloadSampleInput,
) -> Result<DownloadSampleResponse, ApiError> {
    let s = lookup::sample(&state.db, req.sample_id).await?;
    let key = Key::sample(s.sha.as_deref().unwrap_or_default(), &s.extension);
    let f = stored_file(&state.storage, key, "Sample").await?;
    Ok(DownloadSampleResponse::Ok(Json(sample_file(
        req.sample_id,
        f,
    ))))
}
