//! GET /regression-tests/{regression_test_id}: the test with its expected outputs and their
//! accepted variants.
use crate::api::{
    GetRegressionTestInput, GetRegressionTestResponse, OutputVariant, RegressionTestDetail,
    RegressionTestOutput,
};
use crate::data::catalog::Catalog;
use crate::data::entity::regression_test_output_files;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::regression_tests::regression_test;
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeSet, HashMap};

pub async fn handle(
    state: &AppState,
    req: GetRegressionTestInput,
) -> Result<GetRegressionTestResponse, ApiError> {
    let id = req.regression_test_id;
    let cat = Catalog::load(&state.db, &BTreeSet::from([id])).await?;
    let s = regression_test(&cat, id).ok_or_else(|| DomainError::not_found("Regression test"))?;
    let outputs = cat.outputs.get(&id).cloned().unwrap_or_default();
    let mut variants: HashMap<i32, Vec<OutputVariant>> = HashMap::new();
    if !outputs.is_empty() {
        for v in regression_test_output_files::Entity::find()
            .filter(
                regression_test_output_files::Column::RegressionTestOutputId
                    .is_in(outputs.iter().map(|o| o.id)),
            )
            .order_by_asc(regression_test_output_files::Column::Id)
            .all(&state.db)
            .await?
        {
            if let (Some(o), Some(hash)) = (v.regression_test_output_id, v.file_hashes) {
                variants
                    .entry(o)
                    .or_default()
                    .push(OutputVariant { id: v.id, hash });
            }
        }
    }
    Ok(GetRegressionTestResponse::Ok(Json(RegressionTestDetail {
        regression_test_id: s.regression_test_id,
        sample_id: s.sample_id,
        sample_name: s.sample_name,
        command: s.command,
        input_type: s.input_type,
        output_type: s.output_type,
        expected_rc: s.expected_rc,
        active: s.active,
        categories: s.categories,
        description: s.description,
        outputs: outputs
            .into_iter()
            .map(|o| RegressionTestOutput {
                variants: variants.remove(&o.id).unwrap_or_default(),
                id: o.id,
                correct: o.correct,
                correct_extension: o.correct_extension,
                expected_filename: o.expected_filename,
                ignore: o.ignore.unwrap_or(false),
            })
            .collect(),
    })))
}
