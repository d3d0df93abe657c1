//! GET /samples/{sample_id}.
use crate::api::{GetSampleInput, GetSampleResponse};
use crate::data::lookup;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::samples::samples;
use poem_openapi::payload::Json;

pub async fn handle(state: &AppState, req: GetSampleInput) -> Result<GetSampleResponse, ApiError> {
    let s = lookup::sample(&state.db, req.sample_id).await?;
    let mut data = samples(&state.db, vec![s]).await?;
    Ok(GetSampleResponse::Ok(Json(data.remove(0))))
}
