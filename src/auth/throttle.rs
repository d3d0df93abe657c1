//! Failed logins per account, so password guessing spread over many IPs (each within its own
//! per-IP limit) cannot grind one account. Keyed by the normalised email whether or not such an
//! account exists, and checked before the account is looked up, so a 429 tells nothing about
//! which accounts exist. After `limit` failures within `window`, attempts are allowed one per
//! `window / limit`: the account is slowed, never locked out.
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

type Keyed =
    RateLimiter<u64, DefaultKeyedStateStore<u64>, DefaultClock, StateInformationMiddleware>;

pub struct LoginThrottle {
    failures: Keyed,
    /// Accounts whose failures used the budget up, and until when they wait. governor cannot
    /// tell whether a key has capacity without spending it; this is that answer.
    until: Mutex<HashMap<u64, Instant>>,
    hasher: RandomState,
    pub limit: u32,
    pub window: Duration,
}

impl LoginThrottle {
    pub fn new(limit: u32, window_secs: u64) -> Self {
        let window = Duration::from_secs(window_secs);
        let quota = Quota::with_period(window / limit)
            .expect("non-zero period")
            .allow_burst(NonZeroU32::new(limit).expect("validated: limits are at least 1"));
        Self {
            failures: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            until: Mutex::default(),
            hasher: RandomState::new(),
            limit,
            window,
        }
    }

    fn key(&self, email: &str) -> u64 {
        self.hasher.hash_one(email.trim().to_lowercase())
    }

    /// Whole seconds this account must wait before its next attempt, if it is throttled now.
    pub fn wait(&self, email: &str) -> Option<u64> {
        let key = self.key(email);
        let until = *self.lock().get(&key)?;
        let left = until.checked_duration_since(Instant::now())?;
        Some(left.as_secs() + u64::from(left.subsec_nanos() > 0))
    }

    /// Records a failed attempt against this account.
    pub fn failed(&self, email: &str) {
        let key = self.key(email);
        let clock = DefaultClock::default();
        let wait = match self.failures.check_key(&key) {
            Ok(snap) if snap.remaining_burst_capacity() > 0 => return,
            // The budget is used up: the next attempt waits for one cell to refill.
            Ok(_) => self.window / self.limit,
            Err(not_until) => not_until.wait_time_from(clock.now()),
        };
        self.lock().insert(key, Instant::now() + wait);
    }

    /// Forgets what no longer matters; run periodically.
    pub fn sweep(&self) {
        let now = Instant::now();
        self.lock().retain(|_, until| *until > now);
        self.failures.retain_recent();
        self.failures.shrink_to_fit();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Instant>> {
        self.until.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_throttled_after_its_budget_of_failures_whatever_the_spelling() {
        let t = LoginThrottle::new(3, 300);
        for _ in 0..2 {
            t.failed("Alice@Example.com");
            assert_eq!(t.wait("alice@example.com"), None);
        }
        t.failed(" alice@EXAMPLE.com ");
        let wait = t
            .wait("ALICE@example.com")
            .expect("throttled after 3 failures");
        assert!((1..=100).contains(&wait), "one cell of 300 s / 3: {wait}");
        assert_eq!(t.wait("bob@example.com"), None, "other accounts are not");
        t.sweep();
        assert!(
            t.wait("alice@example.com").is_some(),
            "still throttled after a sweep"
        );
    }
}
