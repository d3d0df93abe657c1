//! Errors derived from a run's results by `domain::classify` (upstream has no error table),
//! shared by the error list and the error summary.
use crate::api::{ErrorItem, ErrorLocation};
use crate::data::catalog::Catalog;
use crate::data::lookup::JudgedRun;
use crate::domain::{DomainError, classify};
use crate::files::storage::result_file_name;
use crate::state::AppState;
use crate::types::UtcDateTime;
use std::collections::BTreeSet;

/// Every result error of the run, ordered by regression test then as classified.
pub async fn result_errors(state: &AppState, run_id: i32) -> Result<Vec<ErrorItem>, DomainError> {
    let j = JudgedRun::load(&state.db, run_id).await?;
    let rts: BTreeSet<i32> = j.judging.tests_of(run_id).into_iter().collect();
    let cat = Catalog::load(&state.db, &rts).await?;
    let occurred_at = j
        .runs
        .progress_of(run_id)
        .last()
        .map(|p| UtcDateTime::from_naive_utc(p.timestamp));
    let mut items = Vec::new();
    for rt in rts {
        let facts = j.judging.facts(run_id, rt, j.phase);
        let sample = cat.sample_of(rt);
        for c in classify::result_errors(run_id, rt, &facts) {
            let file = c.output_id.and_then(|o| cat.output(rt, o)).map(|o| {
                result_file_name(
                    o.correct.as_deref().unwrap_or_default(),
                    &o.correct_extension,
                )
            });
            items.push(ErrorItem {
                error_id: c.error_id,
                run_id,
                sample_id: sample.map(|s| s.id),
                regression_id: Some(rt),
                r#type: c.kind,
                severity: c.severity,
                message: c.message,
                location: sample.map(|s| ErrorLocation {
                    file,
                    line: None,
                    column: None,
                    sample_name: Some(s.original_name.clone()),
                }),
                stack: None,
                occurred_at,
            });
        }
    }
    Ok(items)
}
