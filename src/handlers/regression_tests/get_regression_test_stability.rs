//! GET /regression-tests/{regression_test_id}/stability: the flaky list's computation for one
//! test, with its verdict in each run of the window.
use super::stability::{Ask, assess_all, wire};
use crate::api::{
    GetRegressionTestStabilityInput, GetRegressionTestStabilityResponse, PlatformStability,
    RegressionTestStability, StabilityVerdict,
};
use crate::data::entity::regression_test;
use crate::domain::DomainError;
use crate::domain::flakiness::Thresholds;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;

pub async fn handle(
    state: &AppState,
    req: GetRegressionTestStabilityInput,
) -> Result<GetRegressionTestStabilityResponse, ApiError> {
    let rt = regression_test::Entity::find_by_id(req.regression_test_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| DomainError::not_found("Regression test"))?;
    let ask = Ask {
        platform: req.platform,
        branch: req.branch,
        window: req.window,
        thresholds: Thresholds {
            min_flips: req.min_flips as u32,
            broken_runs: req.broken_runs as u32,
            half_life: req.half_life as u32,
        },
    };
    let now = chrono::Utc::now().naive_utc();
    let (assessed, quarantined) = tokio::try_join!(assess_all(state, &ask, Some(rt.id)), async {
        crate::data::quarantine::in_force_among(&state.db, [rt.id], now)
            .await
            .map_err(DomainError::from)
    },)?;
    let quarantined = quarantined.contains(&rt.id);
    let platforms = assessed
        .iter()
        .map(|a| PlatformStability {
            stability: wire(a, rt.sample_id, quarantined),
            sequence: a
                .sequence
                .iter()
                .map(|(v, status)| StabilityVerdict {
                    run_id: v.run_id,
                    commit_sha: v.commit.clone(),
                    status: *status,
                })
                .collect(),
        })
        .collect();
    Ok(GetRegressionTestStabilityResponse::Ok(Json(
        RegressionTestStability {
            regression_test_id: rt.id,
            thresholds: ask.wire_thresholds(),
            branch: ask.branch,
            platforms,
        },
    )))
}
