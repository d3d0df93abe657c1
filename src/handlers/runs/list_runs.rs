//! GET /runs: every filter in SQL, the status one included (from the verdict cache, so the
//! `total` is exact and nothing is capped), then one batch load for the page. Filtered by status
//! alone, the count and the page are ranges of the verdicts' (status, run) index without touching
//! `test`: a run upstream deletes leaves them at the next refresh, as it leaves every verdict.
use crate::api::{ListRunsInput, ListRunsResponse, RunPage, RunSort, RunStatus};
use crate::data::count_of;
use crate::data::entity::{ccextractor_version, fork, spci_run_verdict, test};
use crate::data::filters::same_text;
use crate::data::loaders::Runs;
use crate::data::verdict_cache::{
    effective_status_expr, effective_status_is, status_expr, status_in, verdict_run_id,
};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

pub async fn handle(state: &AppState, req: ListRunsInput) -> Result<ListRunsResponse, ApiError> {
    let db = &state.db;
    state.verdicts.current(db).await?;

    let by_run = req.platform.is_some()
        || req.branch.is_some()
        || req.commit_sha.is_some()
        || req.ccx_version.is_some()
        || req.repository.is_some()
        || req.created_after.is_some()
        || req.created_before.is_some();
    let by_verdict = req.status.is_some() || req.effective_status.is_some();
    if by_verdict && !by_run {
        return by_status(state, &req).await;
    }

    let mut q = Query::select();
    q.from(test::Entity);
    if let Some(p) = req.platform {
        q.and_where(Expr::col((test::Entity, test::Column::Platform)).eq(p.as_str()));
    }
    if let Some(b) = &req.branch {
        q.and_where(same_text(
            Expr::col((test::Entity, test::Column::Branch)),
            b,
        ));
    }
    if let Some(c) = &req.commit_sha {
        q.and_where(
            Func::lower(Expr::col((test::Entity, test::Column::Commit))).eq(c.to_lowercase()),
        );
    }
    if let Some(v) = &req.ccx_version {
        // A CCExtractor version stands for the commit it was released from.
        let commit = ccextractor_version::Entity::find()
            .filter(ccextractor_version::Column::Version.eq(v.as_str()))
            .one(db)
            .await?
            .and_then(|v| v.commit);
        match commit {
            Some(c) => {
                q.and_where(
                    Func::lower(Expr::col((test::Entity, test::Column::Commit)))
                        .eq(c.to_lowercase()),
                );
            }
            None => {
                q.and_where(Expr::val(1).eq(0));
            }
        }
    }
    if let Some(r) = &req.repository {
        let url = format!("https://github.com/{}", r.to_lowercase());
        q.left_join(
            fork::Entity,
            Expr::col((fork::Entity, fork::Column::Id))
                .equals((test::Entity, test::Column::ForkId)),
        )
        .and_where(
            Func::lower(Expr::col((fork::Entity, fork::Column::Github))).is_in([
                format!("{url}.git"),
                url.clone(),
                format!("{url}/"),
            ]),
        );
    }
    if let Some(after) = &req.created_after {
        q.and_where(Expr::expr(crate::data::filters::run_created_at()).gte(after.naive_utc()));
    }
    if let Some(before) = &req.created_before {
        q.and_where(Expr::expr(crate::data::filters::run_created_at()).lte(before.naive_utc()));
    }
    // Counting needs verdicts only to filter by them; the page shows each run's.
    let verdicts = || Expr::col(verdict_run_id()).equals((test::Entity, test::Column::Id));
    if by_verdict {
        q.inner_join(spci_run_verdict::Entity, verdicts());
        verdict_filters(&mut q, &req);
    }

    let mut count = q.clone();
    count.expr(Func::count(Expr::col((test::Entity, test::Column::Id))));

    let order = order(&req);
    if !by_verdict {
        q.left_join(spci_run_verdict::Entity, verdicts());
    }
    q.column((test::Entity, test::Column::Id))
        .expr(status_expr())
        .expr(effective_status_expr());
    // Filtered, the page comes out of the verdict index in run order.
    if by_verdict {
        q.order_by(verdict_run_id(), order);
    } else {
        q.order_by((test::Entity, test::Column::Id), order);
    }
    q.limit(req.limit as u64).offset(req.offset as u64);
    page(state, &req, q, count).await
}

/// The status and effective status filters, on the joined verdicts.
fn verdict_filters(q: &mut SelectStatement, req: &ListRunsInput) {
    if let Some(s) = req.status {
        q.and_where(status_in(&[s]));
    }
    if let Some(s) = req.effective_status {
        q.and_where(effective_status_is(s));
    }
}

/// Runs by status and/or effective status, counted and paged from the verdicts alone.
async fn by_status(state: &AppState, req: &ListRunsInput) -> Result<ListRunsResponse, ApiError> {
    let mut q = Query::select();
    q.from(spci_run_verdict::Entity);
    verdict_filters(&mut q, req);
    let mut count = q.clone();
    count.expr(Func::count(Expr::col(verdict_run_id())));
    q.column(verdict_run_id())
        .expr(status_expr())
        .expr(effective_status_expr())
        .order_by(verdict_run_id(), order(req))
        .limit(req.limit as u64)
        .offset(req.offset as u64);
    page(state, req, q, count).await
}

// Run ids grow with creation time, so both sorts are the id's order.
fn order(req: &ListRunsInput) -> Order {
    match req.sort.unwrap_or(RunSort::CreatedAtDesc) {
        RunSort::CreatedAt | RunSort::RunId => Order::Asc,
        RunSort::CreatedAtDesc | RunSort::RunIdDesc => Order::Desc,
    }
}

/// Counts what `count` selects and reads the page's (run, status) rows `q` selects, together
/// (on two pooled connections), then loads those runs in one batch.
async fn page(
    state: &AppState,
    req: &ListRunsInput,
    q: SelectStatement,
    count: SelectStatement,
) -> Result<ListRunsResponse, ApiError> {
    let db = &state.db;
    let (total, rows) = tokio::try_join!(count_of(db, &count), db.query_all(&q))?;
    let mut page = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i32 = r.try_get_by_index(0)?;
        let status: String = r.try_get_by_index(1)?;
        let effective: String = r.try_get_by_index(2)?;
        let parse = |s: &str| RunStatus::parse(s).unwrap_or(RunStatus::Incomplete);
        page.push((id, (parse(&status), parse(&effective))));
    }
    let ids: Vec<i32> = page.iter().map(|(id, _)| *id).collect();
    let statuses: std::collections::HashMap<i32, (RunStatus, RunStatus)> =
        page.into_iter().collect();
    let runs = Runs::load(db, &ids).await?;
    let data = runs
        .runs
        .iter()
        .map(|run| views::runs::run(&runs, run, statuses[&run.id]))
        .collect();
    Ok(ListRunsResponse::Ok(Json(RunPage {
        data,
        pagination: pagination(req.limit, req.offset, total as u64),
        meta: no_meta(),
    })))
}
