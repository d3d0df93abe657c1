//! POST /regression-tests: inactive unless asked (upstream's API default), in at least one
//! existing category.
use super::regression_tests::{category_ids, read_back, set_categories};
use crate::api::{CreateRegressionTestInput, CreateRegressionTestResponse, InputType, OutputType};
use crate::data::entity::{regression_test, sample};
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, EntityTrait, QuerySelect, Set};

pub async fn handle(
    state: &AppState,
    req: CreateRegressionTestInput,
) -> Result<CreateRegressionTestResponse, ApiError> {
    let b = req.body;
    let tx = begin_write(&state.db).await?;
    // The sample's row is locked so a concurrent delete of the sample cannot slip between the
    // check and the insert (it would find no test using it).
    sample::Entity::find_by_id(b.sample_id)
        .lock_shared()
        .one(&tx)
        .await?
        .ok_or_else(|| DomainError::not_found("Sample"))?;
    let categories = category_ids(&tx, &b.categories).await?;
    let created = regression_test::ActiveModel {
        sample_id: Set(Some(b.sample_id)),
        command: Set(b.command),
        input_type: Set(Some(
            b.input_type.unwrap_or(InputType::File).as_str().into(),
        )),
        output_type: Set(Some(
            b.output_type.unwrap_or(OutputType::File).as_str().into(),
        )),
        expected_rc: Set(Some(b.expected_rc.unwrap_or(0))),
        active: Set(Some(b.active.unwrap_or(false))),
        description: Set(b.description),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    set_categories(&tx, created.id, &categories).await?;
    tx.commit().await?;
    Ok(CreateRegressionTestResponse::Created(Json(
        read_back(&state.db, created.id).await?,
    )))
}
