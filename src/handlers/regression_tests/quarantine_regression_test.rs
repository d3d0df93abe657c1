//! POST /regression-tests/{regression_test_id}/quarantine: a new period from the next whole
//! second, checked against the test's periods under a lock on the test's row (two concurrent
//! requests cannot both find none in force), written with its audit row in one transaction.
use crate::api::{AuditAction, QuarantineRegressionTestInput, QuarantineRegressionTestResponse};
use crate::auth::Principal;
use crate::data::audit::{self, Change};
use crate::data::entity::spci_quarantine;
use crate::data::quarantine::{boundary, of_test, period};
use crate::data::writer::begin_write;
use crate::domain::quarantine::check_new;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views;
use chrono::Utc;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, Set};

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    req: QuarantineRegressionTestInput,
) -> Result<QuarantineRegressionTestResponse, ApiError> {
    let id = req.regression_test_id;
    let expires = req.body.expires_at.map(|e| e.naive_utc());
    let tx = begin_write(&state.db).await?;
    crate::data::lookup::regression_test_locked(&tx, id).await?;
    let periods: Vec<_> = of_test(&tx, id).await?.iter().map(period).collect();
    let now = Utc::now().naive_utc();
    check_new(&periods, now, expires).map_err(|e| e.detail("regression_test_id", id))?;
    let created = spci_quarantine::ActiveModel {
        regression_test_id: Set(id),
        reason: Set(req.body.reason.clone()),
        created_by: Set(principal.user_id),
        created_at: Set(boundary(now)),
        expires_at: Set(expires),
        lifted_at: Set(None),
        lifted_by: Set(None),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Change {
            actor_id: principal.user_id,
            action: AuditAction::TestQuarantined,
            target: &id.to_string(),
            previous: None,
            value: Some(match expires {
                Some(e) => format!("{} (until {})", req.body.reason, e.and_utc().to_rfc3339()),
                None => req.body.reason,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(QuarantineRegressionTestResponse::Created(Json(
        views::quarantine::quarantine(created, now),
    )))
}
