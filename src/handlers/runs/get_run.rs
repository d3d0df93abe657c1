//! GET /runs/{run_id}: the run, judged live.
use crate::api::{GetRunInput, GetRunResponse};
use crate::data::lookup::JudgedRun;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views;
use poem_openapi::payload::Json;

pub async fn handle(state: &AppState, req: GetRunInput) -> Result<GetRunResponse, ApiError> {
    let j = JudgedRun::load(&state.db, req.run_id).await?;
    Ok(GetRunResponse::Ok(Json(views::runs::run(
        &j.runs,
        j.run(),
        j.statuses(),
    ))))
}
