//! Files through object_store: a local directory with upstream's layout by default, or an S3 /
//! GCS bucket by URL (feature `cloud`). Object keys are relative paths (`TestResults/<hash>.srt`),
//! exactly as upstream's gcsfuse mount sees them.
use crate::domain::DomainError;
use futures_util::StreamExt;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Upstream's folders under the storage root (reference §3).
pub const LAYOUT: &[&str] = &[
    "TestFiles",
    "TestFiles/media",
    "TestFiles/extra",
    "TestResults",
    "LogFiles",
    "test_artifacts",
    "QueuedFiles",
    "TempFiles",
];

/// A folder of upstream's layout; the only places a [`Key`] can point into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folder {
    TestFiles,
    Media,
    Extra,
    TestResults,
    LogFiles,
    /// `test_artifacts/<run id>/`
    Artifacts(i32),
    /// Uploaded samples not yet finalized, `<sha><.ext>`.
    QueuedFiles,
    /// Uploads being received; upstream stages its own here too, so spci touches only the
    /// objects it named ([`Key::upload_temp`]).
    TempFiles,
}

/// The prefix of every temporary object spci names; nothing else in `TempFiles/` is spci's.
pub const TEMP_PREFIX: &str = "spci-upload-";

/// An object key built from a folder and one file name taken from the database. The name must
/// be a single plain component (`[A-Za-z0-9._-]`, not starting with a dot), so no value in any
/// row (`../../etc/passwd`, `a/b`, `C:\\x`, an empty string) can address anything outside its
/// folder, whatever the backend (review MEDIUM on resolve_artifact).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key(Path);

impl Key {
    /// `None` when `name` is not a safe single component: callers report the file as missing.
    pub fn new(folder: Folder, name: &str) -> Option<Self> {
        let safe = !name.is_empty()
            && name.len() <= 255
            && !name.starts_with('.')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !safe {
            return None;
        }
        let folder = match folder {
            Folder::TestFiles => "TestFiles".to_string(),
            Folder::Media => "TestFiles/media".to_string(),
            Folder::Extra => "TestFiles/extra".to_string(),
            Folder::TestResults => "TestResults".to_string(),
            Folder::LogFiles => "LogFiles".to_string(),
            Folder::Artifacts(run) => format!("test_artifacts/{run}"),
            Folder::QueuedFiles => "QueuedFiles".to_string(),
            Folder::TempFiles => "TempFiles".to_string(),
        };
        Path::parse(format!("{folder}/{name}")).ok().map(Self)
    }

    /// A key spci wrote down earlier (`TestFiles/<sha>.ts`), checked again as if new: its
    /// folder must be one of the layout's and its name one safe component.
    pub fn from_stored(stored: &str) -> Option<Self> {
        let (folder, name) = stored.rsplit_once('/')?;
        let folder = match folder {
            "TestFiles" => Folder::TestFiles,
            "TestFiles/media" => Folder::Media,
            "TestFiles/extra" => Folder::Extra,
            "TestResults" => Folder::TestResults,
            "LogFiles" => Folder::LogFiles,
            "QueuedFiles" => Folder::QueuedFiles,
            "TempFiles" => Folder::TempFiles,
            other => Folder::Artifacts(other.strip_prefix("test_artifacts/")?.parse().ok()?),
        };
        Self::new(folder, name)
    }

    /// A fresh temporary object for one upload: `TempFiles/spci-upload-<uuid>`.
    pub fn upload_temp() -> Self {
        Self::new(
            Folder::TempFiles,
            &format!("{TEMP_PREFIX}{}", uuid::Uuid::new_v4().simple()),
        )
        .expect("a plain name")
    }

    /// A sample's media file, `TestFiles/<sha>.<ext>`.
    pub fn sample(sha: &str, extension: &str) -> Option<Self> {
        Self::new(Folder::TestFiles, &sample_file_name(sha, extension))
    }

    /// An extra file of a sample, `TestFiles/extra/<sample sha>_<extra id>.<ext>` (upstream
    /// keeps the dot even when the extension is empty).
    pub fn extra(sample_sha: &str, extra_id: i32, extension: &str) -> Option<Self> {
        Self::new(
            Folder::Extra,
            &format!("{sample_sha}_{extra_id}.{extension}"),
        )
    }

    /// A sample's MediaInfo XML, `TestFiles/media/<sha>.xml`.
    pub fn media_info(sha: &str) -> Option<Self> {
        Self::new(Folder::Media, &format!("{sha}.xml"))
    }

    /// A queued upload, `QueuedFiles/<sha><.ext>` (the extension carries its dot).
    pub fn queued(sha: &str, extension: &str) -> Option<Self> {
        Self::new(Folder::QueuedFiles, &format!("{sha}{extension}"))
    }

    /// A result or expected output: upstream names it by content hash and the expected
    /// output's extension (which carries its dot), e.g. `TestResults/37391db99daa.srt`.
    pub fn result(hash: &str, extension: &str) -> Option<Self> {
        Self::new(Folder::TestResults, &result_file_name(hash, extension))
    }

    /// A run's log, `LogFiles/<run>.txt`.
    pub fn run_log(run_id: i32) -> Option<Self> {
        Self::new(Folder::LogFiles, &format!("{run_id}.txt"))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    pub(super) fn path(&self) -> &Path {
        &self.0
    }

    pub fn file_name(&self) -> &str {
        self.as_str().rsplit('/').next().unwrap_or_default()
    }
}

/// `<hash><extension>`: the file name of an output, expected or produced.
pub fn result_file_name(hash: &str, extension: &str) -> String {
    format!("{hash}{extension}")
}

/// `<sha>.<extension>`, or `<sha>` when the extension is empty: the file name of a sample (its
/// extension is stored without the dot).
pub fn sample_file_name(sha: &str, extension: &str) -> String {
    if extension.is_empty() {
        sha.to_string()
    } else {
        format!("{sha}.{extension}")
    }
}

/// The first bytes of an object and its whole size.
pub struct Head {
    pub bytes: bytes::Bytes,
    pub size: u64,
}

#[derive(Clone)]
pub struct Storage {
    pub store: Arc<dyn ObjectStore>,
    /// `local_storage`, `s3` or `gcs`: the dependency name health reports.
    pub kind: &'static str,
    local_root: Option<std::path::PathBuf>,
    /// Who signs download URLs: the cloud store itself, or spci for a local directory (once
    /// [`Storage::with_local_links`] gave it a base URL and a secret).
    signer: Option<Signer>,
}

#[derive(Clone)]
enum Signer {
    Cloud(Arc<dyn object_store::signer::Signer>),
    /// Links to `GET <base>/api/v1/files/<token>`, HMAC-signed with `secret`.
    Local {
        base: String,
        secret: Arc<[u8]>,
    },
}

/// How long a signed download URL stays valid (upstream's GCS_SIGNED_URL_EXPIRY_LIMIT: 720 min).
const SIGNED_URL_TTL: std::time::Duration =
    std::time::Duration::from_secs(crate::domain::links::FILE_LINK_LIFETIME_SECS as u64);

impl Storage {
    pub fn open(location: &str) -> Result<Self, String> {
        if let Some(rest) = location
            .strip_prefix("s3://")
            .or_else(|| location.strip_prefix("gs://"))
        {
            return Self::open_cloud(location, rest);
        }
        let root = std::path::Path::new(location);
        for dir in LAYOUT {
            std::fs::create_dir_all(root.join(dir))
                .map_err(|e| format!("storage root {location}: {e}"))?;
        }
        let store = LocalFileSystem::new_with_prefix(root)
            .map_err(|e| format!("storage root {location}: {e}"))?;
        Ok(Self {
            store: Arc::new(store),
            kind: "local_storage",
            local_root: Some(root.to_path_buf()),
            signer: None,
        })
    }

    #[cfg(feature = "cloud")]
    fn open_cloud(location: &str, rest: &str) -> Result<Self, String> {
        let bucket = rest.split('/').next().unwrap_or_default();
        type CloudSigner = Arc<dyn object_store::signer::Signer>;
        let (store, signer, kind): (Arc<dyn ObjectStore>, CloudSigner, _) =
            if location.starts_with("s3://") {
                let s = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build();
                let s = Arc::new(s.map_err(|e| e.to_string())?);
                (s.clone(), s, "s3")
            } else {
                let s = object_store::gcp::GoogleCloudStorageBuilder::from_env()
                    .with_bucket_name(bucket)
                    .build();
                let s = Arc::new(s.map_err(|e| e.to_string())?);
                (s.clone(), s, "gcs")
            };
        Ok(Self {
            store,
            kind,
            local_root: None,
            signer: Some(Signer::Cloud(signer)),
        })
    }

    #[cfg(not(feature = "cloud"))]
    fn open_cloud(location: &str, _rest: &str) -> Result<Self, String> {
        Err(format!(
            "{location}: this build has no cloud storage (enable the `cloud` feature)"
        ))
    }

    /// Can we reach the store? A metadata request for an object that need not exist: "not
    /// found" proves the store answers. A local root must also still hold upstream's layout
    /// (a missing directory reads as "not found" too).
    pub async fn check(&self) -> Result<(), String> {
        if let Some(root) = &self.local_root
            && !root.join("TestResults").is_dir()
        {
            return Err(format!("{} has no TestResults/", root.display()));
        }
        // One probe inside each folder of the layout: an unreadable folder fails the check
        // even while the root still answers.
        for folder in LAYOUT {
            match self
                .store
                .head(&Path::from(format!("{folder}/.spci-health")))
                .await
            {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(())
    }
}

/// A store that fails other than with "not found" (permissions, I/O, the bucket unreachable)
/// is an outage: the request was fine, so the answer is 503, retry later, never a 500.
fn unavailable(op: &str, key: &Key, e: object_store::Error) -> DomainError {
    tracing::warn!(key = key.as_str(), error = %e, "storage {op} failed");
    storage_unavailable()
}

/// What a request answers when storage cannot be read.
pub fn storage_unavailable() -> DomainError {
    DomainError::unavailable("Storage is unavailable; retry shortly.")
}

impl Storage {
    /// The object's size, `None` when it does not exist.
    pub async fn size(&self, key: &Key) -> Result<Option<u64>, DomainError> {
        match self.store.head(&key.0).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(unavailable("head", key, e)),
        }
    }

    /// Size and version (ETag, else modification time) of the object, `None` when absent.
    pub async fn version(&self, key: &Key) -> Result<Option<(u64, Option<String>)>, DomainError> {
        match self.store.head(&key.0).await {
            Ok(meta) => Ok(Some((
                meta.size,
                meta.e_tag.or_else(|| Some(meta.last_modified.to_rfc3339())),
            ))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(unavailable("head", key, e)),
        }
    }

    /// The object's bytes as a stream of chunks, `None` when absent.
    pub async fn stream(
        &self,
        key: &Key,
    ) -> Result<
        Option<futures_util::stream::BoxStream<'static, object_store::Result<bytes::Bytes>>>,
        DomainError,
    > {
        match self.store.get(&key.0).await {
            Ok(r) => Ok(Some(r.into_stream())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(unavailable("read", key, e)),
        }
    }

    /// At most `max` bytes from the start of the object, without reading the rest.
    pub async fn head(&self, key: &Key, max: u64) -> Result<Option<Head>, DomainError> {
        let Some(size) = self.size(key).await? else {
            return Ok(None);
        };
        let bytes = self.range(key, 0, size.min(max)).await?;
        Ok(Some(Head { bytes, size }))
    }

    /// Bytes `start..end` of an object known to exist.
    pub async fn range(
        &self,
        key: &Key,
        start: u64,
        end: u64,
    ) -> Result<bytes::Bytes, DomainError> {
        if start >= end {
            return Ok(bytes::Bytes::new());
        }
        self.store
            .get_range(&key.0, start..end)
            .await
            .map_err(|e| unavailable("read", key, e))
    }

    /// The whole object, refused (`Ok(Err(size))`) when larger than `max`.
    pub async fn read_at_most(
        &self,
        key: &Key,
        max: u64,
    ) -> Result<Option<Result<bytes::Bytes, u64>>, DomainError> {
        let Some(size) = self.size(key).await? else {
            return Ok(None);
        };
        if size > max {
            return Ok(Some(Err(size)));
        }
        Ok(Some(Ok(self.range(key, 0, size).await?)))
    }

    /// A local store signs its own links, served by `GET /files/{file_token}` under
    /// `public_base`; a cloud store keeps its own signer.
    pub fn with_local_links(mut self, public_base: &str, secret: &[u8]) -> Self {
        if self.local_root.is_some() {
            self.signer = Some(Signer::Local {
                base: public_base.trim_end_matches('/').to_string(),
                secret: secret.into(),
            });
        }
        self
    }

    /// A signed GET URL for an object the caller has seen exist; `None` when nothing signs
    /// (a local store without a secret) or signing failed (logged).
    pub async fn download_url(&self, key: &Key) -> Option<String> {
        match self.signer.as_ref()? {
            Signer::Cloud(signer) => match signer
                .signed_url(poem::http::Method::GET, &key.0, SIGNED_URL_TTL)
                .await
            {
                Ok(url) => Some(url.to_string()),
                Err(e) => {
                    tracing::warn!(key = key.as_str(), error = %e, "signing a download URL failed");
                    None
                }
            },
            Signer::Local { base, secret } => {
                let expires = chrono::Utc::now().timestamp() + SIGNED_URL_TTL.as_secs() as i64;
                let token = crate::domain::links::file_link(secret, key.as_str(), expires);
                Some(format!("{base}/api/v1/files/{token}"))
            }
        }
    }

    /// The object a local link names, if the link is intact, unexpired and names a key of
    /// the layout. Only a local store's own links open here.
    pub fn open_local_link(
        &self,
        token: &str,
        now: i64,
    ) -> Result<Key, crate::domain::links::FileLinkError> {
        use crate::domain::links::{FileLinkError, open_file_link};
        let Some(Signer::Local { secret, .. }) = &self.signer else {
            return Err(FileLinkError::Forged);
        };
        let key = open_file_link(secret, token, now)?;
        Key::from_stored(&key).ok_or(FileLinkError::Malformed)
    }

    /// Bytes `start..end` of an object known to exist, as a stream read while it is consumed
    /// (a download never holds the file).
    pub async fn range_stream(
        &self,
        key: &Key,
        start: u64,
        end: u64,
    ) -> Result<futures_util::stream::BoxStream<'static, std::io::Result<bytes::Bytes>>, DomainError>
    {
        let opts = object_store::GetOptions {
            range: Some((start..end).into()),
            ..Default::default()
        };
        let got = self
            .store
            .get_opts(&key.0, opts)
            .await
            .map_err(|e| unavailable("read", key, e))?;
        let what = key.as_str().to_string();
        let stream = got.into_stream().map(move |chunk| {
            chunk.map_err(|e| {
                tracing::warn!(key = %what, error = %e, "a download broke off");
                std::io::Error::other(e)
            })
        });
        Ok(stream.boxed())
    }

    /// A local store's half-written uploads a crashed process left (object_store stages them
    /// beside the target as `<name>#<n>`, invisible to listing): spci's own, older than
    /// `cutoff`, are removed. Says how many.
    pub fn sweep_local_staging(&self, cutoff: chrono::DateTime<chrono::Utc>) -> usize {
        let Some(root) = &self.local_root else {
            return 0;
        };
        let Ok(entries) = std::fs::read_dir(root.join("TempFiles")) else {
            return 0;
        };
        let cutoff = std::time::SystemTime::from(cutoff);
        entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
            .filter(|e| {
                e.metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t < cutoff)
            })
            .filter(|e| std::fs::remove_file(e.path()).is_ok())
            .count()
    }

    /// Removes the object; one already gone is no error.
    pub async fn delete(&self, key: &Key) -> Result<(), String> {
        match self.store.delete(&key.0).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Copies `from` to `to` inside the store (a hard link on a local directory, a server-side
    /// copy on S3 and GCS: the bytes never pass through spci). `Ok(false)` when `from` is absent.
    pub async fn copy(&self, from: &Key, to: &Key) -> Result<bool, DomainError> {
        match self.store.copy(&from.0, &to.0).await {
            Ok(()) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(unavailable("copy", from, e)),
        }
    }

    /// SHA-256 of the whole object, read as a stream (memory bounded by one chunk).
    pub async fn sha256(&self, key: &Key) -> Result<Option<String>, DomainError> {
        let fail = |e: object_store::Error| unavailable("read", key, e);
        let mut stream = match self.store.get(&key.0).await {
            Ok(r) => r.into_stream(),
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(fail(e)),
        };
        let mut hasher = Sha256::new();
        while let Some(chunk) = stream.next().await {
            hasher.update(chunk.map_err(fail)?);
        }
        Ok(Some(hex::encode(hasher.finalize())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_storage_creates_upstream_layout() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::open(dir.path().to_str().unwrap()).unwrap();
        for d in LAYOUT {
            assert!(dir.path().join(d).is_dir(), "{d}");
        }
        assert!(s.check().await.is_ok());
    }

    /// Review MEDIUM (resolve_artifact): a path built from database values never leaves its
    /// folder, on any backend, because the name must be one plain component.
    #[test]
    fn review_medium_keys_from_database_values_cannot_escape_their_folder() {
        let refused = [
            "",
            ".",
            "..",
            "../x",
            "../../etc/passwd",
            "a/b",
            "a\\b",
            "/etc/passwd",
            ".hidden",
            "x\0y",
            "%2e%2e",
            "name with space",
            "C:x",
        ];
        for name in refused {
            for folder in [Folder::TestResults, Folder::LogFiles, Folder::Artifacts(1)] {
                assert_eq!(Key::new(folder, name), None, "{name:?} in {folder:?}");
            }
        }
        let k = Key::new(Folder::TestResults, "37391db99daa.srt").unwrap();
        assert_eq!(k.as_str(), "TestResults/37391db99daa.srt");
        assert_eq!(k.file_name(), "37391db99daa.srt");
        let k = Key::new(Folder::Artifacts(7), "ccextractor").unwrap();
        assert_eq!(k.as_str(), "test_artifacts/7/ccextractor");
        assert_eq!(
            Key::new(Folder::Extra, "abc_3.srt").unwrap().as_str(),
            "TestFiles/extra/abc_3.srt"
        );
    }
}
