//! GET /runs/{run_id}/samples: one entry per regression test of the run (its scope plus
//! anything it reported), judged by the verdict rules. A run holds at most a few thousand tests, so the page is cut after judging them all,
//! which keeps the status filter and `total` exact; the queries stay constant.
use crate::api::{ListRunSamplesInput, ListRunSamplesResponse, RunSample, RunSamplePage};
use crate::data::catalog::{self, Catalog};
use crate::data::lookup::JudgedRun;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, slice};
use crate::views::run_sample::run_sample;
use poem_openapi::payload::Json;
use std::collections::BTreeSet;

pub async fn handle(
    state: &AppState,
    req: ListRunSamplesInput,
) -> Result<ListRunSamplesResponse, ApiError> {
    let j = JudgedRun::load(&state.db, req.run_id).await?;
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
        .map(|rt| run_sample(&j, &cat, *rt))
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
        meta: no_meta(),
    })))
}
