//! What the rate limiter last decided for each token and bucket, for `GET /rate-limit`.
//! governor cannot be asked without charging, so each charge is noted here and the report
//! refills the noted remainder by the time since, as the limiter itself does (one request per
//! window / limit).
use crate::api::{RateLimitBucket, RateLimitBucketName};
use dashmap::DashMap;
use std::time::{Duration, Instant};

#[derive(Clone, Copy)]
struct Noted {
    limit: u32,
    remaining: u32,
    window: Duration,
    at: Instant,
}

#[derive(Default)]
pub struct RateBook {
    noted: DashMap<(i32, RateLimitBucketName), Noted>,
}

impl RateBook {
    pub fn note(
        &self,
        token_id: i32,
        bucket: RateLimitBucketName,
        limit: u32,
        remaining: u32,
        window: Duration,
    ) {
        self.noted.insert(
            (token_id, bucket),
            Noted {
                limit,
                remaining,
                window,
                at: Instant::now(),
            },
        );
    }

    /// The token's buckets now; a bucket it never used is full. `configured` gives each
    /// bucket's limit and window.
    pub fn report(
        &self,
        token_id: i32,
        configured: &[(RateLimitBucketName, u32, Duration)],
    ) -> Vec<RateLimitBucket> {
        configured
            .iter()
            .map(|&(name, limit, window)| {
                let n = self.noted.get(&(token_id, name)).map(|n| *n);
                let remaining = n.map_or(limit, |n| refilled(n, Instant::now()));
                let per = window.as_secs_f64() / f64::from(limit.max(1));
                RateLimitBucket {
                    name,
                    limit: limit as i32,
                    remaining: remaining as i32,
                    reset: (f64::from(limit - remaining) * per).ceil() as i32,
                    window: window.as_secs() as i32,
                }
            })
            .collect()
    }

    /// Forgets notes older than their window (their buckets are full again).
    pub fn sweep(&self) {
        let now = Instant::now();
        self.noted
            .retain(|_, n| now.duration_since(n.at) < n.window);
    }
}

/// The noted remainder, refilled by one request per window / limit since it was noted.
fn refilled(n: Noted, now: Instant) -> u32 {
    let per = n.window.as_secs_f64() / f64::from(n.limit.max(1));
    let back = (now.duration_since(n.at).as_secs_f64() / per).floor() as u64;
    (u64::from(n.remaining) + back).min(u64::from(n.limit)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remainders_refill_one_per_interval_up_to_the_limit() {
        let at = Instant::now();
        let n = |remaining| Noted {
            limit: 60,
            remaining,
            window: Duration::from_secs(60),
            at,
        };
        let cases = [
            (10, 0, 10),
            (10, 1, 11),
            (10, 30, 40),
            (10, 500, 60),
            (60, 5, 60),
        ];
        for (remaining, secs, want) in cases {
            assert_eq!(
                refilled(n(remaining), at + Duration::from_secs(secs)),
                want,
                "{remaining} after {secs}s"
            );
        }
    }

    #[test]
    fn an_unused_bucket_is_full() {
        let book = RateBook::default();
        book.note(
            1,
            RateLimitBucketName::Read,
            120,
            100,
            Duration::from_secs(60),
        );
        let cfg = [
            (RateLimitBucketName::Read, 120, Duration::from_secs(60)),
            (RateLimitBucketName::Write, 20, Duration::from_secs(60)),
        ];
        let r = book.report(1, &cfg);
        assert_eq!((r[0].remaining, r[0].reset), (100, 10));
        assert_eq!((r[1].remaining, r[1].reset), (20, 0));
        let other = book.report(2, &cfg);
        assert_eq!(other[0].remaining, 120);
    }
}
