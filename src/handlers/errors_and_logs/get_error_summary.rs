//! GET /runs/{run_id}/error-summary: the run's errors grouped, largest groups first.
use super::result_errors::result_errors;
use crate::api::{
    ErrorGroupBy, ErrorSummaryBucket, ErrorSummaryBucketPage, ErrorSummaryMeta,
    GetErrorSummaryInput, GetErrorSummaryResponse, Severity,
};
use crate::domain::classify;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::slice;
use poem_openapi::payload::Json;
use std::collections::BTreeMap;

pub async fn handle(
    state: &AppState,
    req: GetErrorSummaryInput,
) -> Result<GetErrorSummaryResponse, ApiError> {
    let group_by = req.group_by.unwrap_or(ErrorGroupBy::Type);
    let mut buckets: BTreeMap<String, ErrorSummaryBucket> = BTreeMap::new();
    for e in result_errors(state, req.run_id).await? {
        if req.severity.is_some_and(|s| s != e.severity) {
            continue;
        }
        let key = match group_by {
            ErrorGroupBy::Type => e.r#type.as_str().to_string(),
            ErrorGroupBy::SampleId => e.sample_id.map_or("none".into(), |s| s.to_string()),
            ErrorGroupBy::RegressionId => e.regression_id.map_or("none".into(), |r| r.to_string()),
            ErrorGroupBy::Severity => e.severity.as_str().to_string(),
        };
        let b = buckets
            .entry(key.clone())
            .or_insert_with(|| ErrorSummaryBucket {
                group_by,
                key,
                count: 0,
                severity: Severity::Info,
                sample_ids: vec![],
                first_seen_at: e.occurred_at,
                last_seen_at: e.occurred_at,
            });
        b.count += 1;
        if classify::rank(e.severity) > classify::rank(b.severity) {
            b.severity = e.severity;
        }
        if let Some(s) = e.sample_id
            && !b.sample_ids.contains(&s)
            && b.sample_ids.len() < 1000
        {
            b.sample_ids.push(s);
        }
    }
    let mut rows: Vec<ErrorSummaryBucket> = buckets.into_values().collect();
    for b in &mut rows {
        b.sample_ids.sort_unstable();
    }
    // Largest groups first; the key breaks ties so pages are stable.
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    let (data, pagination) = slice(rows, req.limit, req.offset);
    Ok(GetErrorSummaryResponse::Ok(Json(ErrorSummaryBucketPage {
        data,
        pagination,
        meta: ErrorSummaryMeta { group_by },
    })))
}
