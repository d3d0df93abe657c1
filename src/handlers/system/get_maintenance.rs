//! GET /system/maintenance.
use crate::api::{GetMaintenanceInput, GetMaintenanceResponse, MaintenanceOverview};
use crate::data::maintenance::overview;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    _req: GetMaintenanceInput,
) -> Result<GetMaintenanceResponse, ApiError> {
    Ok(GetMaintenanceResponse::Ok(Json(MaintenanceOverview {
        platforms: overview(&state.db).await?,
    })))
}
