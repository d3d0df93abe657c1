//! DELETE /regression-tests/{regression_test_id}/quarantine: ends the period in force at the
//! next whole second (runs that completed while it was in force keep their effective status),
//! with its audit row, under the same lock as quarantining.
use crate::api::{AuditAction, LiftQuarantineInput, LiftQuarantineResponse};
use crate::auth::Principal;
use crate::data::audit::{self, Change};
use crate::data::quarantine::{boundary, of_test, period};
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::domain::quarantine::in_force;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views;
use chrono::Utc;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    req: LiftQuarantineInput,
) -> Result<LiftQuarantineResponse, ApiError> {
    let id = req.regression_test_id;
    let tx = begin_write(&state.db).await?;
    crate::data::lookup::regression_test_locked(&tx, id).await?;
    let mut quarantines = of_test(&tx, id).await?;
    let now = Utc::now().naive_utc();
    let periods: Vec<_> = quarantines.iter().map(period).collect();
    let current = in_force(&periods, now)
        .map(|i| quarantines.swap_remove(i))
        .ok_or_else(|| DomainError::not_found("Quarantine"))?;
    let quarantine_id = current.id;
    let mut lifted = current.into_active_model();
    lifted.lifted_at = Set(Some(boundary(now)));
    lifted.lifted_by = Set(Some(principal.user_id));
    let lifted = lifted.update(&tx).await?;
    audit::record(
        &tx,
        Change {
            actor_id: principal.user_id,
            action: AuditAction::QuarantineLifted,
            target: &id.to_string(),
            previous: Some(lifted.reason.clone()),
            value: Some(format!("quarantine {quarantine_id} lifted")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(LiftQuarantineResponse::Ok(Json(
        views::quarantine::quarantine(lifted, now),
    )))
}
