//! GET /queued-samples: the caller's own uploads not yet finalized (everyone's for admins).
use super::queue::{queued_sample, visible_to};
use crate::api::{ListQueuedSamplesInput, ListQueuedSamplesResponse, QueuedSamplePage};
use crate::auth::Principal;
use crate::data::entity::upload_queue;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::QueryOrder;

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: ListQueuedSamplesInput,
) -> Result<ListQueuedSamplesResponse, ApiError> {
    let q = visible_to(p).order_by_asc(upload_queue::Column::Id);
    let (rows, total) = crate::data::page(&state.db, q, req.limit, req.offset).await?;
    Ok(ListQueuedSamplesResponse::Ok(Json(QueuedSamplePage {
        data: rows.into_iter().map(queued_sample).collect(),
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}
