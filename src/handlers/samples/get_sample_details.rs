//! GET /samples/{sample_id}/details: the sample with its upload, extra files and MediaInfo.
use crate::api::{
    GetSampleDetailsInput, GetSampleDetailsResponse, SampleDetails, SampleExtraFile, UploadInfo,
    UploadPlatform,
};
use crate::data::entity::{ccextractor_version, sample_extra, upload};
use crate::data::lookup;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::samples::samples;
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

pub async fn handle(
    state: &AppState,
    req: GetSampleDetailsInput,
) -> Result<GetSampleDetailsResponse, ApiError> {
    let sample_id = req.sample_id;
    let s = lookup::sample(&state.db, sample_id).await?;
    let db = &state.db;
    let base = samples(db, vec![s]).await?.remove(0);
    let upload = match upload::Entity::find()
        .filter(upload::Column::SampleId.eq(sample_id))
        .find_also_related(ccextractor_version::Entity)
        .one(db)
        .await?
    {
        Some((u, v)) => Some(UploadInfo {
            platform: UploadPlatform::parse(&u.platform),
            parameters: u.parameters,
            notes: u.notes,
            version: v.as_ref().and_then(|v| v.version.clone()),
            version_released: v
                .and_then(|v| v.released)
                .map(|d| d.format("%Y-%m-%d").to_string()),
        }),
        None => None,
    };
    let extra_files = sample_extra::Entity::find()
        .filter(sample_extra::Column::SampleId.eq(sample_id))
        .order_by_asc(sample_extra::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| SampleExtraFile {
            id: e.id,
            original_name: e.original_name,
            extension: e.extension,
        })
        .collect();
    Ok(GetSampleDetailsResponse::Ok(Json(SampleDetails {
        sample_id: base.sample_id,
        sha: base.sha,
        extension: base.extension,
        original_name: base.original_name,
        filename: base.filename,
        tags: base.tags,
        regression_test_count: base.regression_test_count,
        active: base.active,
        upload,
        extra_files,
        // MediaInfo reports are XML; parsing them into a tree is not implemented yet.
        media_info: None,
    })))
}
