//! GET /system/about: versions of the platform and of CCExtractor.
use crate::api::{SystemAbout, SystemAboutInput, SystemAboutResponse};
use crate::data::entity::{ccextractor_version, general_data};
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

pub async fn handle(
    state: &AppState,
    _req: SystemAboutInput,
) -> Result<SystemAboutResponse, ApiError> {
    let db = &state.db;
    let latest = ccextractor_version::Entity::find()
        .order_by_desc(ccextractor_version::Column::Released)
        .order_by_desc(ccextractor_version::Column::Id)
        .one(db)
        .await?;
    let last_commit = general_data::Entity::find()
        .filter(general_data::Column::Key.eq("last_commit"))
        .one(db)
        .await?
        .map(|g| g.value);
    Ok(SystemAboutResponse::Ok(Json(SystemAbout {
        // Set at build time by whoever builds a release (e.g. CI), absent in local builds.
        platform_commit: option_env!("SPCI_BUILD_COMMIT").map(str::to_string),
        ccextractor_version: latest.as_ref().and_then(|v| v.version.clone()),
        ccextractor_released: latest
            .and_then(|v| v.released)
            .map(|d| d.format("%Y-%m-%d").to_string()),
        last_tested_commit: last_commit,
    })))
}
