//! GET /samples/{sample_id}/history: one entry per result of the sample's regression tests,
//! newest run first. Without a status filter the page is cut in SQL. With one, the results of
//! completed runs are read by their stored verdicts (an index range, exact, no scan cap: review
//! MEDIUM) and only the results of unfinished runs are judged here; the page is cut from the
//! union of both. Either way the number of queries is fixed (review H6), and without a filter on
//! the run the total is the tests' stored counts plus the unfinished runs' results, not a count
//! over the sample's whole history.
use crate::api::{
    GetSampleHistoryInput, GetSampleHistoryResponse, HistoryStatusFilter, RunSampleStatus,
    SampleHistoryEntry, SampleHistoryEntryPage,
};
use crate::data::entity::{
    regression_test, spci_result_verdict, test, test_result, test_result_file,
};
use crate::data::filters::same_text;
use crate::data::loaders::{self, Judging, Runs};
use crate::data::{lookup, result_count, snapshot::snapshot, union_page, verdict_cache};
use crate::domain::verdict::{self, Phase};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::types::UtcDateTime;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef, RelationTrait, Select,
};
use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

pub async fn handle(
    state: &AppState,
    req: GetSampleHistoryInput,
) -> Result<GetSampleHistoryResponse, ApiError> {
    let db = &state.db;
    // Independent reads go out together, each on its own pooled connection.
    let (_, tests) = tokio::try_join!(lookup::sample(db, req.sample_id), async {
        Ok(regression_test::Entity::find()
            .filter(regression_test::Column::SampleId.eq(req.sample_id))
            .all(db)
            .await?)
    },)?;
    let mut rts: BTreeSet<i32> = tests.into_iter().map(|r| r.id).collect();
    if let Some(only) = req.regression_test_id {
        rts.retain(|r| *r == only);
    }

    let (total, page) = match req.status {
        None => {
            // The total, the page with its files, and the expectations are independent.
            let total = async {
                if filters_runs(&req) {
                    return crate::data::count(db, filtered_results(&req, &rts)).await;
                }
                state.verdicts.current(db).await?;
                let tx = snapshot(db).await?;
                let unfinished = filtered_results(&req, &rts).filter(
                    test_result::Column::TestId.in_subquery(verdict_cache::runs_judged_when_read()),
                );
                let total = result_count::stored(&tx, &rts, None).await?
                    + crate::data::count(&tx, unfinished).await?;
                tx.commit().await?;
                Ok(total)
            };
            let page = async {
                let depth = req.offset as u64 + req.limit as u64;
                let page = newest_first(
                    db,
                    &rts,
                    |rt| filtered_results(&req, &BTreeSet::from([rt])),
                    depth,
                    (req.offset as u64, req.limit as u64),
                )
                .await?;
                let runs: BTreeSet<i32> = page.iter().map(|r| r.test_id).collect();
                let files =
                    files_of(db, &rts, test_result_file::Column::TestId.is_in(runs)).await?;
                Ok::<_, DbErr>((page, files))
            };
            let (total, (page, files), expected) =
                tokio::try_join!(total, page, loaders::expectations(db, &rts))?;
            let judging = Judging::from_rows(page.clone(), files, expected);
            let page = page
                .into_iter()
                .map(|r| {
                    let status = judging.result_status(r.test_id, r.regression_test_id);
                    judged(&judging, r, status)
                })
                .collect();
            (total, page)
        }
        Some(want) => {
            state.verdicts.current(db).await?;
            // The stored verdicts and the unfinished runs are read from one state of the
            // database, so a run completing meanwhile is counted once.
            let tx = snapshot(db).await?;
            let answer = with_status(&tx, &req, &rts, wanted(want)).await?;
            tx.commit().await?;
            answer
        }
    };

    let run_ids: Vec<i32> = page
        .iter()
        .map(|(r, _, _)| r.test_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let runs = Runs::load(db, &run_ids).await?;
    let by_id: HashMap<i32, &test::Model> = runs.runs.iter().map(|r| (r.id, r)).collect();
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

type Judged = (test_result::Model, RunSampleStatus, Option<String>);

/// History order: newest run first, then by regression test.
type Key = (Reverse<i32>, i32);

fn key(run: i32, rt: i32) -> Key {
    (Reverse(run), rt)
}

/// The total and the page of results with status `want`: the stored verdicts of completed
/// runs, plus the results of every other run judged now (few: the queue and what is running or
/// was canceled).
async fn with_status(
    db: &impl ConnectionTrait,
    req: &GetSampleHistoryInput,
    rts: &BTreeSet<i32>,
    want: RunSampleStatus,
) -> Result<(u64, Vec<Judged>), DbErr> {
    let expected = loaders::expectations(db, rts).await?;
    let unfinished = verdict_cache::runs_judged_when_read;
    let rows = filtered_results(req, rts)
        .filter(test_result::Column::TestId.in_subquery(unfinished()))
        .all(db)
        .await?;
    let files = files_of(
        db,
        rts,
        test_result_file::Column::TestId.in_subquery(unfinished()),
    )
    .await?;
    let live_judging = Judging::from_rows(rows, files, expected.clone());
    let mut live: Vec<Key> = live_judging
        .results
        .keys()
        .filter(|(run, rt)| live_judging.result_status(*run, *rt) == want)
        .map(|&(run, rt)| key(run, rt))
        .collect();
    live.sort_unstable();

    let stored_total = if filters_runs(req) {
        crate::data::count(db, stored(req, rts, want)).await?
    } else {
        result_count::stored(db, rts, Some(want.as_str())).await?
    };
    let (offset, limit) = (req.offset as usize, req.limit as usize);
    let (from, len) = union_page::window(offset, limit, live.len());
    let window: Vec<Key> = newest_first(
        db,
        rts,
        |rt| stored(req, &BTreeSet::from([rt]), want),
        (from + len) as u64,
        (from as u64, len as u64),
    )
    .await?
    .into_iter()
    .map(|v| key(v.test_id, v.regression_test_id))
    .collect();
    let keys = union_page::page(&window, from, &live, offset, limit);

    // The page's stored rows, with their files, for the entries and failure signatures.
    let stored_keys: BTreeSet<(i32, i32)> = keys
        .iter()
        .map(|(Reverse(run), rt)| (*run, *rt))
        .filter(|k| !live_judging.results.contains_key(k))
        .collect();
    let runs: BTreeSet<i32> = stored_keys.iter().map(|(run, _)| *run).collect();
    let mut rows = vec![];
    let mut files = vec![];
    if !runs.is_empty() {
        rows = test_result::Entity::find()
            .filter(test_result::Column::TestId.is_in(runs.iter().copied()))
            .filter(test_result::Column::RegressionTestId.is_in(rts.iter().copied()))
            .all(db)
            .await?;
        rows.retain(|r| stored_keys.contains(&(r.test_id, r.regression_test_id)));
        files = files_of(db, rts, test_result_file::Column::TestId.is_in(runs)).await?;
    }
    let page_judging = Judging::from_rows(rows, files, expected);
    let page = keys
        .into_iter()
        .filter_map(|(Reverse(run), rt)| {
            let j = if live_judging.results.contains_key(&(run, rt)) {
                &live_judging
            } else {
                &page_judging
            };
            // A stored row reads as the status it was found by, so the page agrees with the
            // filter and the total even while the background refresher re-judges.
            Some(judged(j, j.results.get(&(run, rt))?.clone(), want))
        })
        .collect();
    Ok((stored_total + live.len() as u64, page))
}

fn judged(j: &Judging, r: test_result::Model, status: RunSampleStatus) -> Judged {
    let signature =
        verdict::failure_signature(&j.facts(r.test_id, r.regression_test_id, Phase::Completed));
    (r, status, signature)
}

/// The produced files of `rts` in the runs `of_runs` selects.
async fn files_of(
    db: &impl ConnectionTrait,
    rts: &BTreeSet<i32>,
    of_runs: sea_orm::sea_query::SimpleExpr,
) -> Result<Vec<test_result_file::Model>, DbErr> {
    test_result_file::Entity::find()
        .filter(of_runs)
        .filter(test_result_file::Column::RegressionTestId.is_in(rts.iter().copied()))
        .all(db)
        .await
}

/// One page of rows, newest run first, from a table keyed by (test_id, regression_test_id).
/// Each regression test's newest `depth` rows come from a backward scan of an index that ends
/// in test_id, and only those are merged and sorted: the cost follows the page, not the
/// sample's whole history.
async fn newest_first<E: EntityTrait>(
    db: &impl ConnectionTrait,
    rts: &BTreeSet<i32>,
    of_test: impl Fn(i32) -> Select<E>,
    depth: u64,
    (offset, limit): (u64, u64),
) -> Result<Vec<E::Model>, DbErr> {
    use sea_orm::QueryTrait;
    use sea_orm::sea_query::{Alias, Asterisk, Order, Query, UnionType};
    let (Some(first), rest) = (rts.first(), rts.iter().skip(1)) else {
        return Ok(vec![]);
    };
    let newest_of = |rt: i32, n: usize| {
        let sub = of_test(rt)
            .order_by_desc(Expr::col(Alias::new("test_id")))
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
        .offset(offset)
        .limit(limit);
    E::find()
        .from_raw_sql(db.get_database_backend().build(&q))
        .all(db)
        .await
}

fn filtered_results(
    req: &GetSampleHistoryInput,
    rts: &BTreeSet<i32>,
) -> Select<test_result::Entity> {
    let q = test_result::Entity::find()
        .filter(test_result::Column::RegressionTestId.is_in(rts.iter().copied()));
    by_run(q, req, test_result::Relation::Test.def())
}

/// Stored verdicts with status `want` of the results of `rts`.
fn stored(
    req: &GetSampleHistoryInput,
    rts: &BTreeSet<i32>,
    want: RunSampleStatus,
) -> Select<spci_result_verdict::Entity> {
    use spci_result_verdict::Column as C;
    let q = spci_result_verdict::Entity::find()
        .filter(C::RegressionTestId.is_in(rts.iter().copied()))
        .filter(C::Status.eq(want.as_str()));
    by_run(q, req, spci_result_verdict::Relation::Test.def())
}

/// The filters on the run (branch, platform, creation time), joined through `to_run` only
/// when one is given: counting the sample's results then needs only an index.
fn by_run<E: EntityTrait>(
    mut q: Select<E>,
    req: &GetSampleHistoryInput,
    to_run: RelationDef,
) -> Select<E> {
    if !filters_runs(req) {
        return q;
    }
    q = q.join(JoinType::InnerJoin, to_run);
    if let Some(b) = &req.branch {
        q = q.filter(same_text(
            Expr::col((test::Entity, test::Column::Branch)),
            b,
        ));
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

/// Whether the request filters on the run. Without such a filter every total is a sum of the
/// per-test counts of stored verdicts plus the results of unfinished runs.
fn filters_runs(req: &GetSampleHistoryInput) -> bool {
    req.branch.is_some()
        || req.platform.is_some()
        || req.created_after.is_some()
        || req.created_before.is_some()
}

/// The result status a history filter selects.
fn wanted(filter: HistoryStatusFilter) -> RunSampleStatus {
    match filter {
        HistoryStatusFilter::Pass => RunSampleStatus::Pass,
        HistoryStatusFilter::Fail => RunSampleStatus::Fail,
        HistoryStatusFilter::MissingOutput => RunSampleStatus::MissingOutput,
        HistoryStatusFilter::NotStarted => RunSampleStatus::NotStarted,
    }
}
