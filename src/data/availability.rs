//! Whether the database answers, as a background probe last saw it. While it is known to be
//! down, requests are answered 503 at once instead of each one waiting out the acquire timeout;
//! the probe notices recovery within its period.
use crate::domain::DomainError;
use sea_orm::DatabaseConnection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often the background probe asks; also what a 503 tells the client to wait, since the
/// answer may have changed by then.
pub const PROBE_PERIOD: Duration = Duration::from_secs(1);

/// What every request answers while the database cannot be reached.
pub fn database_unavailable() -> DomainError {
    DomainError::unavailable("The database is unavailable; retry shortly.")
}

#[derive(Default)]
pub struct Availability {
    down: AtomicBool,
}

impl Availability {
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    /// Pings the database within `timeout`; records and returns whether it answered.
    pub async fn probe(&self, db: &DatabaseConnection, timeout: Duration) -> bool {
        let up = matches!(tokio::time::timeout(timeout, db.ping()).await, Ok(Ok(())));
        let was_down = self.down.swap(!up, Ordering::Relaxed);
        match (was_down, up) {
            (false, false) => {
                tracing::error!("database unreachable; answering 503 until it is back")
            }
            (true, true) => tracing::info!("database reachable again"),
            _ => {}
        }
        up
    }
}
