//! The hub: one reader of the event log per replica, handing each new entry to every open
//! stream of this replica (a broadcast channel), so a thousand streams cost one query per poll,
//! not a thousand. A stream that falls behind the channel reads what it missed from the log.
//! While no stream is open the hub reads nothing: the first stream to subscribe moves it to the
//! log's newest entry (nobody was listening for the ones it skipped). Also counts open streams,
//! per token and in all, against their limits.
use crate::data::entity::spci_event;
use crate::data::events;
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// Entries a lagging stream may fall behind before it reads from the log instead.
const CHANNEL: usize = 4096;
/// Entries read per query.
const BATCH: u64 = 500;

pub type Entry = Arc<spci_event::Model>;

pub struct Hub {
    tx: broadcast::Sender<Entry>,
    /// The newest id handed out.
    last: AtomicI64,
    /// Held by a pass and by a subscription; true while `last` may be behind the log because
    /// passes were skipped with nobody subscribed (and before the first subscription).
    behind: tokio::sync::Mutex<bool>,
    slots: Arc<Slots>,
}

struct Slots {
    per_token: usize,
    max: usize,
    open: Mutex<(usize, HashMap<i32, usize>)>,
}

/// An open stream's place; given back when the stream ends (dropped).
pub struct Slot {
    slots: Arc<Slots>,
    token: i32,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().expect("not poisoned");
        open.0 -= 1;
        if let Some(n) = open.1.get_mut(&self.token) {
            *n -= 1;
            if *n == 0 {
                open.1.remove(&self.token);
            }
        }
    }
}

/// Which limit refused a stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Full {
    Token(usize),
    Server(usize),
}

impl Hub {
    pub fn new(per_token: usize, max: usize) -> Self {
        Self {
            tx: broadcast::channel(CHANNEL).0,
            last: AtomicI64::new(0),
            behind: tokio::sync::Mutex::new(true),
            slots: Arc::new(Slots {
                per_token,
                max,
                open: Mutex::new((0, HashMap::new())),
            }),
        }
    }

    /// Reads the entries recorded since the last pass and hands them out; how many. With no
    /// stream subscribed it reads nothing and notes that it is behind.
    pub async fn pass(&self, db: &DatabaseConnection) -> Result<usize, DbErr> {
        let mut behind = self.behind.lock().await;
        if self.tx.receiver_count() == 0 {
            *behind = true;
            return Ok(0);
        }
        let mut n = 0;
        loop {
            let rows = events::after(db, self.last.load(Ordering::SeqCst), BATCH).await?;
            let got = rows.len();
            for r in rows {
                self.last.store(r.id, Ordering::SeqCst);
                // A stream that ended since the count above is not an error.
                let _ = self.tx.send(Arc::new(r));
            }
            n += got;
            if (got as u64) < BATCH {
                return Ok(n);
            }
        }
    }

    /// A receiver of every entry recorded after this call began. A hub that was behind first
    /// moves to the log's newest entry, under the same lock a pass holds, so no pass runs
    /// between the move and the subscription: an entry is either already in the log when the
    /// caller reads its backlog (after this returns) or handed to this receiver.
    pub async fn subscribe(
        &self,
        db: &DatabaseConnection,
    ) -> Result<broadcast::Receiver<Entry>, DbErr> {
        let mut behind = self.behind.lock().await;
        if *behind {
            self.last
                .store(events::newest_id(db).await?, Ordering::SeqCst);
            *behind = false;
        }
        Ok(self.tx.subscribe())
    }

    /// A place for one more stream of `token`, unless a limit is reached.
    pub fn open(&self, token: i32) -> Result<Slot, Full> {
        let mut open = self.slots.open.lock().expect("not poisoned");
        if open.0 >= self.slots.max {
            return Err(Full::Server(self.slots.max));
        }
        let mine = open.1.entry(token).or_default();
        if *mine >= self.slots.per_token {
            return Err(Full::Token(self.slots.per_token));
        }
        *mine += 1;
        open.0 += 1;
        Ok(Slot {
            slots: self.slots.clone(),
            token,
        })
    }

    /// Streams open now.
    pub fn open_streams(&self) -> usize {
        self.slots.open.lock().expect("not poisoned").0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_per_token_and_in_all_and_given_back() {
        let hub = Hub::new(2, 3);
        let a1 = hub.open(1).unwrap();
        let _a2 = hub.open(1).unwrap();
        assert_eq!(hub.open(1).err(), Some(Full::Token(2)));
        let _b1 = hub.open(2).unwrap();
        assert_eq!(hub.open(3).err(), Some(Full::Server(3)));
        drop(a1);
        assert_eq!(hub.open_streams(), 2);
        let _a3 = hub.open(1).unwrap();
        assert_eq!(hub.open_streams(), 3);
    }
}
