//! Receiving an upload: the bytes go straight from the request into a temporary object
//! (`TempFiles/spci-upload-<uuid>`, a multipart upload, so a bucket never needs the whole file
//! at once), hashed and counted on the way, stopped at the size limit. Memory stays at a few
//! object-store parts whatever the file's size; nothing is spooled anywhere else.
use super::Key;
use super::storage::{Storage, TEMP_PREFIX, storage_unavailable};
use crate::domain::uploads::SNIFF_BYTES;
use futures_util::StreamExt;
use object_store::{ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Parts in flight to the store at once (each `PART` bytes).
const IN_FLIGHT: usize = 2;
const PART: usize = 5 * 1024 * 1024;
const READ: usize = 64 * 1024;
/// Temporary objects untouched this long belong to no live upload (a crashed process left
/// them); live ones are written to at least every read timeout.
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

pub struct Received {
    pub temp: Key,
    pub sha256: String,
    pub size: u64,
    /// The first bytes, for type detection.
    pub head: Vec<u8>,
}

#[derive(Debug)]
pub enum ReceiveError {
    TooLarge,
    /// The client's body ended badly (disconnect, malformed multipart).
    Body(String),
    Storage,
}

/// Streams `body` into a fresh temporary object. On any error the partial object is gone.
pub async fn receive(
    storage: &Storage,
    mut body: impl AsyncRead + Unpin,
    max: u64,
) -> Result<Received, ReceiveError> {
    let temp = Key::upload_temp();
    let upload = storage
        .store
        .put_multipart(temp.path())
        .await
        .map_err(|e| storage_failed(&temp, e))?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let mut size = 0u64;
    let mut buf = vec![0u8; READ];
    let outcome = loop {
        let n = match body.read(&mut buf).await {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) => break Err(ReceiveError::Body(e.to_string())),
        };
        size += n as u64;
        if size > max {
            break Err(ReceiveError::TooLarge);
        }
        let chunk = &buf[..n];
        hasher.update(chunk);
        if head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - head.len()).min(n);
            head.extend_from_slice(&chunk[..take]);
        }
        if let Err(e) = writer.wait_for_capacity(IN_FLIGHT).await {
            break Err(storage_failed(&temp, e));
        }
        writer.write(chunk);
    };
    if let Err(e) = outcome {
        let _ = writer.abort().await;
        return Err(e);
    }
    writer
        .finish()
        .await
        .map_err(|e| storage_failed(&temp, e))?;
    Ok(Received {
        temp,
        sha256: hex::encode(hasher.finalize()),
        size,
        head,
    })
}

fn storage_failed(key: &Key, e: object_store::Error) -> ReceiveError {
    tracing::warn!(key = key.as_str(), error = %e, "storing an upload failed");
    ReceiveError::Storage
}

impl From<ReceiveError> for crate::domain::DomainError {
    fn from(e: ReceiveError) -> Self {
        use crate::domain::{DomainError, ErrorKind};
        match e {
            ReceiveError::TooLarge => DomainError::new(
                ErrorKind::TooLarge,
                "The file is larger than the upload limit.",
            ),
            ReceiveError::Body(why) => {
                DomainError::invalid("The upload ended before the file did.").detail("reason", why)
            }
            ReceiveError::Storage => storage_unavailable(),
        }
    }
}

/// Removes spci's own temporary upload objects that no live upload is writing (left by a
/// crash); anything else in `TempFiles/`, upstream's staging included, is left alone. Says how
/// many it removed.
pub async fn sweep_stale_temps(storage: &Storage) -> usize {
    let prefix = object_store::path::Path::from("TempFiles");
    let cutoff =
        chrono::Utc::now() - chrono::Duration::from_std(STALE_AFTER).expect("a small duration");
    let mut listing = storage.store.list(Some(&prefix));
    let mut stale = vec![];
    while let Some(item) = listing.next().await {
        match item {
            Ok(meta)
                if meta.last_modified < cutoff
                    && meta
                        .location
                        .filename()
                        .is_some_and(|n| n.starts_with(TEMP_PREFIX)) =>
            {
                stale.push(meta.location)
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "listing temporary uploads failed");
                break;
            }
        }
    }
    let mut removed = 0;
    for path in stale {
        if storage.store.delete(&path).await.is_ok() {
            removed += 1;
        }
    }
    removed + storage.sweep_local_staging(cutoff)
}
