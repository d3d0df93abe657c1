//! GET /samples/{sample_id}/extra-files/{extra_id}/download
//! (`TestFiles/extra/<sha>_<id>.<ext>`); another sample's extra file is a 404.
use crate::api::{DownloadSampleExtraFileInput, DownloadSampleExtraFileResponse};
use crate::data::entity::sample_extra;
use crate::data::lookup;
use crate::domain::DomainError;
use crate::files::Key;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::stored_file::{sample_file, stored_file};
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;

pub async fn handle(
    state: &AppState,
    req: DownloadSampleExtraFileInput,
) -> Result<DownloadSampleExtraFileResponse, ApiError> {
    let sample_id = req.sample_id;
    let s = lookup::sample(&state.db, sample_id).await?;
    let extra = sample_extra::Entity::find_by_id(req.extra_id)
        .one(&state.db)
        .await?
        .filter(|e| e.sample_id == Some(sample_id))
        .ok_or_else(|| DomainError::not_found("Extra file"))?;
    let key = Key::extra(
        s.sha.as_deref().unwrap_or_default(),
        extra.id,
        &extra.extension,
    );
    let f = stored_file(&state.storage, key, "Extra").await?;
    Ok(DownloadSampleExtraFileResponse::Ok(Json(sample_file(
        sample_id, f,
    ))))
}
