//! GET /regression-tests/quarantined: newest first, those in force unless `all`.
use crate::api::{ListQuarantinesInput, ListQuarantinesResponse, QuarantinePage};
use crate::data::entity::spci_quarantine;
use crate::data::quarantine::in_force_at;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views;
use crate::views::page::{no_meta, pagination};
use chrono::Utc;
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

pub async fn handle(
    state: &AppState,
    req: ListQuarantinesInput,
) -> Result<ListQuarantinesResponse, ApiError> {
    let now = Utc::now().naive_utc();
    let mut q = spci_quarantine::Entity::find();
    if let Some(rt) = req.regression_test_id {
        q = q.filter(spci_quarantine::Column::RegressionTestId.eq(rt));
    }
    if !req.all {
        q = q.filter(in_force_at(now));
    }
    let (rows, total) = crate::data::page(
        &state.db,
        q.order_by_desc(spci_quarantine::Column::Id),
        req.limit,
        req.offset,
    )
    .await?;
    Ok(ListQuarantinesResponse::Ok(Json(QuarantinePage {
        data: rows
            .into_iter()
            .map(|r| views::quarantine::quarantine(r, now))
            .collect(),
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}
