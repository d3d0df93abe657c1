//! Token use, noted in memory on each authenticated request and written by a background flush:
//! the request never waits for the write, and each token is written at most once a minute.
use chrono::NaiveDateTime;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How stale `last_used_at` may be.
pub const RESOLUTION: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct TokenUse {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Uses not written yet.
    pending: HashMap<i32, NaiveDateTime>,
    /// When each token's use was last taken for writing.
    noted: HashMap<i32, Instant>,
}

impl TokenUse {
    /// Notes a use of `token_id` at `at`, unless one was noted less than a minute ago.
    pub fn touch(&self, token_id: i32, at: NaiveDateTime, now: Instant) {
        let mut i = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if i.noted
            .get(&token_id)
            .is_some_and(|t| now.duration_since(*t) < RESOLUTION)
        {
            return;
        }
        i.noted.insert(token_id, now);
        i.pending.insert(token_id, at);
    }

    /// The uses to write, taken out (the flush puts them back if the write fails).
    pub fn take(&self) -> Vec<(i32, NaiveDateTime)> {
        let mut i = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<_> = i.pending.drain().collect();
        out.sort_unstable();
        // What is not pending and older than the resolution is forgotten: memory stays bounded
        // by the tokens used in the last minute.
        let now = Instant::now();
        i.noted.retain(|_, t| now.duration_since(*t) < RESOLUTION);
        out
    }

    pub fn put_back(&self, uses: Vec<(i32, NaiveDateTime)>) {
        let mut i = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        for (id, at) in uses {
            i.pending.entry(id).or_insert(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_token_is_noted_at_most_once_a_minute() {
        let t = TokenUse::default();
        let start = Instant::now();
        let at = |s: i64| {
            chrono::DateTime::from_timestamp(1_700_000_000 + s, 0)
                .unwrap()
                .naive_utc()
        };
        let steps = [
            (1, 0, true),
            (1, 30, false),
            (2, 30, true),
            (1, 59, false),
            (1, 60, true),
        ];
        for (token, secs, noted) in steps {
            t.touch(token, at(secs), start + Duration::from_secs(secs as u64));
            let taken = t.take();
            assert_eq!(
                taken == vec![(token, at(secs))],
                noted,
                "token {token} at {secs}s: {taken:?}"
            );
        }
    }

    #[test]
    fn a_failed_write_is_retried() {
        let t = TokenUse::default();
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0)
            .unwrap()
            .naive_utc();
        t.touch(5, at, Instant::now());
        let taken = t.take();
        t.put_back(taken.clone());
        assert_eq!(t.take(), taken);
    }
}
