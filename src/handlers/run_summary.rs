//! GET /runs/{run_id}/summary: counts over the run's tests (its scope plus anything it
//! reported), each test in exactly one bucket, so they always add up to `total_samples`.
use super::lookup::JudgedRun;
use crate::api::{GetRunSummaryResponse, RunSummary};
use crate::app::AppState;
use crate::error::ApiError;
use crate::verdict;
use poem_openapi::payload::Json;

pub async fn handle(state: &AppState, run_id: i32) -> Result<GetRunSummaryResponse, ApiError> {
    let j = JudgedRun::load(state, run_id).await?;
    let statuses = j.judging.sample_statuses(run_id, j.phase);
    let counts = verdict::count(statuses.iter().map(|(_, s)| *s));
    let error_count: usize = statuses
        .iter()
        .map(|(rt, _)| {
            crate::classify::result_errors(run_id, *rt, &j.judging.facts(run_id, *rt, j.phase))
                .len()
        })
        .sum();
    let duration: i64 = j
        .judging
        .results
        .values()
        .filter(|r| r.test_id == run_id)
        .filter_map(|r| r.runtime)
        .map(i64::from)
        .sum();
    Ok(GetRunSummaryResponse::Ok(Json(RunSummary {
        run_id,
        status: j.status(),
        total_samples: counts.total,
        pass_count: counts.pass,
        fail_count: counts.fail,
        skipped_count: counts.skipped,
        missing_output_count: counts.missing_output,
        error_count: error_count as i64,
        duration_ms: (duration != 0).then_some(duration),
    })))
}
