//! Where every password check runs: on blocking threads, at most `slots` at once (one per CPU
//! core by default), each argon2id check in a working memory that is kept and reused. A flood
//! of logins then costs `slots` × 19 MiB instead of 19 MiB per request in flight (and the
//! allocator, which keeps freed blocks in per-thread arenas, has nothing new to keep), and the
//! async workers stay free for everything else. A login that finds no slot within the wait is
//! answered 503 with Retry-After rather than queued without bound.
use super::password::{self, Memory, Verdict};
use crate::config::PasswordFormat;
use crate::domain::DomainError;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

pub struct HashPool {
    slots: Arc<Semaphore>,
    size: usize,
    wait: Duration,
    /// At most one per slot: a check takes one (or starts one) and puts it back.
    memories: Arc<Mutex<Vec<Memory>>>,
}

impl HashPool {
    /// `slots == 0` means one per CPU core.
    pub fn new(slots: usize, wait: Duration) -> Self {
        let size = match slots {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        Self {
            slots: Arc::new(Semaphore::new(size)),
            size,
            wait,
            memories: Arc::default(),
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Checks running now.
    pub fn busy(&self) -> usize {
        self.size - self.slots.available_permits()
    }

    /// `password` against the stored hash, or against a dummy of the configured format when
    /// there is no account (the same work, so timing does not tell).
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
        format: PasswordFormat,
    ) -> Result<Verdict, DomainError> {
        self.run(move |memory| match stored {
            Some(stored) => password::verify_in(&password, &stored, format, memory),
            None => {
                password::verify_dummy(&password, format, memory);
                Verdict::NoMatch
            }
        })
        .await
    }

    /// A new hash of `password` in `format`.
    pub async fn hash(
        &self,
        password: String,
        format: PasswordFormat,
    ) -> Result<String, DomainError> {
        self.run(move |_| password::hash(&password, format)).await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, DomainError> {
        let permit = match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await
        {
            Ok(Ok(permit)) => permit,
            _ => {
                return Err(DomainError::unavailable(
                    "Too many password checks in progress; retry shortly.",
                ));
            }
        };
        let memories = self.memories.clone();
        tokio::task::spawn_blocking(move || {
            let taken = memories.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let mut memory = taken.unwrap_or_default();
            let out = work(&mut memory);
            memories
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(memory);
            drop(permit);
            out
        })
        .await
        .map_err(DomainError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// More checks than slots: they all finish, never more memories than slots exist, and a
    /// caller that cannot get a slot in time is told to come back (503), not queued forever.
    #[tokio::test]
    async fn checks_share_bounded_slots_and_memories() {
        let pool = Arc::new(HashPool::new(2, Duration::from_secs(30)));
        let stored = password::hash("right password", PasswordFormat::Argon2id);
        let checks = (0..6).map(|i| {
            let (pool, stored) = (pool.clone(), stored.clone());
            tokio::spawn(async move {
                let guess = if i % 2 == 0 {
                    "right password"
                } else {
                    "wrong"
                };
                pool.verify(guess.into(), Some(stored), PasswordFormat::Argon2id)
                    .await
                    .unwrap()
            })
        });
        let verdicts: Vec<Verdict> = futures_util::future::join_all(checks)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let matches = verdicts.iter().filter(|v| **v == Verdict::Match).count();
        assert_eq!(matches, 3, "{verdicts:?}");
        assert!(pool.memories.lock().unwrap().len() <= 2);

        let busy = HashPool::new(1, Duration::from_millis(10));
        let _held = busy.slots.clone().acquire_owned().await.unwrap();
        let e = busy
            .verify("x".into(), None, PasswordFormat::Argon2id)
            .await
            .unwrap_err();
        assert_eq!(e.kind, crate::domain::ErrorKind::Unavailable);
    }
}
