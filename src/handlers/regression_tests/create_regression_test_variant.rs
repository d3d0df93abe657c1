//! POST /regression-tests/{id}/outputs/{output_id}/variants: one more hash that passes for this
//! expected output. A hash the output already accepts (its baseline or a variant) is a 409.
//! Verdicts are retroactive: every run whose file for this output differed is judged again, so
//! one that produced exactly this hash passes from now on.
use crate::api::{
    CreateRegressionTestVariantInput, CreateRegressionTestVariantResponse, OutputVariant,
};
use crate::data::entity::regression_test_output;
use crate::data::entity::regression_test_output_files::{self, Column};
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};

pub async fn handle(
    state: &AppState,
    req: CreateRegressionTestVariantInput,
) -> Result<CreateRegressionTestVariantResponse, ApiError> {
    let hash = req.body.hash;
    let tx = begin_write(&state.db).await?;
    // The output's row is locked (SQLite's write transaction holds the database lock), so two
    // requests adding the same hash at once queue here and the second sees the first's row;
    // upstream's table has no unique index that could decide instead.
    let o = regression_test_output::Entity::find_by_id(req.output_id)
        .lock_exclusive()
        .one(&tx)
        .await?
        .filter(|o| o.regression_id == Some(req.regression_test_id))
        .ok_or_else(|| DomainError::not_found("Output"))?;
    let accepted = o.correct.as_deref() == Some(hash.as_str())
        || regression_test_output_files::Entity::find()
            .filter(Column::RegressionTestOutputId.eq(o.id))
            .filter(Column::FileHashes.eq(hash.as_str()))
            .one(&tx)
            .await?
            .is_some();
    if accepted {
        return Err(
            DomainError::conflict("This output already accepts that hash.")
                .detail("hash", hash)
                .into(),
        );
    }
    let created = regression_test_output_files::ActiveModel {
        file_hashes: Set(Some(hash.clone())),
        regression_test_output_id: Set(Some(o.id)),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    tx.commit().await?;
    state.verdicts.output_changed(&state.db, o.id).await?;
    Ok(CreateRegressionTestVariantResponse::Created(Json(
        OutputVariant {
            id: created.id,
            hash,
        },
    )))
}
