//! GET /runs/{run_id}/comparison: every test of the run (and any only a base ran) in
//! upstream's classes against each base. A fixed number of queries whatever the number of
//! tests: the bases are found first, then all runs are judged together.
use crate::api::{
    ComparisonBase, ComparisonEntry, ComparisonMeta, ComparisonPage, ComparisonReference,
    ComparisonVersus, GetRunComparisonInput, GetRunComparisonResponse, OutputSignature,
};
use crate::data::comparison::states_of;
use crate::data::entity::test;
use crate::data::loaders::{Judging, Runs};
use crate::domain::DomainError;
use crate::domain::comparison::{
    ANCESTOR_SEARCH_DEPTH, TestState, classify, counts, nearest_ancestor_run,
};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::slice;
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One base asked for: its run, or why there is none.
struct Reference {
    base: ComparisonBase,
    run: Result<test::Model, String>,
}

pub async fn handle(
    state: &AppState,
    req: GetRunComparisonInput,
) -> Result<GetRunComparisonResponse, ApiError> {
    let run = test::Entity::find_by_id(req.run_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| DomainError::not_found("Run"))?;
    let references = match req.base.as_deref() {
        None => vec![
            master(state, &run).await?,
            ancestor(state, &run, false).await?,
        ],
        Some("master") => vec![master(state, &run).await?],
        Some("ancestor") => vec![ancestor(state, &run, true).await?],
        Some(id) => vec![by_id(state, id).await?],
    };

    let mut ids = vec![run.id];
    for r in &references {
        if let Ok(b) = &r.run
            && !ids.contains(&b.id)
        {
            ids.push(b.id);
        }
    }
    let (runs, judging) =
        tokio::try_join!(Runs::load(&state.db, &ids), Judging::load(&state.db, &ids))?;
    let states: HashMap<i32, BTreeMap<i32, TestState>> = ids
        .iter()
        .map(|&id| (id, states_of(&judging, id, runs.phase(id))))
        .collect();
    let here = &states[&run.id];
    let bases: Vec<Option<&BTreeMap<i32, TestState>>> = references
        .iter()
        .map(|r| r.run.as_ref().ok().map(|b| &states[&b.id]))
        .collect();

    let mut tests: BTreeSet<i32> = here.keys().copied().collect();
    for b in bases.iter().flatten() {
        tests.extend(b.keys());
    }
    let mut entries: Vec<ComparisonEntry> = tests
        .into_iter()
        .map(|rt| {
            let current = here.get(&rt);
            let against = references
                .iter()
                .zip(&bases)
                .map(|(r, b)| {
                    let there = b.and_then(|b| b.get(&rt));
                    ComparisonVersus {
                        base: r.base,
                        class: classify(current, there),
                        base_status: there.map(|t| t.status),
                        base_signature: there.map(wire_signature).unwrap_or_default(),
                    }
                })
                .collect();
            ComparisonEntry {
                regression_test_id: rt,
                sample_id: None,
                status: current.map(|t| t.status),
                signature: current.map(wire_signature).unwrap_or_default(),
                against,
            }
        })
        .collect();
    let meta = ComparisonMeta {
        run_id: run.id,
        references: references
            .iter()
            .enumerate()
            .map(|(i, r)| ComparisonReference {
                base: r.base,
                base_run_id: r.run.as_ref().ok().map(|b| b.id),
                commit_sha: r.run.as_ref().ok().map(|b| b.commit.clone()),
                unavailable: r.run.as_ref().err().cloned(),
                counts: counts(entries.iter().map(|e| e.against[i].class)),
            })
            .collect(),
    };
    if let Some(class) = req.comparison_class {
        entries.retain(|e| e.against.iter().any(|v| v.class == class));
    }
    let (mut data, pagination) = slice(entries, req.limit, req.offset);
    let samples =
        crate::data::catalog::sample_ids_of(&state.db, data.iter().map(|e| e.regression_test_id))
            .await?;
    for e in &mut data {
        e.sample_id = samples.get(&e.regression_test_id).copied().flatten();
    }
    Ok(GetRunComparisonResponse::Ok(Json(ComparisonPage {
        data,
        pagination,
        meta,
    })))
}

fn wire_signature(t: &TestState) -> Vec<OutputSignature> {
    t.signature
        .iter()
        .map(|(output_id, got)| OutputSignature {
            output_id: *output_id,
            got: got.clone(),
        })
        .collect()
}

async fn by_id(state: &AppState, id: &str) -> Result<Reference, DomainError> {
    // The spec's pattern allows ten digits; an id past i32 names no run.
    let not_found = || DomainError::not_found("Base run");
    let id: i32 = id.parse().map_err(|_| not_found())?;
    let run = test::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(not_found)?;
    Ok(Reference {
        base: ComparisonBase::Run,
        run: Ok(run),
    })
}

async fn master(state: &AppState, run: &test::Model) -> Result<Reference, DomainError> {
    let found = crate::data::comparison::latest_master(&state.db, &run.platform, run.id).await?;
    Ok(Reference {
        base: ComparisonBase::Master,
        run: found.ok_or_else(|| format!("No other completed master run on {}.", run.platform)),
    })
}

/// The closest ancestor's completed run. GitHub unreachable is a 503 when the ancestor is all
/// that was asked for, else this base is reported unavailable and the others still answer.
async fn ancestor(
    state: &AppState,
    run: &test::Model,
    only: bool,
) -> Result<Reference, DomainError> {
    let unavailable = |why: String| Reference {
        base: ComparisonBase::Ancestor,
        run: Err(why),
    };
    // Upstream stores `pr` for pull-request runs; their number is what GitHub knows them by.
    let pull_request = (run.pr_nr > 0).then_some(run.pr_nr);
    let ancestry = match state
        .github
        .ancestry(
            &state.config.main_repository,
            pull_request,
            &run.commit,
            ANCESTOR_SEARCH_DEPTH,
        )
        .await
    {
        Ok(a) => a,
        Err(e) if only => return Err(e.into()),
        Err(e) => return Ok(unavailable(e.to_string())),
    };
    let runs =
        crate::data::comparison::completed_runs_of(&state.db, &run.platform, &ancestry, run.id)
            .await?;
    let commits: Vec<(String, i32)> = runs.iter().map(|r| (r.commit.clone(), r.id)).collect();
    let nearest = nearest_ancestor_run(&ancestry, &commits)
        .and_then(|id| runs.into_iter().find(|r| r.id == id));
    Ok(match nearest {
        Some(b) => Reference {
            base: ComparisonBase::Ancestor,
            run: Ok(b),
        },
        None => unavailable(format!(
            "No completed run on {} of the {} commits searched.",
            run.platform,
            ancestry.len()
        )),
    })
}
