//! GET /runs/{run_id}/config: what the run was asked to do.
use super::lookup::JudgedRun;
use crate::api::{GetRunConfigResponse, RunConfig};
use crate::app::AppState;
use crate::error::ApiError;
use crate::facts::platform;
use poem_openapi::payload::Json;

pub async fn handle(state: &AppState, run_id: i32) -> Result<GetRunConfigResponse, ApiError> {
    let j = JudgedRun::load(state, run_id).await?;
    let run = j.run();
    Ok(GetRunConfigResponse::Ok(Json(RunConfig {
        run_id,
        platform: platform(&run.platform),
        branch: run.branch.clone(),
        commit_sha: run.commit.clone(),
        regression_test_ids: j.judging.scope_of(run_id),
    })))
}
