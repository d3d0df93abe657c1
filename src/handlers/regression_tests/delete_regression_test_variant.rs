//! DELETE /regression-tests/{id}/outputs/{output_id}/variants/{variant_id}: the hash no longer
//! passes; runs that produced it are judged again (and fail from now on).
use crate::api::{
    DeleteRegressionTestVariantInput, DeleteRegressionTestVariantResponse, DeletedResource,
};
use crate::data::entity::regression_test_output_files::{self, Column};
use crate::data::lookup;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub async fn handle(
    state: &AppState,
    req: DeleteRegressionTestVariantInput,
) -> Result<DeleteRegressionTestVariantResponse, ApiError> {
    let o = lookup::output(&state.db, req.regression_test_id, req.output_id).await?;
    // One statement: of two concurrent deletes one removes the row, the other finds nothing.
    let removed = regression_test_output_files::Entity::delete_many()
        .filter(Column::Id.eq(req.variant_id))
        .filter(Column::RegressionTestOutputId.eq(o.id))
        .exec(&state.db)
        .await?
        .rows_affected;
    if removed == 0 {
        return Err(DomainError::not_found("Variant").into());
    }
    state.verdicts.output_changed(&state.db, o.id).await?;
    Ok(DeleteRegressionTestVariantResponse::Ok(Json(
        DeletedResource {
            id: req.variant_id,
            deleted: true,
        },
    )))
}
