//! The background delivery of the outbox: one replica at a time (a database lease), each due
//! message tried once per pass, a failure retried later with exponential backoff.
use super::{Mailer, Outgoing};
use crate::data::{db_now, lease, outbox};
use crate::domain::backoff::backoff_secs;
use sea_orm::DatabaseConnection;
use std::time::Duration;

const LEASE: &str = "mail-sender";
const LEASE_TTL: Duration = Duration::from_secs(120);
/// Messages per pass; the next pass follows at once while any are left.
pub const BATCH: u64 = 50;

/// Delivers what is due and says how many messages it handled (the caller goes again at once
/// while a full batch was due). An error is the database's; the next pass retries.
pub async fn deliver_due(db: &DatabaseConnection, mailer: &Mailer) -> Result<usize, String> {
    // An idle pass is one read: the lease (a write) is taken only when there is mail to send.
    let due = outbox::due(db, db_now(), BATCH)
        .await
        .map_err(|e| e.to_string())?;
    if due.is_empty()
        || !lease::take(db, LEASE, LEASE_TTL)
            .await
            .map_err(|e| e.to_string())?
    {
        return Ok(0);
    }
    // Another replica may have sent some while this one waited for the lease.
    let due = outbox::due(db, db_now(), BATCH)
        .await
        .map_err(|e| e.to_string())?;
    for row in &due {
        let m = Outgoing {
            to: row.recipient.clone(),
            subject: row.subject.clone(),
            body: row.body.clone(),
        };
        let result = mailer.deliver(&m).await;
        let now = db_now();
        let written = match result {
            Ok(()) => outbox::mark_sent(db, row.id, now).await,
            Err(e) => {
                let attempts = row.attempts + 1;
                tracing::warn!(id = row.id, attempts, error = %e, "mail delivery failed; retrying later");
                let next = now + chrono::Duration::seconds(backoff_secs(attempts));
                outbox::mark_failed(db, row.id, attempts, next, &e).await
            }
        };
        written.map_err(|e| e.to_string())?;
    }
    Ok(due.len())
}
