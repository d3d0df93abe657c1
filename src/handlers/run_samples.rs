//! GET /runs/{run_id}/samples and /runs/{run_id}/samples/{regression_test_id}: one entry per
//! regression test of the run (its scope plus anything it reported), judged by the verdict
//! rules. A run holds at most a few thousand tests, so the page is cut after judging them all,
//! which keeps the status filter and `total` exact; the queries stay constant.
use super::lookup::JudgedRun;
use super::page::slice;
use crate::api::{
    GetRunSampleResponse, ListRunSamplesRequest, ListRunSamplesResponse, RunSample,
    RunSampleOutput, RunSamplePage,
};
use crate::app::AppState;
use crate::catalog::{self, Catalog};
use crate::error::ApiError;
use crate::verdict;
use poem_openapi::payload::Json;
use std::collections::BTreeSet;

pub async fn list(
    state: &AppState,
    req: ListRunSamplesRequest,
) -> Result<ListRunSamplesResponse, ApiError> {
    let j = JudgedRun::load(state, req.run_id).await?;
    let rts: BTreeSet<i32> = j.judging.tests_of(req.run_id).into_iter().collect();
    let cat = Catalog::load(&state.db, &rts).await?;
    let tags = if req.tag.is_some() {
        let samples = cat.samples.keys().copied().collect();
        catalog::tags_of(&state.db, &samples).await?
    } else {
        Default::default()
    };
    let name = req.name.as_deref().map(str::to_lowercase);
    let rows: Vec<RunSample> = rts
        .iter()
        .map(|rt| entry(&j, &cat, *rt))
        .filter(|s| req.status.is_none_or(|want| s.status == want))
        .filter(|s| {
            name.as_deref().is_none_or(|n| {
                s.sample_name
                    .as_deref()
                    .is_some_and(|sn| sn.to_lowercase().contains(n))
            })
        })
        .filter(|s| {
            req.category
                .as_deref()
                .is_none_or(|c| s.categories.iter().any(|x| x.eq_ignore_ascii_case(c)))
        })
        .filter(|s| {
            req.tag.as_deref().is_none_or(|t| {
                s.sample_id
                    .and_then(|id| tags.get(&id))
                    .is_some_and(|ts| ts.iter().any(|x| x.eq_ignore_ascii_case(t)))
            })
        })
        .collect();
    let (data, pagination) = slice(rows, req.limit, req.offset);
    Ok(ListRunSamplesResponse::Ok(Json(RunSamplePage {
        data,
        pagination,
        meta: serde_json::json!({}),
    })))
}

pub async fn one(state: &AppState, run_id: i32, rt: i32) -> Result<GetRunSampleResponse, ApiError> {
    let j = JudgedRun::load(state, run_id).await?;
    if !j.judging.tests_of(run_id).contains(&rt) {
        return Err(ApiError::not_found("Regression test in this run"));
    }
    let cat = Catalog::load(&state.db, &BTreeSet::from([rt])).await?;
    Ok(GetRunSampleResponse::Ok(Json(entry(&j, &cat, rt))))
}

fn entry(j: &JudgedRun, cat: &Catalog, rt: i32) -> RunSample {
    let run = j.run().id;
    let facts = j.judging.facts(run, rt, j.phase);
    let result = j.judging.results.get(&(run, rt));
    let files = j.judging.files.get(&(run, rt));
    let outputs = verdict::output_statuses(&facts)
        .into_iter()
        .map(|(output_id, status)| {
            let filename = match cat.output(rt, output_id) {
                Some(o) => format!(
                    "{}{}",
                    o.correct.as_deref().unwrap_or_default(),
                    o.correct_extension
                ),
                // The output was deleted since: name it by the hash the run expected.
                None => files
                    .and_then(|fs| fs.iter().find(|f| f.regression_test_output_id == output_id))
                    .map(|f| f.expected.clone())
                    .unwrap_or_default(),
            };
            RunSampleOutput {
                output_id,
                filename,
                status,
            }
        })
        .collect();
    let test = cat.tests.get(&rt);
    let sample = cat.sample_of(rt);
    RunSample {
        regression_test_id: rt,
        sample_id: sample.map(|s| s.id),
        sample_name: sample.map(|s| s.original_name.clone()),
        categories: cat.categories_of(rt),
        command: test.map(|t| t.command.clone()).unwrap_or_default(),
        status: verdict::sample_status(&facts),
        runtime_ms: result.and_then(|r| r.runtime).map(i64::from),
        exit_code: result.and_then(|r| r.exit_code),
        expected_rc: result
            .and_then(|r| r.expected_rc)
            .or_else(|| test.and_then(|t| t.expected_rc)),
        outputs,
    }
}
