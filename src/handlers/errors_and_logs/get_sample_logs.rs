//! GET /runs/{run_id}/samples/{sample_id}/logs.
use super::logs::log_not_found;
use crate::api::{GetSampleLogsInput, GetSampleLogsResponse};
use crate::data::lookup;
use crate::http::error::ApiError;
use crate::state::AppState;

/// Per-sample logs are not recorded by the platform: the run must exist, the log never does.
pub async fn handle(
    state: &AppState,
    req: GetSampleLogsInput,
) -> Result<GetSampleLogsResponse, ApiError> {
    lookup::run(&state.db, req.run_id).await?;
    Err(log_not_found().into())
}
