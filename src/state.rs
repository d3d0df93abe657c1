//! What every handler shares: the database, storage, configuration and the caches in front of
//! them. Built by `startup`.
use crate::config::Config;
use crate::data::verdict_cache::VerdictCache;
use crate::files::Storage;
use crate::files::log_index::LogIndexes;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

pub struct AppState {
    pub db: DatabaseConnection,
    pub storage: Storage,
    pub config: Arc<Config>,
    pub verdicts: VerdictCache,
    pub logs: LogIndexes,
}

impl AppState {
    /// For a connection that is open and migrated already.
    pub fn new(config: Config, db: DatabaseConnection) -> Result<Arc<Self>, String> {
        let storage = Storage::open(&config.storage)?;
        Ok(Arc::new(Self {
            db,
            storage,
            config: Arc::new(config),
            verdicts: VerdictCache::default(),
            logs: LogIndexes::default(),
        }))
    }
}
