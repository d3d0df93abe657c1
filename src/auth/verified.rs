//! Verified tokens, remembered for a second: a request whose token was verified within the
//! last second skips the token query. What a token may do can change on another replica (a
//! revocation, a deactivation, a role change) without this one hearing of it, so an entry is
//! trusted for [`TTL`] only: such a change takes effect here within a second. This replica's
//! own changes forget every entry when they commit ([`VerifiedTokens::forget_all`]) and so
//! take effect at once; a verification that read the database before such a change never
//! stores its stale answer (a generation counter). Failed verifications are never stored.
use super::{Principal, authenticate_until};
use crate::domain::DomainError;
use chrono::NaiveDateTime;
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long another replica's change may go unseen here.
pub const TTL: Duration = Duration::from_secs(1);
/// Entries kept at most (then all are dropped): memory stays bounded whatever the traffic.
const CAPACITY: usize = 10_000;

struct Entry {
    principal: Principal,
    /// The token's own expiry: an entry never outlives its token.
    expires_at: NaiveDateTime,
    verified: Instant,
}

#[derive(Default)]
pub struct VerifiedTokens {
    /// Keyed by the token's SHA-256, never by the token itself.
    entries: Mutex<HashMap<[u8; 32], Entry>>,
    generation: AtomicU64,
}

impl VerifiedTokens {
    pub async fn authenticate(
        &self,
        db: &impl ConnectionTrait,
        token: &str,
    ) -> Result<Principal, DomainError> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = chrono::Utc::now().naive_utc();
        if let Some(p) = self.fresh(&key, now) {
            return Ok(p);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let (principal, expires_at) = authenticate_until(db, token).await?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // Checked under the lock that `forget_all` takes: a change that committed while this
        // verification read the database has bumped the generation, and its answer is not kept.
        if self.generation.load(Ordering::Acquire) == generation {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    principal: principal.clone(),
                    expires_at,
                    verified: Instant::now(),
                },
            );
        }
        Ok(principal)
    }

    fn fresh(&self, key: &[u8; 32], now: NaiveDateTime) -> Option<Principal> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let e = entries.get(key)?;
        (e.verified.elapsed() < TTL && now < e.expires_at).then(|| e.principal.clone())
    }

    /// A token, an account or a role changed here: nothing verified before is trusted.
    pub fn forget_all(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }

    /// How many verified tokens are remembered.
    pub fn remembered(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}
