//! Rate limiting with governor (GCRA) as a poem middleware.
//!
//! Every request passes a coarse per-client-IP limiter and one specific limiter:
//! credential endpoints (the spec's public writes: token creation, sign-up, password reset)
//! per IP; otherwise reads or writes per token (keyed by the token's public
//! 16-character prefix, never the secret) or per IP without a token. Keys are stored as 64-bit
//! keyed hashes and stale ones are swept (by a background task of `startup`, and on the request
//! path above a bound), so memory stays bounded under many distinct keys.
use super::error::{ApiError, ErrorHeaders};
use super::{gate, operation};
use crate::config::Config;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use poem::http::{HeaderMap, HeaderValue, Method};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

type Keyed =
    RateLimiter<u64, DefaultKeyedStateStore<u64>, DefaultClock, StateInformationMiddleware>;

/// Above this many live keys in one limiter, stale keys are swept on the request path too.
const SWEEP_ABOVE_KEYS: usize = 100_000;

struct Limit {
    limiter: Keyed,
    limit: u32,
    window: Duration,
}

impl Limit {
    fn new(limit: u32, window_secs: u64) -> Self {
        let limit_nz = NonZeroU32::new(limit).expect("validated: limits are at least 1");
        let window = Duration::from_secs(window_secs);
        let quota = Quota::with_period(window / limit)
            .expect("non-zero period")
            .allow_burst(limit_nz);
        Self {
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
struct Decision {
    limit: u32,
    remaining: u32,
    reset_after: Duration,
    denied: Option<(Duration, Duration)>, // (retry_after, window)
}

pub struct Limits {
    credentials: Limit,
    reads: Limit,
    writes: Limit,
    per_ip: Limit,
    hasher: RandomState,
    trusted_proxies: Vec<IpAddr>,
    checks: AtomicU64,
}

impl Limits {
    pub fn from_config(c: &Config) -> Arc<Self> {
        Arc::new(Self {
            credentials: Limit::new(c.rate_credentials, c.rate_credentials_window),
            reads: Limit::new(c.rate_reads, c.rate_window),
            writes: Limit::new(c.rate_writes, c.rate_window),
            per_ip: Limit::new(c.rate_per_ip, c.rate_window),
            hasher: RandomState::new(),
            trusted_proxies: c.trusted_proxies.clone(),
            checks: AtomicU64::new(0),
        })
    }

    /// Drops keys whose state equals a fresh key's; run periodically.
    pub fn sweep(&self) {
        for l in [&self.credentials, &self.reads, &self.writes, &self.per_ip] {
            l.sweep();
        }
    }

    pub fn key_count(&self) -> usize {
        [&self.credentials, &self.reads, &self.writes, &self.per_ip]
            .iter()
            .map(|l| l.limiter.len())
            .sum()
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
                    limit: l.limit,
                    remaining,
                    reset_after: per_cell * (l.limit - remaining),
                    denied: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(clock.now());
                Decision {
                    limit: l.limit,
                    remaining: 0,
                    reset_after: wait,
                    denied: Some((wait, l.window)),
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
        Some(match ip {
            IpAddr::V6(v6) => {
                let mut seg = v6.segments();
                seg[4..].fill(0);
                IpAddr::V6(seg.into())
            }
            v4 => v4,
        })
    }

    fn decide(&self, req: &Request) -> Decision {
        let ip = self
            .client_ip(req)
            .map(|i| i.to_string())
            .unwrap_or_default();
        let ip_key = self.key("ip", ip.as_bytes());
        let coarse = self.check(&self.per_ip, ip_key);
        // Credential and mail endpoints: 5 per 15 minutes per IP by default.
        let credential = operation::of(req)
            .op
            .is_some_and(|op| op.public && op.method == "POST");
        let specific = if credential {
            self.check(&self.credentials, self.key("cred", ip.as_bytes()))
        } else {
            let token_prefix = bearer_prefix(req);
            let key = match token_prefix {
                Some(p) => self.key("tok", p.as_bytes()),
                None => self.key("anon", ip.as_bytes()),
            };
            let l = if matches!(*req.method(), Method::GET | Method::HEAD) {
                &self.reads
            } else {
                &self.writes
            };
            self.check(l, key)
        };
        // Report the specific limit unless the coarse one is the one refusing.
        if coarse.denied.is_some() && specific.denied.is_none() {
            coarse
        } else {
            specific
        }
    }
}

/// The token's public lookup prefix, if the request carries a well-formed spci token.
fn bearer_prefix(req: &Request) -> Option<String> {
    gate::bearer_token(req)
        .and_then(crate::auth::token::lookup_prefix)
        .map(str::to_string)
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

fn set_headers(h: &mut HeaderMap, d: &Decision) {
    h.insert("x-ratelimit-limit", HeaderValue::from(d.limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(d.remaining));
    h.insert(
        "x-ratelimit-reset",
        HeaderValue::from(unix_now() + ceil_secs(d.reset_after)),
    );
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

    async fn call(&self, req: Request) -> Result<Response> {
        let d = self.limits.decide(&req);
        let mut headers = HeaderMap::new();
        set_headers(&mut headers, &d);
        if let Some((wait, window)) = d.denied {
            let retry = ceil_secs(wait).max(1);
            headers.insert("retry-after", HeaderValue::from(retry));
            let mut e: poem::Error =
                ApiError::rate_limited(retry, d.limit, window.as_secs()).into();
            e.set_data(ErrorHeaders(headers));
            return Err(e);
        }
        match self.ep.call(req).await {
            Ok(r) => {
                let mut resp = r.into_response();
                resp.headers_mut().extend(headers);
                Ok(resp)
            }
            // The error contract answers it, with these headers too.
            Err(mut e) => {
                e.set_data(ErrorHeaders(headers));
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
        let limits = Limits::from_config(&c);
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

    #[test]
    fn bearer_prefix_uses_only_the_public_part() {
        let token = crate::auth::token::generate().plaintext;
        let req = Request::builder()
            .header("authorization", format!("bearer {token}"))
            .finish();
        assert_eq!(bearer_prefix(&req).as_deref(), Some(&token[..16]));
        let req = Request::builder()
            .header("authorization", "Basic abc")
            .finish();
        assert_eq!(bearer_prefix(&req), None);
    }
}
