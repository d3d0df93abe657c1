//! GET /system/queue: runs not finished yet, oldest first. The queue is not a table: a run is
//! queued or running by the same verdict rules as everywhere else.
use crate::api::{
    GetQueueInput, GetQueueResponse, QueueJob, QueueJobPage, QueueJobStatus, QueueMeta, RunStatus,
};
use crate::data::count_of;
use crate::data::entity::{spci_run_verdict, test};
use crate::data::loaders::Runs;
use crate::data::verdict_cache::{status_expr, status_in, verdict_run_id};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::types::UtcDateTime;
use crate::views::page::pagination;
use poem_openapi::payload::Json;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Order, Query, SelectStatement};

pub async fn handle(state: &AppState, req: GetQueueInput) -> Result<GetQueueResponse, ApiError> {
    let db = &state.db;
    state.verdicts.current(db).await?;
    // Counts and the page are ranges of the verdict index on (status, test_id).
    let base = |statuses: &[RunStatus]| -> SelectStatement {
        let mut q = Query::select();
        q.from(spci_run_verdict::Entity)
            .inner_join(
                test::Entity,
                Expr::col((test::Entity, test::Column::Id)).equals(verdict_run_id()),
            )
            .and_where(status_in(statuses));
        if let Some(p) = req.platform {
            q.and_where(Expr::col((test::Entity, test::Column::Platform)).eq(p.as_str()));
        }
        q
    };
    let count = |statuses: &[RunStatus]| {
        let mut q = base(statuses);
        q.expr(Func::count(Expr::col((test::Entity, test::Column::Id))));
        q
    };
    let (queued, running) = (RunStatus::Queued, RunStatus::Running);
    let queue_depth = count_of(db, &count(&[queued])).await?;
    let running_count = count_of(db, &count(&[running])).await?;
    let wanted: Vec<RunStatus> = match req.status {
        Some(QueueJobStatus::Queued) => vec![queued],
        Some(QueueJobStatus::Running) => vec![running],
        None => vec![queued, running],
    };
    let total = match req.status {
        Some(QueueJobStatus::Queued) => queue_depth,
        Some(QueueJobStatus::Running) => running_count,
        None => queue_depth + running_count,
    };
    let mut page = base(&wanted);
    page.column((test::Entity, test::Column::Id))
        .expr(status_expr())
        .order_by(verdict_run_id(), Order::Asc)
        .limit(req.limit as u64)
        .offset(req.offset as u64);
    let rows = db.query_all(&page).await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut statuses = std::collections::HashMap::new();
    for r in &rows {
        let id: i32 = r.try_get_by_index(0)?;
        let s: String = r.try_get_by_index(1)?;
        ids.push(id);
        statuses.insert(id, s);
    }
    let runs = Runs::load(db, &ids).await?;
    let with_position = req.status == Some(QueueJobStatus::Queued);
    let data = runs
        .runs
        .iter()
        .enumerate()
        .map(|(i, run)| {
            let progress = runs.progress_of(run.id);
            let status = if statuses[&run.id] == running.as_str() {
                QueueJobStatus::Running
            } else {
                QueueJobStatus::Queued
            };
            let platform = crate::views::runs::platform(&run.platform);
            QueueJob {
                run_id: run.id,
                status,
                platform,
                platform_in_maintenance: runs.in_maintenance(platform),
                queued_at: progress
                    .first()
                    .map(|p| UtcDateTime::from_naive_utc(p.timestamp)),
                started_at: crate::views::runs::started_at(progress),
                position: with_position.then_some(req.offset as i64 + i as i64 + 1),
            }
        })
        .collect();
    Ok(GetQueueResponse::Ok(Json(QueueJobPage {
        data,
        pagination: pagination(req.limit, req.offset, total as u64),
        meta: QueueMeta {
            queue_depth,
            running_count,
            platforms_in_maintenance: runs.platforms_in_maintenance().to_vec(),
        },
        queue_depth,
        running_count,
    })))
}
