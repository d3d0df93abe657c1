//! GET …/outputs/{output_id}/expected: the baseline the run was judged against.
use super::output::{Output, output_file};
use crate::api::{GetExpectedOutputInput, GetExpectedOutputResponse};
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: GetExpectedOutputInput,
) -> Result<GetExpectedOutputResponse, ApiError> {
    let o = Output::load(
        state,
        req.run_id,
        req.sample_id,
        req.regression_id,
        req.output_id,
    )
    .await?;
    let hash = o.expected.clone().unwrap_or_default();
    Ok(GetExpectedOutputResponse::Ok(Json(
        output_file(state, &o, &hash, req.format).await?,
    )))
}
