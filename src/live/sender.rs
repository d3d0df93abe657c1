//! The webhook sender: claims due deliveries from the outbox, POSTs them signed, and records
//! each attempt (delivered, retried later with backoff, or failed after the last attempt).
//!
//! Targets are checked where it matters: the client resolves names through
//! [`GuardedResolver`], which drops every address the configuration does not allow, so the
//! address actually connected to is the one checked (a name that resolved to a public address
//! when registered and to 127.0.0.1 now is refused). URLs with an address instead of a name
//! are checked before the request; redirects are not followed and no proxy is used.
use crate::config::Config;
use crate::data::entity::spci_webhook_delivery;
use crate::data::{db_now, webhooks};
use crate::domain::webhooks::{Allowed, MAX_ATTEMPTS, check_url, retry_after_ms, signature};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use sea_orm::{DatabaseConnection, DbErr};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Deliveries claimed per pass.
pub const BATCH: u64 = 20;
/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Sender {
    client: reqwest::Client,
    allowed: Allowed,
    allow_http: bool,
    retry_base_ms: u64,
}

/// Resolves like the system, keeping only the addresses webhooks may call.
struct GuardedResolver(Allowed);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.0;
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| allowed.permits(a.ip()))
                .collect();
            if kept.is_empty() {
                return Err(format!("{} resolves only to refused addresses", name.as_str()).into());
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

impl Sender {
    pub fn new(c: &Config) -> Result<Self, String> {
        let allowed = c.webhook_networks();
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver(allowed)))
            .user_agent(concat!("spci-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("webhook client: {e}"))?;
        Ok(Self {
            client,
            allowed,
            allow_http: c.webhook_allow_http,
            retry_base_ms: c.webhook_retry_base_ms,
        })
    }

    /// Whether `url` may be registered: its scheme, and every address its host has now (a
    /// name that does not resolve is refused too: nothing could be delivered).
    pub async fn check_target(&self, url: &str) -> Result<(), String> {
        check_url(url, self.allow_http)?;
        let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
        let host = parsed.host_str().unwrap_or_default();
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addrs: Vec<IpAddr> = match literal(host) {
            Some(ip) => vec![ip],
            None => tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| format!("{host} does not resolve: {e}"))?
                .map(|a| a.ip())
                .collect(),
        };
        match addrs.iter().find(|ip| !self.allowed.permits(**ip)) {
            Some(ip) => Err(format!(
                "{host} resolves to {ip}, a private, loopback, link-local or reserved address"
            )),
            None if addrs.is_empty() => Err(format!("{host} has no address")),
            None => Ok(()),
        }
    }

    /// Sends the deliveries due now; how many were attempted.
    pub async fn deliver_due(&self, db: &DatabaseConnection) -> Result<usize, DbErr> {
        let now = db_now();
        let mut n = 0;
        for d in webhooks::due(db, now, BATCH).await? {
            if !webhooks::claim(db, d.id, now).await? {
                continue; // another replica has it
            }
            let outcome = match webhooks::get(db, d.webhook_id).await? {
                Some(h) => self.attempt(&d, &h.url, h.secret.as_bytes()).await,
                None => Err((None, "the endpoint was removed".to_string())),
            };
            let attempts = d.attempts + 1;
            let retry = |attempts: i32| {
                (attempts < MAX_ATTEMPTS).then(|| {
                    db_now()
                        + chrono::Duration::milliseconds(retry_after_ms(
                            attempts,
                            self.retry_base_ms,
                        ) as i64)
                })
            };
            let a = match outcome {
                Ok(code) => webhooks::Attempt {
                    status_code: Some(code),
                    error: None,
                    delivered: true,
                    next: None,
                },
                Err((code, error)) => webhooks::Attempt {
                    status_code: code,
                    error: Some(error),
                    delivered: false,
                    next: retry(attempts),
                },
            };
            webhooks::record(db, d.id, a).await?;
            n += 1;
        }
        Ok(n)
    }

    /// One POST; the receiver's 2xx status, or the status (if any) and why it failed.
    async fn attempt(
        &self,
        d: &spci_webhook_delivery::Model,
        url: &str,
        secret: &[u8],
    ) -> Result<i32, (Option<i32>, String)> {
        check_url(url, self.allow_http).map_err(|e| (None, e))?;
        let parsed = url::Url::parse(url).map_err(|e| (None, e.to_string()))?;
        if let Some(ip) = parsed.host_str().and_then(literal)
            && !self.allowed.permits(ip)
        {
            return Err((None, format!("{ip} is a refused address")));
        }
        let timestamp = chrono::Utc::now().timestamp();
        let body = d.payload.as_bytes().to_vec();
        let resp = self
            .client
            .post(url)
            .header("Content-Type", "application/json")
            .header("X-Spci-Event", &d.event)
            .header("X-Spci-Delivery", &d.delivery_id)
            .header("X-Spci-Timestamp", timestamp.to_string())
            .header("X-Spci-Signature-256", signature(secret, timestamp, &body))
            .body(body)
            .send()
            .await
            .map_err(|e| (None, describe(&e)))?;
        let code = resp.status().as_u16() as i32;
        if resp.status().is_success() {
            Ok(code)
        } else {
            Err((Some(code), format!("answered {code}")))
        }
    }
}

/// A host written as an address (IPv6 in brackets).
fn literal(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// The innermost cause: "error sending request" alone says nothing.
fn describe(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    msg
}
