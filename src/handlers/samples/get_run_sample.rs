//! GET /runs/{run_id}/samples/{regression_test_id}: one regression test of the run, judged by
//! the verdict rules; a test the run neither scoped nor reported is a 404.
use crate::api::{GetRunSampleInput, GetRunSampleResponse};
use crate::data::catalog::Catalog;
use crate::data::lookup::JudgedRun;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::run_sample::run_sample;
use poem_openapi::payload::Json;
use std::collections::BTreeSet;

pub async fn handle(
    state: &AppState,
    req: GetRunSampleInput,
) -> Result<GetRunSampleResponse, ApiError> {
    let (run_id, rt) = (req.run_id, req.regression_test_id);
    let j = JudgedRun::load(&state.db, run_id).await?;
    if !j.judging.tests_of(run_id).contains(&rt) {
        return Err(DomainError::not_found("Regression test in this run").into());
    }
    let cat = Catalog::load(&state.db, &BTreeSet::from([rt])).await?;
    Ok(GetRunSampleResponse::Ok(Json(run_sample(&j, &cat, rt))))
}
