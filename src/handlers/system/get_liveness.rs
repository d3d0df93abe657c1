//! GET /system/health/live: the process answers; no dependency is asked.
use crate::api::{GetLivenessInput, GetLivenessResponse, Liveness, LivenessStatus};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::types::UtcDateTime;
use poem_openapi::payload::Json;

pub async fn handle(
    _state: &AppState,
    _req: GetLivenessInput,
) -> Result<GetLivenessResponse, ApiError> {
    Ok(GetLivenessResponse::Ok(Json(Liveness {
        status: LivenessStatus::Ok,
        checked_at: UtcDateTime::now(),
    })))
}
