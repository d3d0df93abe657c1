//! GET /samples/{sample_id}/history: one entry per result of the sample's regression tests,
//! newest run first. Without a status filter the page is cut in SQL; with one, every matching
//! result of the sample is judged so the filter and `total` are exact (no scan cap: review
//! MEDIUM). Either way the number of queries is fixed (review H6).
use crate::api::{
    GetSampleHistoryInput, GetSampleHistoryResponse, SampleHistoryEntry, SampleHistoryEntryPage,
};
use crate::data::entity::{regression_test, test, test_result, test_result_file};
use crate::data::loaders::{self, Judging, Runs};
use crate::data::lookup;
use crate::domain::verdict::{self, Phase};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::types::UtcDateTime;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait, Select,
};
use std::collections::BTreeSet;

pub async fn handle(
    state: &AppState,
    req: GetSampleHistoryInput,
) -> Result<GetSampleHistoryResponse, ApiError> {
    let db = &state.db;
    lookup::sample(&state.db, req.sample_id).await?;
    let mut rts: BTreeSet<i32> = regression_test::Entity::find()
        .filter(regression_test::Column::SampleId.eq(req.sample_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    if let Some(only) = req.regression_test_id {
        rts.retain(|r| *r == only);
    }

    let results = filtered_results(&req, &rts);
    let (total, page) = match req.status {
        None => {
            let total = results.clone().count(db).await?;
            let page = newest_first(db, &req, &rts).await?;
            let runs: BTreeSet<i32> = page.iter().map(|r| r.test_id).collect();
            let files = test_result_file::Entity::find()
                .filter(test_result_file::Column::TestId.is_in(runs))
                .filter(test_result_file::Column::RegressionTestId.is_in(rts.iter().copied()))
                .all(db)
                .await?;
            let judging =
                Judging::from_rows(page.clone(), files, loaders::expectations(db, &rts).await?);
            (total, judged(&judging, page))
        }
        Some(want) => {
            // Judge every result of the sample (exact filter and total), one window of runs at
            // a time, newest first: memory follows the window, reads follow the indexes.
            let expected = loaders::expectations(db, &rts).await?;
            let (skip, take) = (req.offset as usize, req.limit as usize);
            let mut total = 0u64;
            let mut page = Vec::new();
            let mut hi = results
                .clone()
                .select_only()
                .column_as(test_result::Column::TestId.max(), "m")
                .into_tuple::<Option<i32>>()
                .one(db)
                .await?
                .flatten()
                .unwrap_or(0);
            while hi > 0 {
                let lo = Ord::max(hi.saturating_sub(HISTORY_WINDOW - 1), 1);
                // Results and their files come from two connections at once.
                let (rows, files) = tokio::try_join!(
                    results
                        .clone()
                        .filter(test_result::Column::TestId.between(lo, hi))
                        .order_by_desc(test_result::Column::TestId)
                        .order_by_asc(test_result::Column::RegressionTestId)
                        .all(db),
                    test_result_file::Entity::find()
                        .filter(
                            test_result_file::Column::RegressionTestId.is_in(rts.iter().copied()),
                        )
                        .filter(test_result_file::Column::TestId.between(lo, hi))
                        .all(db),
                )?;
                if !rows.is_empty() {
                    // Judged in place: only the rows of the page are copied out, and only
                    // they get a failure signature.
                    let keys: Vec<(i32, i32)> = rows
                        .iter()
                        .map(|r| (r.test_id, r.regression_test_id))
                        .collect();
                    let judging = Judging::from_rows(rows, files, expected.clone());
                    for (run, rt) in keys {
                        let facts = judging.facts(run, rt, Phase::Completed);
                        let status = verdict::sample_status(&facts);
                        if status.as_str() != want.as_str() {
                            continue;
                        }
                        if total as usize >= skip
                            && page.len() < take
                            && let Some(r) = judging.results.get(&(run, rt))
                        {
                            page.push((r.clone(), status, verdict::failure_signature(&facts)));
                        }
                        total += 1;
                    }
                }
                hi = lo - 1;
            }
            (total, page)
        }
    };

    let run_ids: Vec<i32> = page
        .iter()
        .map(|(r, _, _)| r.test_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let runs = Runs::load(db, &run_ids).await?;
    let by_id: std::collections::HashMap<i32, &test::Model> =
        runs.runs.iter().map(|r| (r.id, r)).collect();
    let data = page
        .into_iter()
        .filter_map(|(r, status, failure_signature)| {
            let run = by_id.get(&r.test_id)?;
            let progress = runs.progress_of(run.id);
            let at = |s: &str| {
                progress
                    .iter()
                    .rev()
                    .find(|p| p.status == s)
                    .map(|p| UtcDateTime::from_naive_utc(p.timestamp))
            };
            Some(SampleHistoryEntry {
                run_id: run.id,
                regression_test_id: r.regression_test_id,
                status,
                platform: crate::views::runs::platform(&run.platform),
                branch: Some(run.branch.clone()).filter(|b| !b.is_empty()),
                commit_sha: run.commit.clone(),
                tested_at: at("completed")
                    .or_else(|| at("canceled"))
                    .or_else(|| at("testing")),
                failure_signature,
            })
        })
        .collect();
    Ok(GetSampleHistoryResponse::Ok(Json(SampleHistoryEntryPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}

/// One page of results, newest run first. Each regression test's newest `offset + limit`
/// results come from a backward scan of the (regression_test_id, test_id) index, and only those
/// are merged and sorted: the cost follows the page, not the sample's whole history.
async fn newest_first(
    db: &sea_orm::DatabaseConnection,
    req: &GetSampleHistoryInput,
    rts: &BTreeSet<i32>,
) -> Result<Vec<test_result::Model>, sea_orm::DbErr> {
    use sea_orm::QueryTrait;
    use sea_orm::sea_query::{Alias, Asterisk, Order, Query, UnionType};
    let (Some(first), rest) = (rts.first(), rts.iter().skip(1)) else {
        return Ok(vec![]);
    };
    let depth = req.offset as u64 + req.limit as u64;
    let newest_of = |rt: i32, n: usize| {
        let sub = filtered_results(req, &BTreeSet::from([rt]))
            .order_by_desc(test_result::Column::TestId)
            .limit(depth)
            .into_query();
        Query::select()
            .column(Asterisk)
            .from_subquery(sub, Alias::new(format!("h{n}")))
            .to_owned()
    };
    let mut q = newest_of(*first, 0);
    for (n, rt) in rest.enumerate() {
        q.union(UnionType::All, newest_of(*rt, n + 1));
    }
    q.order_by(Alias::new("test_id"), Order::Desc)
        .order_by(Alias::new("regression_test_id"), Order::Asc)
        .offset(req.offset as u64)
        .limit(req.limit as u64);
    test_result::Entity::find()
        .from_raw_sql(db.get_database_backend().build(&q))
        .all(db)
        .await
}

/// Runs judged per step of a status-filtered history.
const HISTORY_WINDOW: i32 = 1000;

type Judged = (
    test_result::Model,
    crate::api::RunSampleStatus,
    Option<String>,
);

/// Every history row has a result, so it is judged whatever the run's phase.
fn judged(j: &Judging, rows: Vec<test_result::Model>) -> Vec<Judged> {
    rows.into_iter()
        .map(|r| {
            let facts = j.facts(r.test_id, r.regression_test_id, Phase::Completed);
            let status = verdict::sample_status(&facts);
            let signature = verdict::failure_signature(&facts);
            (r, status, signature)
        })
        .collect()
}

fn filtered_results(
    req: &GetSampleHistoryInput,
    rts: &BTreeSet<i32>,
) -> Select<test_result::Entity> {
    let mut q = test_result::Entity::find()
        .filter(test_result::Column::RegressionTestId.is_in(rts.iter().copied()));
    let by_run = req.branch.is_some()
        || req.platform.is_some()
        || req.created_after.is_some()
        || req.created_before.is_some();
    if !by_run {
        // Counting the sample's results then needs only the index, not every run row.
        return q;
    }
    q = q.join(JoinType::InnerJoin, test_result::Relation::Test.def());
    if let Some(b) = &req.branch {
        q = q.filter(test::Column::Branch.eq(b.as_str()));
    }
    if let Some(p) = req.platform {
        q = q.filter(test::Column::Platform.eq(p.as_str()));
    }
    if let Some(after) = &req.created_after {
        q = q.filter(Expr::expr(crate::data::filters::run_created_at()).gte(after.naive_utc()));
    }
    if let Some(before) = &req.created_before {
        q = q.filter(Expr::expr(crate::data::filters::run_created_at()).lte(before.naive_utc()));
    }
    q
}
