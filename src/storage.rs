//! Files through object_store: a local directory with upstream's layout by default, or an S3 /
//! GCS bucket by URL (feature `cloud`). Object keys are relative paths (`TestResults/<hash>.srt`),
//! exactly as upstream's gcsfuse mount sees them.
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use std::sync::Arc;

/// Upstream's folders under the storage root (reference §3).
pub const LAYOUT: &[&str] = &[
    "TestFiles",
    "TestFiles/media",
    "TestFiles/extra",
    "TestResults",
    "LogFiles",
    "test_artifacts",
];

#[derive(Clone)]
pub struct Storage {
    pub store: Arc<dyn ObjectStore>,
    /// `local_storage`, `s3` or `gcs`: the dependency name health reports.
    pub kind: &'static str,
    local_root: Option<std::path::PathBuf>,
}

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
        })
    }

    #[cfg(feature = "cloud")]
    fn open_cloud(location: &str, rest: &str) -> Result<Self, String> {
        let bucket = rest.split('/').next().unwrap_or_default();
        let (store, kind): (Arc<dyn ObjectStore>, _) = if location.starts_with("s3://") {
            let s = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build();
            (Arc::new(s.map_err(|e| e.to_string())?), "s3")
        } else {
            let s = object_store::gcp::GoogleCloudStorageBuilder::from_env()
                .with_bucket_name(bucket)
                .build();
            (Arc::new(s.map_err(|e| e.to_string())?), "gcs")
        };
        Ok(Self {
            store,
            kind,
            local_root: None,
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
        match self.store.head(&Path::from(".spci-health")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
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
}
