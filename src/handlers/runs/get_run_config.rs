//! GET /runs/{run_id}/config: what the run was asked to do.
use crate::api::{GetRunConfigInput, GetRunConfigResponse, RunConfig};
use crate::data::lookup::JudgedRun;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::runs::platform;
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: GetRunConfigInput,
) -> Result<GetRunConfigResponse, ApiError> {
    let run_id = req.run_id;
    let j = JudgedRun::load(&state.db, run_id).await?;
    let run = j.run();
    Ok(GetRunConfigResponse::Ok(Json(RunConfig {
        run_id,
        platform: platform(&run.platform),
        branch: run.branch.clone(),
        commit_sha: run.commit.clone(),
        regression_test_ids: j.judging.scope_of(run_id),
    })))
}
