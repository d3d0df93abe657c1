//! The streams a client follows: a run's events, and a run's log.
//!
//! A run's events: its entries after `Last-Event-ID` are read from the log (a page at a time),
//! then new ones come from the hub; the stream subscribes before it reads, so an entry recorded
//! in between is in one or the other (ids already sent are skipped). A stream that falls behind
//! the hub reads from the log again. Memory per stream: one page of entries.
//!
//! A run's log: its stored object is read past the bytes already sent, at most
//! [`LOG_CHUNK`] at a time, whenever the run has a new event or every [`LOG_CHECK`].
use super::hub::{Entry, Hub, Slot};
use crate::api::{LogStreamLine, RunEvent, RunEventKind, RunStatus};
use crate::data::entity::spci_run_verdict;
use crate::data::events;
use crate::data::verdict_cache::VerdictCache;
use crate::domain::DomainError;
use crate::domain::events::has_ended;
use crate::files::{Key, Storage};
use crate::types::UtcDateTime;
use crate::views::events::run_event;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

/// Entries read from the log at a time.
const PAGE: u64 = 200;
/// Bytes of a log read at a time.
const LOG_CHUNK: u64 = 256 * 1024;
/// Longest line sent; the rest of a longer one is cut.
const MAX_LINE: usize = 64 * 1024;
/// How often a log is looked at when nothing happens to its run.
const LOG_CHECK: Duration = Duration::from_secs(2);

/// What a client asking for a stream gets.
pub enum Opened<T> {
    /// The run has ended and the client has everything: 204.
    Ended,
    Stream(BoxStream<'static, T>),
}

/// The run's derived status, if judged.
async fn status_of(db: &DatabaseConnection, run: i32) -> Result<Option<(RunStatus, i32)>, DbErr> {
    Ok(spci_run_verdict::Entity::find_by_id(run)
        .one(db)
        .await?
        .and_then(|v| Some((RunStatus::parse(&v.status)?, v.last_progress_id))))
}

pub async fn run_events(
    db: &DatabaseConnection,
    hub: &Hub,
    verdicts: &VerdictCache,
    run: i32,
    after: Option<i64>,
    slot: Slot,
) -> Result<Opened<RunEvent>, DbErr> {
    let db = db.clone();
    let rx = hub.subscribe(&db).await?;
    let first = events::of_run(&db, run, after.unwrap_or(0), PAGE).await?;
    if first.is_empty() {
        verdicts.current(&db).await?;
        if let Some((status, last_progress)) = status_of(&db, run).await?
            && has_ended(status)
            && events::completed_id(&db, run).await?.is_none()
            && super::recorder::before_log(&db, last_progress).await?
        {
            // Ended before the log began: its one event is `completed`, id 0.
            if after.is_some() {
                return Ok(Opened::Ended);
            }
            let only = RunEvent {
                id: 0,
                kind: RunEventKind::Completed,
                run_id: run,
                at: UtcDateTime::now(),
                progress: None,
                result: None,
                status: Some(status),
                effective_status: None,
            };
            return Ok(Opened::Stream(futures_util::stream::iter([only]).boxed()));
        }
        if let Some(done) = events::completed_id(&db, run).await?
            && after.is_some_and(|a| a >= done)
        {
            return Ok(Opened::Ended);
        }
    }
    let follow = Follow {
        db,
        run,
        last: after.unwrap_or(0),
        reread: first.len() as u64 == PAGE,
        queue: first.iter().filter_map(run_event).collect(),
        rx,
        done: false,
        _slot: slot,
    };
    Ok(Opened::Stream(
        futures_util::stream::unfold(follow, Follow::next).boxed(),
    ))
}

struct Follow {
    db: DatabaseConnection,
    run: i32,
    last: i64,
    queue: VecDeque<RunEvent>,
    /// Read the log before listening again (more than a page was waiting, or the stream fell
    /// behind the hub).
    reread: bool,
    rx: broadcast::Receiver<Entry>,
    done: bool,
    _slot: Slot,
}

impl Follow {
    async fn next(mut self) -> Option<(RunEvent, Self)> {
        loop {
            if self.done {
                return None;
            }
            if let Some(e) = self.queue.pop_front() {
                if e.id <= self.last {
                    continue;
                }
                self.last = e.id;
                self.done = e.kind == RunEventKind::Completed;
                return Some((e, self));
            }
            if self.reread {
                // A failed read ends the stream; the client resumes from its last id.
                let rows = events::of_run(&self.db, self.run, self.last, PAGE)
                    .await
                    .ok()?;
                self.reread = rows.len() as u64 == PAGE;
                self.queue.extend(rows.iter().filter_map(run_event));
                continue;
            }
            match self.rx.recv().await {
                Ok(entry) if entry.run_id == self.run && entry.id > self.last => {
                    self.queue.extend(run_event(&entry));
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => self.reread = true,
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

pub async fn run_log(
    db: &DatabaseConnection,
    storage: &Storage,
    hub: &Hub,
    run: i32,
    after_line: i64,
    slot: Slot,
) -> Result<Opened<LogStreamLine>, DomainError> {
    let key = Key::run_log(run).ok_or_else(|| DomainError::not_found("Run"))?;
    let db = db.clone();
    let ended = |s: Option<(RunStatus, i32)>| s.is_some_and(|(s, _)| has_ended(s));
    // A run that ended with every line sent: nothing more will come.
    if after_line > 0 && ended(status_of(&db, run).await?) {
        let lines = count_lines(storage, &key).await?;
        if lines <= after_line as u64 {
            return Ok(Opened::Ended);
        }
    }
    let rx = hub.subscribe(&db).await?;
    let tail = Tail {
        db,
        storage: storage.clone(),
        key,
        run,
        rx,
        offset: 0,
        line: 0,
        skip: after_line.max(0),
        partial: vec![],
        queue: VecDeque::new(),
        finished: false,
        _slot: slot,
    };
    Ok(Opened::Stream(
        futures_util::stream::unfold(tail, Tail::next).boxed(),
    ))
}

/// Lines in the stored log (0 when there is none).
async fn count_lines(storage: &Storage, key: &Key) -> Result<u64, DomainError> {
    let Some(mut chunks) = storage.stream(key).await? else {
        return Ok(0);
    };
    let (mut n, mut last) = (0u64, b'\n');
    while let Some(c) = chunks.next().await {
        let c = c.map_err(|e| DomainError::unavailable(format!("log unreadable: {e}")))?;
        n += memchr::memchr_iter(b'\n', &c).count() as u64;
        if let Some(b) = c.last() {
            last = *b;
        }
    }
    Ok(n + u64::from(last != b'\n'))
}

struct Tail {
    db: DatabaseConnection,
    storage: Storage,
    key: Key,
    run: i32,
    rx: broadcast::Receiver<Entry>,
    /// Bytes of the object read so far.
    offset: u64,
    /// Lines seen so far (sent or skipped).
    line: i64,
    /// Lines the client has already.
    skip: i64,
    /// The unfinished last line (at most MAX_LINE bytes kept).
    partial: Vec<u8>,
    queue: VecDeque<LogStreamLine>,
    /// The run ended and its whole log was read.
    finished: bool,
    _slot: Slot,
}

impl Tail {
    async fn next(mut self) -> Option<(LogStreamLine, Self)> {
        loop {
            if let Some(l) = self.queue.pop_front() {
                return Some((l, self));
            }
            if self.finished {
                return None;
            }
            // Whether the run had ended before this look: then what is stored is all of it.
            let ended = status_of(&self.db, self.run)
                .await
                .ok()?
                .is_some_and(|(s, _)| has_ended(s));
            let size = self.storage.size(&self.key).await.ok()?.unwrap_or(0);
            if size > self.offset {
                let end = size.min(self.offset + LOG_CHUNK);
                let bytes = self.storage.range(&self.key, self.offset, end).await.ok()?;
                self.offset = end;
                self.take(&bytes);
                continue;
            }
            if ended {
                if !self.partial.is_empty() {
                    let rest = std::mem::take(&mut self.partial);
                    self.push(&rest);
                }
                self.finished = true;
                continue;
            }
            self.wait().await;
        }
    }

    /// Splits `bytes` into lines after the partial one.
    fn take(&mut self, bytes: &[u8]) {
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', bytes) {
            let mut line = std::mem::take(&mut self.partial);
            extend_capped(&mut line, &bytes[start..nl]);
            self.push(&line);
            start = nl + 1;
        }
        let rest = &bytes[start..];
        let mut partial = std::mem::take(&mut self.partial);
        extend_capped(&mut partial, rest);
        self.partial = partial;
    }

    fn push(&mut self, line: &[u8]) {
        self.line += 1;
        if self.line <= self.skip {
            return;
        }
        let text = String::from_utf8_lossy(line);
        self.queue.push_back(LogStreamLine {
            line: self.line,
            text: text.trim_end_matches('\r').to_string(),
        });
    }

    /// Until the run has news or it is time to look again.
    async fn wait(&mut self) {
        let deadline = tokio::time::sleep(LOG_CHECK);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut deadline => return,
                got = self.rx.recv() => match got {
                    Ok(e) if e.run_id == self.run => return,
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                },
            }
        }
    }
}

fn extend_capped(line: &mut Vec<u8>, more: &[u8]) {
    let room = MAX_LINE.saturating_sub(line.len());
    line.extend_from_slice(&more[..more.len().min(room)]);
}
