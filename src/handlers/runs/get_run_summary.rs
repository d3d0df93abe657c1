//! GET /runs/{run_id}/summary: counts over the run's tests (its scope plus anything it
//! reported), each test in exactly one bucket, so they always add up to `total_samples`.
use crate::api::{GetRunSummaryInput, GetRunSummaryResponse, RunSummary};
use crate::data::lookup::JudgedRun;
use crate::domain::{classify, verdict};
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: GetRunSummaryInput,
) -> Result<GetRunSummaryResponse, ApiError> {
    let run_id = req.run_id;
    let j = JudgedRun::load(&state.db, run_id).await?;
    let statuses = j.judging.sample_statuses(run_id, j.phase);
    let counts = verdict::count(statuses.iter().map(|(_, s)| *s));
    let quarantined_failures = statuses
        .iter()
        .filter(|(rt, s)| verdict::fails_run(*s) && j.quarantined(*rt))
        .count();
    let (status, effective_status) = j.statuses_of(&statuses);
    let error_count: usize = statuses
        .iter()
        .map(|(rt, _)| {
            classify::result_errors(run_id, *rt, &j.judging.facts(run_id, *rt, j.phase)).len()
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
        status,
        effective_status,
        quarantined_failure_count: quarantined_failures as i64,
        total_samples: counts.total,
        pass_count: counts.pass,
        fail_count: counts.fail,
        skipped_count: counts.skipped,
        missing_output_count: counts.missing_output,
        error_count: error_count as i64,
        duration_ms: (duration != 0).then_some(duration),
    })))
}
