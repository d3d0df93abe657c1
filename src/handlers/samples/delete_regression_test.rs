//! DELETE /regression-tests/{regression_test_id}: only a test no run used goes (a result, a
//! reported file or a run's chosen tests would otherwise lose their test, or cascade away in
//! upstream's schema). Its outputs, their variants, its category links and its quarantines go
//! in the same transaction; the files stay, since they are content-addressed and may be shared.
use crate::api::{DeleteRegressionTestInput, DeleteRegressionTestResponse, DeletedResource};
use crate::data::entity::{
    customized_test, regression_test, regression_test_category, regression_test_output,
    regression_test_output_files, spci_quarantine, test_result, test_result_file,
};
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

pub async fn handle(
    state: &AppState,
    req: DeleteRegressionTestInput,
) -> Result<DeleteRegressionTestResponse, ApiError> {
    let id = req.regression_test_id;
    let tx = begin_write(&state.db).await?;
    crate::data::lookup::regression_test_locked(&tx, id).await?;
    let results = test_result::Entity::find()
        .filter(test_result::Column::RegressionTestId.eq(id))
        .count(&tx)
        .await?
        + test_result_file::Entity::find()
            .filter(test_result_file::Column::RegressionTestId.eq(id))
            .count(&tx)
            .await?;
    let chosen = customized_test::Entity::find()
        .filter(customized_test::Column::RegressionId.eq(id))
        .count(&tx)
        .await?;
    if results + chosen > 0 {
        return Err(DomainError::conflict(
            "Runs used this regression test; deactivate it (active=false) instead.",
        )
        .detail("results", results)
        .detail("runs_choosing_it", chosen)
        .into());
    }
    let outputs: Vec<i32> = regression_test_output::Entity::find()
        .select_only()
        .column(regression_test_output::Column::Id)
        .filter(regression_test_output::Column::RegressionId.eq(id))
        .into_tuple()
        .all(&tx)
        .await?;
    if !outputs.is_empty() {
        regression_test_output_files::Entity::delete_many()
            .filter(regression_test_output_files::Column::RegressionTestOutputId.is_in(outputs))
            .exec(&tx)
            .await?;
    }
    regression_test_output::Entity::delete_many()
        .filter(regression_test_output::Column::RegressionId.eq(id))
        .exec(&tx)
        .await?;
    regression_test_category::Entity::delete_many()
        .filter(regression_test_category::Column::RegressionId.eq(id))
        .exec(&tx)
        .await?;
    // Its quarantines judged no run (none used it): nothing to keep them for.
    spci_quarantine::Entity::delete_many()
        .filter(spci_quarantine::Column::RegressionTestId.eq(id))
        .exec(&tx)
        .await?;
    regression_test::Entity::delete_by_id(id).exec(&tx).await?;
    tx.commit().await?;
    Ok(DeleteRegressionTestResponse::Ok(Json(DeletedResource {
        id,
        deleted: true,
    })))
}
