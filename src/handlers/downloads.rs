//! Download descriptors of stored files: samples, their MediaInfo XML and extra files, baselines
//! and variants. Each names one object by upstream's layout; an object stored nowhere is a 404,
//! and a URL is only ever signed for an object just seen to exist (review MEDIUM on
//! blob.exists). A local store cannot sign, so it gives `download_url: null` (upstream's
//! "local only" case) while the file is still served inline by the output endpoints.
use super::lookup;
use crate::api::{
    GetOutputVariantDownloadResponse, GetRegressionTestOutputDownloadResponse,
    GetSampleDownloadResponse, GetSampleExtraFileDownloadResponse,
    GetSampleMediaInfoDownloadResponse, SampleFile, StorageStatus, StoredFile,
};
use crate::app::AppState;
use crate::db::entity::{regression_test_output, regression_test_output_files, sample_extra};
use crate::error::ApiError;
use crate::storage::{Folder, Key};
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;

/// The file's name, and its URL if the object exists; 404 `not_found` otherwise.
async fn locate(state: &AppState, key: Option<Key>, what: &str) -> Result<StoredFile, ApiError> {
    let missing = || ApiError::not_found(&format!("{what} file in storage"));
    let key = key.ok_or_else(missing)?;
    state.storage.size(&key).await?.ok_or_else(missing)?;
    Ok(StoredFile {
        filename: key.file_name().to_string(),
        download_url: state.storage.download_url(&key).await,
        storage_status: StorageStatus::Ok,
    })
}

fn sample_file(sample_id: i32, f: StoredFile) -> SampleFile {
    SampleFile {
        sample_id,
        filename: f.filename,
        download_url: f.download_url,
        storage_status: f.storage_status,
    }
}

pub async fn sample(
    state: &AppState,
    sample_id: i32,
) -> Result<GetSampleDownloadResponse, ApiError> {
    let s = lookup::sample(state, sample_id).await?;
    let name = format!("{}.{}", s.sha.unwrap_or_default(), s.extension);
    let f = locate(state, Key::new(Folder::TestFiles, &name), "Sample").await?;
    Ok(GetSampleDownloadResponse::Ok(Json(sample_file(
        sample_id, f,
    ))))
}

pub async fn media_info(
    state: &AppState,
    sample_id: i32,
) -> Result<GetSampleMediaInfoDownloadResponse, ApiError> {
    let s = lookup::sample(state, sample_id).await?;
    let name = format!("{}.xml", s.sha.unwrap_or_default());
    let f = locate(state, Key::new(Folder::Media, &name), "MediaInfo").await?;
    Ok(GetSampleMediaInfoDownloadResponse::Ok(Json(sample_file(
        sample_id, f,
    ))))
}

pub async fn extra_file(
    state: &AppState,
    sample_id: i32,
    extra_id: i32,
) -> Result<GetSampleExtraFileDownloadResponse, ApiError> {
    let s = lookup::sample(state, sample_id).await?;
    let extra = sample_extra::Entity::find_by_id(extra_id)
        .one(&state.db)
        .await?
        .filter(|e| e.sample_id == Some(sample_id))
        .ok_or_else(|| ApiError::not_found("Extra file"))?;
    let name = format!(
        "{}_{}.{}",
        s.sha.unwrap_or_default(),
        extra.id,
        extra.extension
    );
    let f = locate(state, Key::new(Folder::Extra, &name), "Extra").await?;
    Ok(GetSampleExtraFileDownloadResponse::Ok(Json(sample_file(
        sample_id, f,
    ))))
}

async fn output_of(
    state: &AppState,
    regression_test_id: i32,
    output_id: i32,
) -> Result<regression_test_output::Model, ApiError> {
    regression_test_output::Entity::find_by_id(output_id)
        .one(&state.db)
        .await?
        .filter(|o| o.regression_id == Some(regression_test_id))
        .ok_or_else(|| ApiError::not_found("Output"))
}

pub async fn baseline(
    state: &AppState,
    regression_test_id: i32,
    output_id: i32,
) -> Result<GetRegressionTestOutputDownloadResponse, ApiError> {
    let o = output_of(state, regression_test_id, output_id).await?;
    let name = format!("{}{}", o.correct.unwrap_or_default(), o.correct_extension);
    let f = locate(state, Key::new(Folder::TestResults, &name), "Baseline").await?;
    Ok(GetRegressionTestOutputDownloadResponse::Ok(Json(f)))
}

pub async fn variant(
    state: &AppState,
    regression_test_id: i32,
    output_id: i32,
    variant_id: i32,
) -> Result<GetOutputVariantDownloadResponse, ApiError> {
    let o = output_of(state, regression_test_id, output_id).await?;
    let v = regression_test_output_files::Entity::find_by_id(variant_id)
        .one(&state.db)
        .await?
        .filter(|v| v.regression_test_output_id == Some(output_id))
        .ok_or_else(|| ApiError::not_found("Variant"))?;
    let name = format!(
        "{}{}",
        v.file_hashes.unwrap_or_default(),
        o.correct_extension
    );
    let f = locate(state, Key::new(Folder::TestResults, &name), "Variant").await?;
    Ok(GetOutputVariantDownloadResponse::Ok(Json(f)))
}
