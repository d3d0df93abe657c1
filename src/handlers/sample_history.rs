//! GET /samples/{sample_id}/history: one entry per result of the sample's regression tests,
//! newest run first. Without a status filter the page is cut in SQL; with one, every matching
//! result of the sample is judged so the filter and `total` are exact (no scan cap: review
//! MEDIUM). Either way the number of queries is fixed (review H6).
use super::lookup;
use super::page::pagination;
use crate::api::{
    GetSampleHistoryRequest, GetSampleHistoryResponse, SampleHistoryEntry, SampleHistoryEntryPage,
};
use crate::app::AppState;
use crate::db::entity::{regression_test, test, test_result, test_result_file};
use crate::error::ApiError;
use crate::facts::{self, Judging, Runs};
use crate::types::UtcDateTime;
use crate::verdict::{self, Phase};
use poem_openapi::payload::Json;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait, Select,
};
use std::collections::BTreeSet;

pub async fn handle(
    state: &AppState,
    req: GetSampleHistoryRequest,
) -> Result<GetSampleHistoryResponse, ApiError> {
    super::filters::date_range(&req.created_after, &req.created_before)?;
    let db = &state.db;
    lookup::sample(state, req.sample_id).await?;
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
            let page = results
                .order_by_desc(test_result::Column::TestId)
                .order_by_asc(test_result::Column::RegressionTestId)
                .offset(req.offset as u64)
                .limit(req.limit as u64)
                .all(db)
                .await?;
            let runs: BTreeSet<i32> = page.iter().map(|r| r.test_id).collect();
            let files = test_result_file::Entity::find()
                .filter(test_result_file::Column::TestId.is_in(runs))
                .filter(test_result_file::Column::RegressionTestId.is_in(rts.iter().copied()))
                .all(db)
                .await?;
            let judging =
                Judging::from_rows(page.clone(), files, facts::expectations(db, &rts).await?);
            (total, judged(&judging, page))
        }
        Some(want) => {
            let all = results
                .order_by_desc(test_result::Column::TestId)
                .order_by_asc(test_result::Column::RegressionTestId)
                .all(db)
                .await?;
            let files = test_result_file::Entity::find()
                .filter(test_result_file::Column::RegressionTestId.is_in(rts.iter().copied()))
                .all(db)
                .await?;
            let judging =
                Judging::from_rows(all.clone(), files, facts::expectations(db, &rts).await?);
            let matching: Vec<_> = judged(&judging, all)
                .into_iter()
                .filter(|(_, status, _)| status.as_str() == want.as_str())
                .collect();
            let total = matching.len() as u64;
            let page = matching
                .into_iter()
                .skip(req.offset as usize)
                .take(req.limit as usize)
                .collect();
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
                platform: facts::platform(&run.platform),
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
        meta: serde_json::json!({}),
    })))
}

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
    req: &GetSampleHistoryRequest,
    rts: &BTreeSet<i32>,
) -> Select<test_result::Entity> {
    let mut q = test_result::Entity::find()
        .join(JoinType::InnerJoin, test_result::Relation::Test.def())
        .filter(test_result::Column::RegressionTestId.is_in(rts.iter().copied()));
    if let Some(b) = &req.branch {
        q = q.filter(test::Column::Branch.eq(b.as_str()));
    }
    if let Some(p) = req.platform {
        q = q.filter(test::Column::Platform.eq(p.as_str()));
    }
    if let Some(after) = &req.created_after {
        q = q.filter(Expr::expr(super::filters::run_created_at()).gte(after.naive_utc()));
    }
    if let Some(before) = &req.created_before {
        q = q.filter(Expr::expr(super::filters::run_created_at()).lte(before.naive_utc()));
    }
    q
}
