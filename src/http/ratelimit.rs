//! Rate limiting with governor (GCRA) as a poem middleware.
//!
//! Every request passes a coarse per-client-IP limiter and one specific limiter:
//! - credential endpoints (the spec's public writes: token creation, sign-up, password reset):
//!   per IP;
//! - a protected operation with a bearer token: the token's own reads or writes bucket, keyed by
//!   the token's id once the auth gate has verified it ([`PendingToken`]). Nothing an
//!   unverified caller sends can drain another caller's bucket: a token that fails
//!   verification counts against its sender's IP, in the anonymous bucket and in a stricter
//!   failed-authentication one;
//! - anything else: reads or writes per IP.
//!
//! A read with `If-None-Match` is charged to the conditional bucket (larger: a 304 costs
//! almost nothing); if it is answered in full after all, to the reads bucket as well, so a
//! stale or made-up ETag buys no extra reads.
//!
//! Keys are stored as 64-bit keyed hashes and stale ones are swept (by a background task of
//! `startup`, and on the request path above a bound), so memory stays bounded under many
//! distinct keys.
use super::error::{ApiError, ErrorHeaders};
use super::rate_book::RateBook;
use super::{gate, operation};
use crate::api::RateLimitBucketName;
use crate::config::Config;
use crate::metrics::Metrics;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use poem::http::{HeaderMap, HeaderValue, Method, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

type Keyed =
    RateLimiter<u64, DefaultKeyedStateStore<u64>, DefaultClock, StateInformationMiddleware>;

/// The operation that reports the caller's limits; charged like a 304.
const REPORT_OPERATION: &str = "getRateLimit";

/// Above this many live keys in one limiter, stale keys are swept on the request path too.
const SWEEP_ABOVE_KEYS: usize = 100_000;

struct Limit {
    /// The label of its rejections in the metrics.
    name: &'static str,
    limiter: Keyed,
    limit: u32,
    window: Duration,
}

impl Limit {
    fn new(name: &'static str, limit: u32, window_secs: u64) -> Self {
        let limit_nz = NonZeroU32::new(limit).expect("validated: limits are at least 1");
        let window = Duration::from_secs(window_secs);
        let quota = Quota::with_period(window / limit)
            .expect("non-zero period")
            .allow_burst(limit_nz);
        Self {
            name,
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            limit,
            window,
        }
    }

    fn sweep(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// What one check decided, and the headers it implies.
#[derive(Clone, Debug)]
struct Decision {
    limiter: &'static str,
    limit: u32,
    remaining: u32,
    reset_after: Duration,
    /// How long to wait, when this decision refuses.
    denied: Option<Duration>,
    window: Duration,
    /// The bucket and key it charged, when the answer may have to charge reads as well.
    conditional_key: Option<u64>,
}

/// Which of a caller's buckets a request is charged to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bucket {
    Reads,
    Writes,
    Conditional,
    /// `GET /rate-limit`: the conditional bucket, and nothing more when answered.
    Report,
}

pub struct Limits {
    credentials: Limit,
    reads: Limit,
    writes: Limit,
    conditional: Limit,
    per_ip: Limit,
    failed_auth: Limit,
    hasher: RandomState,
    trusted_proxies: Vec<IpAddr>,
    checks: AtomicU64,
    metrics: Arc<Metrics>,
    book: Arc<RateBook>,
}

impl Limits {
    pub fn from_config(c: &Config, metrics: Arc<Metrics>, book: Arc<RateBook>) -> Arc<Self> {
        Arc::new(Self {
            credentials: Limit::new("credentials", c.rate_credentials, c.rate_credentials_window),
            reads: Limit::new("reads", c.rate_reads, c.rate_window),
            writes: Limit::new("writes", c.rate_writes, c.rate_window),
            conditional: Limit::new("conditional", c.rate_conditional, c.rate_window),
            per_ip: Limit::new("per_ip", c.rate_per_ip, c.rate_window),
            failed_auth: Limit::new("failed_auth", c.rate_failed_auth, c.rate_window),
            metrics,
            hasher: RandomState::new(),
            trusted_proxies: c.trusted_proxies.clone(),
            checks: AtomicU64::new(0),
            book,
        })
    }

    /// Drops keys whose state equals a fresh key's; run periodically.
    pub fn sweep(&self) {
        for l in self.all() {
            l.sweep();
        }
        self.book.sweep();
    }

    pub fn key_count(&self) -> usize {
        self.all().iter().map(|l| l.limiter.len()).sum()
    }

    fn all(&self) -> [&Limit; 6] {
        [
            &self.credentials,
            &self.reads,
            &self.writes,
            &self.conditional,
            &self.per_ip,
            &self.failed_auth,
        ]
    }

    fn bucket(&self, b: Bucket) -> &Limit {
        match b {
            Bucket::Reads => &self.reads,
            Bucket::Writes => &self.writes,
            Bucket::Conditional | Bucket::Report => &self.conditional,
        }
    }

    /// Charges `key`'s bucket `b`; a conditional charge remembers the key for [`Self::settle`].
    fn charge(&self, b: Bucket, key: u64) -> Decision {
        let mut d = self.check(self.bucket(b), key);
        if b == Bucket::Conditional {
            d.conditional_key = Some(key);
        }
        d
    }

    /// A conditional read answered in full costs a read too: charged after the fact (the answer
    /// is already computed, so it is sent), and it is this decision the headers report.
    fn settle(&self, d: Decision, status: StatusCode) -> Decision {
        match d.conditional_key {
            Some(key) if status != StatusCode::NOT_MODIFIED => {
                let mut read = self.check(&self.reads, key);
                read.denied = None;
                read
            }
            _ => d,
        }
    }

    fn key(&self, kind: &str, value: &[u8]) -> u64 {
        self.hasher.hash_one((kind, value))
    }

    fn check(&self, l: &Limit, key: u64) -> Decision {
        if l.limiter.len() > SWEEP_ABOVE_KEYS
            && self
                .checks
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(1024)
        {
            l.sweep();
        }
        let clock = DefaultClock::default();
        let per_cell = l.window / l.limit;
        match l.limiter.check_key(&key) {
            Ok(snap) => {
                let remaining = snap.remaining_burst_capacity();
                Decision {
                    limiter: l.name,
                    limit: l.limit,
                    remaining,
                    reset_after: per_cell * (l.limit - remaining),
                    denied: None,
                    window: l.window,
                    conditional_key: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(clock.now());
                Decision {
                    limiter: l.name,
                    limit: l.limit,
                    remaining: 0,
                    reset_after: wait,
                    denied: Some(wait),
                    window: l.window,
                    conditional_key: None,
                }
            }
        }
    }

    /// Client IP: the peer, or the right-most untrusted X-Forwarded-For hop when the peer is a
    /// configured proxy. IPv6 clients are keyed by their /64, which is what one host controls.
    pub fn client_ip(&self, req: &Request) -> Option<IpAddr> {
        let peer = req.remote_addr().as_socket_addr().map(|a| a.ip())?;
        let mut ip = peer;
        if self.trusted_proxies.contains(&peer)
            && let Some(xff) = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
        {
            for hop in xff.rsplit(',') {
                match hop.trim().parse::<IpAddr>() {
                    Ok(h) if self.trusted_proxies.contains(&h) => continue,
                    Ok(h) => {
                        ip = h;
                        break;
                    }
                    Err(_) => break,
                }
            }
        }
        Some(super::server::client_key(ip))
    }

    /// The coarse per-IP decision, and the specific one unless the auth gate must settle it.
    fn decide(&self, req: &Request) -> (Decision, Specific) {
        let ip = self
            .client_ip(req)
            .map(|i| i.to_string())
            .unwrap_or_default();
        let coarse = self.check(&self.per_ip, self.key("ip", ip.as_bytes()));
        let op = operation::of(req).op;
        let bucket = if !matches!(*req.method(), Method::GET | Method::HEAD) {
            Bucket::Writes
        } else if op.is_some_and(|op| op.operation_id == REPORT_OPERATION) {
            Bucket::Report
        } else if super::conditional::applies(req)
            && req
                .headers()
                .contains_key(super::conditional::IF_NONE_MATCH)
        {
            Bucket::Conditional
        } else {
            Bucket::Reads
        };
        // Credential and mail endpoints: 5 per 15 minutes per IP by default.
        let specific = if op.is_some_and(|op| op.public && op.method == "POST") {
            Specific::Decided(self.check(&self.credentials, self.key("cred", ip.as_bytes())))
        } else if op.is_some_and(|op| !op.public) && gate::bearer_token(req).is_some() {
            Specific::Pending { ip, bucket }
        } else {
            Specific::Decided(self.anonymous(&ip, bucket))
        };
        (coarse, specific)
    }

    fn anonymous(&self, ip: &str, bucket: Bucket) -> Decision {
        self.charge(bucket, self.key("anon", ip.as_bytes()))
    }

    /// The 429 a refusing decision answers (counted in the metrics); `None` when it allows.
    fn refusal(&self, d: &Decision) -> Option<ApiError> {
        let retry_after = d.retry_after()?;
        self.metrics.rejected(d.limiter);
        Some(ApiError::rate_limited(
            retry_after,
            d.limit,
            d.window.as_secs(),
        ))
    }
}

impl Decision {
    /// Whole seconds to wait, at least one, when this decision refuses.
    fn retry_after(&self) -> Option<u64> {
        self.denied.map(|wait| ceil_secs(wait).max(1))
    }

    /// This decision, unless it allows and `other` refuses: the one a client must obey is
    /// the one reported.
    fn unless_refused_by(self, other: Decision) -> Decision {
        if other.denied.is_some() && self.denied.is_none() {
            other
        } else {
            self
        }
    }
}

enum Specific {
    Decided(Decision),
    /// The request's bearer token is verified by the auth gate, which then settles the bucket.
    Pending {
        ip: String,
        bucket: Bucket,
    },
}

/// Left in a request's extensions for the auth gate: the bucket a bearer token is charged to
/// is known only once the token is verified.
#[derive(Clone)]
pub struct PendingToken {
    limits: Arc<Limits>,
    ip: String,
    bucket: Bucket,
    settled: Arc<Mutex<Option<Decision>>>,
}

impl PendingToken {
    /// The token is genuine: its own bucket, keyed by its id.
    pub fn verified(&self, token_id: i32) -> Result<(), ApiError> {
        let d = self
            .limits
            .charge(self.bucket, self.limits.key("tok", &token_id.to_be_bytes()));
        let name = match self.bucket {
            Bucket::Reads => RateLimitBucketName::Read,
            Bucket::Writes => RateLimitBucketName::Write,
            Bucket::Conditional | Bucket::Report => RateLimitBucketName::Conditional,
        };
        self.limits
            .book
            .note(token_id, name, d.limit, d.remaining, d.window);
        self.settle(d)
    }

    /// The token is not (invalid, expired, revoked): the attempt counts against the sender's
    /// IP, in the anonymous bucket and in the stricter failed-authentication one.
    pub fn failed(&self) -> Result<(), ApiError> {
        let anon = self.limits.anonymous(&self.ip, self.bucket);
        let failed = self.limits.check(
            &self.limits.failed_auth,
            self.limits.key("fail", self.ip.as_bytes()),
        );
        self.settle(anon.unless_refused_by(failed))
    }

    fn settle(&self, d: Decision) -> Result<(), ApiError> {
        let refused = self.limits.refusal(&d);
        *self.settled.lock().unwrap_or_else(|e| e.into_inner()) = Some(d);
        refused.map_or(Ok(()), Err)
    }

    fn take(&self) -> Option<Decision> {
        self.settled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn headers(d: &Decision) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("x-ratelimit-limit", HeaderValue::from(d.limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(d.remaining));
    h.insert(
        "x-ratelimit-reset",
        HeaderValue::from(unix_now() + ceil_secs(d.reset_after)),
    );
    // The IETF draft's pair beside them: the bucket by name, its quota and window, and what
    // is left with the seconds until the quota is whole again.
    let policy = format!("\"{}\";q={};w={}", d.limiter, d.limit, d.window.as_secs());
    let left = format!(
        "\"{}\";r={};t={}",
        d.limiter,
        d.remaining,
        ceil_secs(d.reset_after)
    );
    for (name, value) in [("ratelimit-policy", policy), ("ratelimit", left)] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    if let Some(retry) = d.retry_after() {
        h.insert("retry-after", HeaderValue::from(retry));
    }
    h
}

#[derive(Clone)]
pub struct RateLimit(pub Arc<Limits>);

impl<E: Endpoint> Middleware<E> for RateLimit {
    type Output = RateLimitEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        RateLimitEndpoint {
            ep,
            limits: self.0.clone(),
        }
    }
}

pub struct RateLimitEndpoint<E> {
    ep: E,
    limits: Arc<Limits>,
}

impl<E: Endpoint> Endpoint for RateLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let (coarse, specific) = self.limits.decide(&req);
        let refuse = |d: &Decision| {
            self.limits.refusal(d).map(|refused| {
                let mut e: poem::Error = refused.into();
                e.set_data(ErrorHeaders(headers(d)));
                e
            })
        };
        let pending = match specific {
            // Report the specific limit unless the coarse one is the one refusing.
            Specific::Decided(d) => {
                let d = d.unless_refused_by(coarse);
                if let Some(e) = refuse(&d) {
                    return Err(e);
                }
                Err(d)
            }
            Specific::Pending { .. } if coarse.denied.is_some() => {
                return Err(refuse(&coarse).expect("a refusing decision"));
            }
            Specific::Pending { ip, bucket } => {
                let p = PendingToken {
                    limits: self.limits.clone(),
                    ip,
                    bucket,
                    settled: Arc::default(),
                };
                req.extensions_mut().insert(p.clone());
                Ok(p)
            }
        };
        let result = self.ep.call(req).await;
        let d = match pending {
            Err(d) => d,
            // Answered before the gate saw the token (an oversized query or body, the database
            // known down): an unverified request.
            Ok(p) => p
                .take()
                .unwrap_or_else(|| self.limits.anonymous(&p.ip, p.bucket)),
        };
        match result {
            Ok(r) => {
                let mut resp = r.into_response();
                let d = self.limits.settle(d, resp.status());
                resp.headers_mut().extend(headers(&d));
                Ok(resp)
            }
            // The error contract answers it, with these headers too.
            Err(mut e) => {
                let d = self.limits.settle(d, e.status());
                let mut h = headers(&d);
                if let Some(ErrorHeaders(own)) = e.data::<ErrorHeaders>() {
                    h.extend(own.clone());
                }
                e.set_data(ErrorHeaders(h));
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_million_distinct_keys_stay_bounded_after_a_sweep() {
        let mut c = Config::defaults();
        c.rate_window = 1;
        c.rate_reads = 1000;
        let limits = Limits::from_config(&c, Arc::default(), Arc::default());
        for i in 0..1_000_000u64 {
            let _ = limits.reads.limiter.check_key(&i);
        }
        assert!(limits.key_count() > 0);
        std::thread::sleep(Duration::from_millis(1100));
        limits.sweep();
        assert_eq!(
            limits.key_count(),
            0,
            "a full window later every key is indistinguishable from fresh"
        );
    }
}
