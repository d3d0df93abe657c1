//! GET /runs/{run_id}: the run, judged live.
use super::lookup::JudgedRun;
use crate::api::GetRunResponse;
use crate::app::AppState;
use crate::error::ApiError;
use poem_openapi::payload::Json;

pub async fn handle(state: &AppState, run_id: i32) -> Result<GetRunResponse, ApiError> {
    Ok(GetRunResponse::Ok(Json(
        JudgedRun::load(state, run_id).await?.to_api(),
    )))
}
