//! PATCH /system/maintenance/{platform}: the change and its audit row in one transaction.
use crate::api::{
    AuditAction, MaintenanceState, UpdateMaintenanceInput, UpdateMaintenanceResponse,
};
use crate::auth::Principal;
use crate::data::audit::{self, Change};
use crate::data::entity::maintenance_mode;
use crate::data::maintenance::row;
use crate::data::writer::begin_write;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    req: UpdateMaintenanceInput,
) -> Result<UpdateMaintenanceResponse, ApiError> {
    let platform = req.platform;
    let disabled = req.body.disabled;
    let tx = begin_write(&state.db).await?;
    let previous = match row(&tx, platform).await? {
        Some(current) => {
            let was = current.disabled;
            if was != disabled {
                let mut m = current.into_active_model();
                m.disabled = Set(disabled);
                m.update(&tx).await?;
            }
            Some(was)
        }
        None => {
            maintenance_mode::ActiveModel {
                platform: Set(platform.as_str().to_string()),
                disabled: Set(disabled),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
            None
        }
    };
    if previous != Some(disabled) {
        audit::record(
            &tx,
            Change {
                actor_id: principal.user_id,
                action: AuditAction::MaintenanceChanged,
                target: platform.as_str(),
                previous: Some(previous.unwrap_or(false).to_string()),
                value: Some(disabled.to_string()),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(UpdateMaintenanceResponse::Ok(Json(MaintenanceState {
        platform,
        disabled,
    })))
}
