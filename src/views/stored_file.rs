//! Download descriptors of stored files: samples, their MediaInfo XML and extra files, baselines
//! and variants. Each names one object by upstream's layout; an object stored nowhere is a 404,
//! and a URL is only ever signed for an object just seen to exist (review MEDIUM on
//! blob.exists). A local store's links are spci's own (`GET /files/{file_token}`), so every
//! backend gives the same descriptor.
use crate::api::{SampleFile, StorageStatus, StoredFile};
use crate::domain::DomainError;
use crate::files::{Key, Storage};

/// The file's name, and its URL if the object exists; 404 `not_found` otherwise.
pub async fn stored_file(
    storage: &Storage,
    key: Option<Key>,
    what: &str,
) -> Result<StoredFile, DomainError> {
    let missing = || DomainError::not_found(&format!("{what} file in storage"));
    let key = key.ok_or_else(missing)?;
    storage.size(&key).await?.ok_or_else(missing)?;
    Ok(StoredFile {
        filename: key.file_name().to_string(),
        download_url: storage.download_url(&key).await,
        storage_status: StorageStatus::Ok,
    })
}

pub fn sample_file(sample_id: i32, f: StoredFile) -> SampleFile {
    SampleFile {
        sample_id,
        filename: f.filename,
        download_url: f.download_url,
        storage_status: f.storage_status,
    }
}
