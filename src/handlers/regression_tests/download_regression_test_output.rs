//! GET /regression-tests/{regression_test_id}/outputs/{output_id}/download: where the
//! baseline file is (`TestResults/<hash><ext>`).
use crate::api::{DownloadRegressionTestOutputInput, DownloadRegressionTestOutputResponse};
use crate::data::lookup;
use crate::files::Key;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::stored_file::stored_file;
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: DownloadRegressionTestOutputInput,
) -> Result<DownloadRegressionTestOutputResponse, ApiError> {
    let o = lookup::output(&state.db, req.regression_test_id, req.output_id).await?;
    let key = Key::result(&o.correct.unwrap_or_default(), &o.correct_extension);
    let f = stored_file(&state.storage, key, "Baseline").await?;
    Ok(DownloadRegressionTestOutputResponse::Ok(Json(f)))
}
