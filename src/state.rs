//! What every handler shares: the database, storage, configuration and the caches in front of
//! them. Built by `startup`.
use crate::auth::hash_pool::HashPool;
use crate::auth::throttle::LoginThrottle;
use crate::auth::token_use::TokenUse;
use crate::auth::verified::VerifiedTokens;
use crate::config::Config;
use crate::data::availability::Availability;
use crate::data::verdict_cache::VerdictCache;
use crate::files::Storage;
use crate::files::log_index::LogIndexes;
use crate::github::GitHub;
use crate::http::rate_book::RateBook;
use crate::live::Live;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

pub struct AppState {
    pub db: DatabaseConnection,
    pub storage: Storage,
    pub config: Arc<Config>,
    pub verdicts: VerdictCache,
    pub logs: LogIndexes,
    pub availability: Availability,
    pub hashing: HashPool,
    pub login_throttle: LoginThrottle,
    pub metrics: Arc<Metrics>,
    pub github: GitHub,
    pub mailer: Mailer,
    pub token_use: TokenUse,
    /// Tokens verified within the last second (see `auth::verified`).
    pub verified_tokens: VerifiedTokens,
    /// The event log's readers and writers, and the webhook sender.
    pub live: Live,
    /// The rate limiter's last decision per token, for `GET /rate-limit`.
    pub rate_book: Arc<RateBook>,
}

impl AppState {
    /// For a connection that is open and migrated already.
    pub fn new(config: Config, db: DatabaseConnection) -> Result<Arc<Self>, String> {
        // A local store's download links are spci's own, signed with the server secret.
        let storage = Storage::open(&config.storage)?
            .with_local_links(&config.public_base(), config.secret.expose().as_bytes());
        let hashing = HashPool::new(
            config.hash_concurrency,
            std::time::Duration::from_millis(config.hash_wait_ms),
        );
        let login_throttle =
            LoginThrottle::new(config.rate_login_failures, config.rate_login_window);
        let github = GitHub::from_config(&config)?;
        let mailer = Mailer::from_config(&config)?;
        let live = Live::new(&config)?;
        Ok(Arc::new(Self {
            db,
            storage,
            config: Arc::new(config),
            verdicts: VerdictCache::default(),
            logs: LogIndexes::default(),
            availability: Availability::default(),
            hashing,
            login_throttle,
            metrics: Arc::default(),
            github,
            mailer,
            token_use: TokenUse::default(),
            verified_tokens: VerifiedTokens::default(),
            live,
            rate_book: Arc::default(),
        }))
    }
}
