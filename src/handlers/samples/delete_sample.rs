//! DELETE /samples/{sample_id}: a sample no regression test uses goes with its extra files,
//! tags, upload record and issues, in one transaction; its files are removed after the
//! commit (a failed removal is retried in the background), so no row ever points at nothing.
//! A sample in use is a 409: deleting it would erase its tests' run history.
use crate::api::{DeleteSampleInput, DeleteSampleResponse, SampleDeletion};
use crate::data::entity::{regression_test, sample, sample_extra, sample_tag_association, upload};
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::files::Key;
use crate::files::removal::remove_after_commit;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

pub async fn handle(
    state: &AppState,
    req: DeleteSampleInput,
) -> Result<DeleteSampleResponse, ApiError> {
    let id = req.sample_id;
    let tx = begin_write(&state.db).await?;
    let s = sample::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&tx)
        .await?
        .ok_or_else(|| DomainError::not_found("Sample"))?;
    let tests = regression_test::Entity::find()
        .filter(regression_test::Column::SampleId.eq(id))
        .count(&tx)
        .await?;
    if tests > 0 {
        return Err(DomainError::conflict(
            "Regression tests use this sample; delete them first (run history is never erased).",
        )
        .detail("regression_tests", tests)
        .into());
    }
    let extras = sample_extra::Entity::find()
        .filter(sample_extra::Column::SampleId.eq(id))
        .all(&tx)
        .await?;
    sample_extra::Entity::delete_many()
        .filter(sample_extra::Column::SampleId.eq(id))
        .exec(&tx)
        .await?;
    sample_tag_association::Entity::delete_many()
        .filter(sample_tag_association::Column::SampleId.eq(id))
        .exec(&tx)
        .await?;
    upload::Entity::delete_many()
        .filter(upload::Column::SampleId.eq(id))
        .exec(&tx)
        .await?;
    // Upstream's issue links cascade there; not every backend enforces foreign keys, so the
    // rows go explicitly.
    let issues = Query::delete()
        .from_table(Alias::new("sample_issue"))
        .and_where(Expr::col(Alias::new("sample_id")).eq(id))
        .to_owned();
    tx.execute(&issues).await?;
    sample::Entity::delete_by_id(id).exec(&tx).await?;
    tx.commit().await?;

    let sha = s.sha.as_deref().unwrap_or_default();
    let mut files: Vec<Key> = vec![];
    files.extend(Key::sample(sha, &s.extension));
    files.extend(Key::media_info(sha));
    files.extend(
        extras
            .iter()
            .filter_map(|e| Key::extra(sha, e.id, &e.extension)),
    );
    remove_after_commit(&state.db, &state.storage, &files).await?;
    Ok(DeleteSampleResponse::Ok(Json(SampleDeletion {
        sample_id: id,
        deleted: true,
    })))
}
