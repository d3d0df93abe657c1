//! GET /regression-tests/{regression_test_id}/outputs/{output_id}/variants/{variant_id}/download:
//! where an accepted variant's file is (`TestResults/<hash><ext>`).
use crate::api::{DownloadRegressionTestVariantInput, DownloadRegressionTestVariantResponse};
use crate::data::entity::regression_test_output_files;
use crate::data::lookup;
use crate::domain::DomainError;
use crate::files::Key;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::stored_file::stored_file;
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;

pub async fn handle(
    state: &AppState,
    req: DownloadRegressionTestVariantInput,
) -> Result<DownloadRegressionTestVariantResponse, ApiError> {
    let o = lookup::output(&state.db, req.regression_test_id, req.output_id).await?;
    let v = regression_test_output_files::Entity::find_by_id(req.variant_id)
        .one(&state.db)
        .await?
        .filter(|v| v.regression_test_output_id == Some(req.output_id))
        .ok_or_else(|| DomainError::not_found("Variant"))?;
    let key = Key::result(&v.file_hashes.unwrap_or_default(), &o.correct_extension);
    let f = stored_file(&state.storage, key, "Variant").await?;
    Ok(DownloadRegressionTestVariantResponse::Ok(Json(f)))
}
