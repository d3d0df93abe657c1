//! PATCH /regression-tests/{regression_test_id}: the fields given change; categories, when
//! given, replace the current ones. Verdicts of past runs do not move: each result recorded
//! the exit code it expected.
use super::regression_tests::{category_ids, read_back, set_categories};
use crate::api::{UpdateRegressionTestInput, UpdateRegressionTestResponse};
use crate::data::writer::begin_write;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

pub async fn handle(
    state: &AppState,
    req: UpdateRegressionTestInput,
) -> Result<UpdateRegressionTestResponse, ApiError> {
    let b = req.body;
    let id = req.regression_test_id;
    let tx = begin_write(&state.db).await?;
    let row = crate::data::lookup::regression_test_locked(&tx, id).await?;
    let categories = match &b.categories {
        Some(names) => Some(category_ids(&tx, names).await?),
        None => None,
    };
    let mut m = row.into_active_model();
    if let Some(c) = b.command {
        m.command = Set(c);
    }
    if let Some(t) = b.input_type {
        m.input_type = Set(Some(t.as_str().into()));
    }
    if let Some(t) = b.output_type {
        m.output_type = Set(Some(t.as_str().into()));
    }
    if let Some(rc) = b.expected_rc {
        m.expected_rc = Set(Some(rc));
    }
    if let Some(d) = b.description {
        m.description = Set(Some(d));
    }
    if let Some(a) = b.active {
        m.active = Set(Some(a));
    }
    if m.is_changed() {
        m.update(&tx).await?;
    }
    if let Some(ids) = &categories {
        set_categories(&tx, id, ids).await?;
    }
    tx.commit().await?;
    Ok(UpdateRegressionTestResponse::Ok(Json(
        read_back(&state.db, id).await?,
    )))
}
