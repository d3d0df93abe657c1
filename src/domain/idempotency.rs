//! What a request carrying an Idempotency-Key gets when its key was seen before: the stored
//! answer, a 409 while the first request still runs, a 422 for another request under the same
//! key, or a fresh start once the key expired or its first request was abandoned (a crash
//! between taking the key and storing the answer must not lock the key for a day).
use chrono::{Duration, NaiveDateTime};

/// How long a key is kept: a retry after that is a new request.
pub const KEPT: Duration = Duration::hours(24);
/// A first request still marked running after this is taken to have died with its process.
/// Writes that take keys answer within seconds; the server's own timeouts end a request long
/// before this.
pub const ABANDONED_AFTER: Duration = Duration::minutes(2);

/// The key's row as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen<'a> {
    pub fingerprint: &'a str,
    pub created_at: NaiveDateTime,
    /// Set while the first request runs.
    pub started_at: Option<NaiveDateTime>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Answer with the stored status and body.
    Replay,
    /// The first request is still running: 409.
    InFlight,
    /// The key was used for another request: 422.
    Mismatch,
    /// The key is free again (expired, or its first request abandoned): run this request.
    TakeOver,
}

pub fn decide(seen: &Seen, fingerprint: &str, now: NaiveDateTime) -> Decision {
    if now - seen.created_at >= KEPT {
        return Decision::TakeOver;
    }
    if seen.fingerprint != fingerprint {
        return Decision::Mismatch;
    }
    match seen.started_at {
        Some(started) if now - started >= ABANDONED_AFTER => Decision::TakeOver,
        Some(_) => Decision::InFlight,
        None => Decision::Replay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(seconds: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            + Duration::seconds(seconds)
    }

    #[test]
    fn decisions_table() {
        let day = KEPT.num_seconds();
        let abandoned = ABANDONED_AFTER.num_seconds();
        // (stored fingerprint, created, started, incoming fingerprint, now, decision)
        let cases = [
            ("a", 0, None, "a", 5, Decision::Replay),
            ("a", 0, None, "b", 5, Decision::Mismatch),
            ("a", 0, Some(0), "a", 1, Decision::InFlight),
            ("a", 0, Some(0), "b", 1, Decision::Mismatch),
            ("a", 0, Some(0), "a", abandoned - 1, Decision::InFlight),
            ("a", 0, Some(0), "a", abandoned, Decision::TakeOver),
            ("a", 0, None, "a", day - 1, Decision::Replay),
            ("a", 0, None, "a", day, Decision::TakeOver),
            // An expired key is free for any request.
            ("a", 0, None, "b", day, Decision::TakeOver),
            ("a", 0, Some(0), "b", day + 1, Decision::TakeOver),
        ];
        for (stored, created, started, incoming, now, want) in cases {
            let seen = Seen {
                fingerprint: stored,
                created_at: t(created),
                started_at: started.map(t),
            };
            assert_eq!(
                decide(&seen, incoming, t(now)),
                want,
                "{seen:?} {incoming} at {now}"
            );
        }
    }
}
