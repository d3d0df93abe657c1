//! GET /queued-samples/{queued_id}
use super::queue::{not_found, queued_sample, visible_to};
use crate::api::{GetQueuedSampleInput, GetQueuedSampleResponse};
use crate::auth::Principal;
use crate::data::entity::upload_queue;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, QueryFilter};

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: GetQueuedSampleInput,
) -> Result<GetQueuedSampleResponse, ApiError> {
    let q = visible_to(p)
        .filter(upload_queue::Column::Id.eq(req.queued_id))
        .one(&state.db)
        .await?
        .ok_or_else(not_found)?;
    Ok(GetQueuedSampleResponse::Ok(Json(queued_sample(q))))
}
