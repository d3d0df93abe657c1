//! GET /runs/{run_id}/progress: the run's progress rows in the order they were written.
use crate::api::{
    GetRunProgressInput, GetRunProgressResponse, ProgressEvent, ProgressEventPage, ProgressStatus,
};
use crate::data::entity::test_progress;
use crate::data::lookup;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::types::UtcDateTime;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

pub async fn handle(
    state: &AppState,
    req: GetRunProgressInput,
) -> Result<GetRunProgressResponse, ApiError> {
    lookup::run(&state.db, req.run_id).await?;
    let mut q = test_progress::Entity::find().filter(test_progress::Column::TestId.eq(req.run_id));
    if let Some(s) = req.status {
        q = q.filter(test_progress::Column::Status.eq(s.as_str()));
    }
    let total = q.clone().count(&state.db).await?;
    let rows = q
        .order_by_asc(test_progress::Column::Id)
        .offset(req.offset as u64)
        .limit(req.limit as u64)
        .all(&state.db)
        .await?;
    let data = rows
        .into_iter()
        .map(|p| ProgressEvent {
            timestamp: UtcDateTime::from_naive_utc(p.timestamp),
            // Legacy statuses outside the enum (e.g. `building`) are reported as errors.
            status: ProgressStatus::parse(&p.status).unwrap_or(ProgressStatus::Error),
            message: p.message,
        })
        .collect();
    Ok(GetRunProgressResponse::Ok(Json(ProgressEventPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}
