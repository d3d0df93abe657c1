//! GET /runs/{run_id}/errors, /error-summary and /infrastructure-errors: errors derived from a
//! run's results and progress by `classify` (there is no error table upstream).
use super::lookup::JudgedRun;
use super::page::slice;
use crate::api::{
    ErrorGroupBy, ErrorItem, ErrorItemPage, ErrorLocation, ErrorSummaryBucket,
    ErrorSummaryBucketPage, GetRunErrorSummaryRequest, GetRunErrorSummaryResponse,
    ListInfrastructureErrorsRequest, ListInfrastructureErrorsResponse, ListRunErrorsRequest,
    ListRunErrorsResponse, Severity,
};
use crate::app::AppState;
use crate::auth::Principal;
use crate::catalog::Catalog;
use crate::classify;
use crate::error::ApiError;
use crate::facts::Runs;
use crate::types::UtcDateTime;
use poem_openapi::payload::Json;
use std::collections::{BTreeMap, BTreeSet};

/// Every result error of the run, ordered by regression test then as classified.
async fn result_errors(state: &AppState, run_id: i32) -> Result<Vec<ErrorItem>, ApiError> {
    let j = JudgedRun::load(state, run_id).await?;
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
                format!(
                    "{}{}",
                    o.correct.as_deref().unwrap_or_default(),
                    o.correct_extension
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

pub async fn list(
    state: &AppState,
    req: ListRunErrorsRequest,
) -> Result<ListRunErrorsResponse, ApiError> {
    let rows: Vec<ErrorItem> = result_errors(state, req.run_id)
        .await?
        .into_iter()
        .filter(|e| {
            req.r#type.is_none_or(|t| {
                // test_failure is the umbrella of every result error.
                t.as_str() == "test_failure" || t.as_str() == e.r#type.as_str()
            })
        })
        .filter(|e| req.severity.is_none_or(|s| s == e.severity))
        .filter(|e| req.sample_id.is_none_or(|s| e.sample_id == Some(s)))
        .collect();
    let (data, pagination) = slice(rows, req.limit, req.offset);
    Ok(ListRunErrorsResponse::Ok(Json(ErrorItemPage {
        data,
        pagination,
        meta: serde_json::json!({}),
    })))
}

pub async fn summary(
    state: &AppState,
    req: GetRunErrorSummaryRequest,
) -> Result<GetRunErrorSummaryResponse, ApiError> {
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
    Ok(GetRunErrorSummaryResponse::Ok(Json(
        ErrorSummaryBucketPage {
            data,
            pagination,
            meta: serde_json::json!({"group_by": group_by.as_str()}),
        },
    )))
}

pub async fn infrastructure(
    state: &AppState,
    p: &Principal,
    req: ListInfrastructureErrorsRequest,
) -> Result<ListInfrastructureErrorsResponse, ApiError> {
    if req.include_stack && !matches!(p.role.as_str(), "admin" | "contributor") {
        return Err(
            ApiError::forbidden("include_stack is for admins and contributors.")
                .detail(
                    "required_roles",
                    serde_json::json!(["admin", "contributor"]),
                )
                .detail("user_role", p.role.clone()),
        );
    }
    // Only the run's progress rows say anything here: its results are not loaded.
    let runs = Runs::load(&state.db, &[req.run_id]).await?;
    if runs.runs.is_empty() {
        return Err(ApiError::not_found("Run"));
    }
    let rows: Vec<ErrorItem> = runs
        .progress_of(req.run_id)
        .iter()
        .filter(|p| p.status == "canceled")
        .filter_map(|p| {
            let kind = classify::infrastructure_type(&p.message)?;
            Some(ErrorItem {
                error_id: format!("infra_{}_{}", req.run_id, p.id),
                run_id: req.run_id,
                sample_id: None,
                regression_id: None,
                r#type: kind,
                severity: Severity::Critical,
                message: p.message.clone(),
                location: None,
                stack: req
                    .include_stack
                    .then(|| p.message.lines().map(str::to_string).collect()),
                occurred_at: Some(UtcDateTime::from_naive_utc(p.timestamp)),
            })
        })
        .filter(|e| req.r#type.is_none_or(|t| t.as_str() == e.r#type.as_str()))
        .filter(|e| req.severity.is_none_or(|s| s == e.severity))
        .collect();
    let (data, pagination) = slice(rows, req.limit, req.offset);
    Ok(ListInfrastructureErrorsResponse::Ok(Json(ErrorItemPage {
        data,
        pagination,
        meta: serde_json::json!({}),
    })))
}
