//! Paging through run logs of any size (`LogFiles/<run>.txt`) without reading them whole
//! (review MEDIUM: readlines on the whole file).
//!
//! The first read of a log streams it once to build a sparse line index: the byte offset of
//! every [`STRIDE`]th line, and of any line starting more than [`GAP`] bytes after the previous
//! checkpoint, so a page seeks to within a bounded distance of its cursor. A page then reads
//! forward in [`CHUNK`]s, keeps at most [`MAX_LINE`] bytes of any one line, and stops after
//! [`SCAN_BUDGET`] bytes even when filters match little, returning a cursor to go on from.
//! Memory per request is a few chunks whatever the log's size; indexes are small (16 bytes per
//! checkpoint) and the cache holds a bounded number of bytes of them.
use super::storage::{Key, Storage};
use crate::domain::DomainError;
use futures_util::StreamExt;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::OnceCell;

pub const STRIDE: u64 = 1024;
pub const GAP: u64 = 1 << 20;
pub const CHUNK: u64 = 256 << 10;
pub const MAX_LINE: usize = 64 << 10;
pub const SCAN_BUDGET: u64 = 8 << 20;

/// Where lines start, sparsely.
#[derive(Debug, PartialEq, Eq)]
pub struct LineIndex {
    pub size: u64,
    pub lines: u64,
    /// (line number, byte offset of its start), ascending; always starts with (0, 0).
    pub checkpoints: Vec<(u64, u64)>,
}

impl LineIndex {
    /// Builds the index from the object's bytes as a stream.
    pub async fn build(storage: &Storage, key: &Key) -> Result<Option<Self>, DomainError> {
        let Some(mut stream) = storage.stream(key).await? else {
            return Ok(None);
        };
        let mut b = Builder::default();
        while let Some(chunk) = stream.next().await {
            b.feed(&chunk.map_err(|e| {
                tracing::warn!(error = %e, "storage read of a log failed");
                super::storage::storage_unavailable()
            })?);
        }
        Ok(Some(b.finish()))
    }

    /// The last checkpoint at or before `line`.
    fn seek(&self, line: u64) -> (u64, u64) {
        let i = self.checkpoints.partition_point(|c| c.0 <= line);
        self.checkpoints[i.saturating_sub(1)]
    }

    /// The checkpoint of exactly `line`, if there is one.
    fn start_of(&self, line: u64) -> Option<u64> {
        self.checkpoints
            .binary_search_by_key(&line, |c| c.0)
            .ok()
            .map(|i| self.checkpoints[i].1)
    }
}

#[derive(Default)]
struct Builder {
    offset: u64,
    line: u64,
    last_checkpoint: u64,
    checkpoints: Vec<(u64, u64)>,
    ends_open: bool,
}

impl Builder {
    fn feed(&mut self, bytes: &[u8]) {
        if self.checkpoints.is_empty() {
            self.checkpoints.push((0, 0));
        }
        let base = self.offset;
        for i in memchr::memchr_iter(b'\n', bytes) {
            self.line += 1;
            let start = base + i as u64 + 1;
            if self.line.is_multiple_of(STRIDE) || start - self.last_checkpoint > GAP {
                self.checkpoints.push((self.line, start));
                self.last_checkpoint = start;
            }
        }
        self.offset += bytes.len() as u64;
        if !bytes.is_empty() {
            self.ends_open = bytes[bytes.len() - 1] != b'\n';
        }
    }

    fn finish(mut self) -> LineIndex {
        if self.checkpoints.is_empty() {
            self.checkpoints.push((0, 0));
        }
        // A checkpoint at the very end names no line.
        let size = self.offset;
        self.checkpoints.retain(|c| c.1 < size || c.0 == 0);
        LineIndex {
            size,
            lines: self.line + u64::from(self.ends_open),
            checkpoints: self.checkpoints,
        }
    }
}

/// Line indexes by log, bounded by the bytes they hold, rebuilt when the object's size or
/// version changes. Concurrent first readers of one log share one build (single flight):
/// a thousand clients opening a new 1 GB log scan it once, not a thousand times.
pub struct LogIndexes {
    inner: std::sync::Mutex<Cache>,
    budget: usize,
    builds: AtomicUsize,
}

/// What one index may cost at most in the cache before older ones are dropped.
const CACHE_BYTES: usize = 32 << 20;

#[derive(Default)]
struct Cache {
    entries: HashMap<String, Entry>,
    /// Keys, oldest first.
    order: VecDeque<String>,
    bytes: usize,
}

struct Entry {
    size: u64,
    version: Option<String>,
    cell: Arc<OnceCell<Option<Arc<LineIndex>>>>,
    bytes: usize,
}

impl Default for LogIndexes {
    fn default() -> Self {
        Self::with_budget(CACHE_BYTES)
    }
}

impl LineIndex {
    /// What the index holds in memory.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.checkpoints.len() * std::mem::size_of::<(u64, u64)>()
    }
}

impl LogIndexes {
    pub fn with_budget(budget: usize) -> Self {
        Self {
            inner: Default::default(),
            budget,
            builds: AtomicUsize::new(0),
        }
    }

    /// How many indexes were built (each a full scan of a log).
    pub fn builds(&self) -> usize {
        self.builds.load(Ordering::Relaxed)
    }

    /// Bytes the cached indexes hold.
    pub fn cached_bytes(&self) -> usize {
        self.lock().bytes
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `None` when the log does not exist.
    pub async fn get(
        &self,
        storage: &Storage,
        key: &Key,
    ) -> Result<Option<Arc<LineIndex>>, DomainError> {
        let Some((size, version)) = storage.version(key).await? else {
            return Ok(None);
        };
        let cell = {
            let mut cache = self.lock();
            let cache = &mut *cache;
            match cache.entries.get(key.as_str()) {
                Some(e) if e.size == size && e.version == version => e.cell.clone(),
                _ => {
                    let cell = Arc::new(OnceCell::new());
                    let entry = Entry {
                        size,
                        version: version.clone(),
                        cell: cell.clone(),
                        bytes: 0,
                    };
                    if let Some(old) = cache.entries.insert(key.as_str().to_string(), entry) {
                        cache.bytes -= old.bytes;
                    } else {
                        cache.order.push_back(key.as_str().to_string());
                    }
                    cell
                }
            }
        };
        let built = cell
            .get_or_try_init(|| async {
                self.builds.fetch_add(1, Ordering::Relaxed);
                Ok::<_, DomainError>(LineIndex::build(storage, key).await?.map(Arc::new))
            })
            .await;
        let mut cache = self.lock();
        let cache = &mut *cache;
        let ours = |c: &Cache| {
            c.entries
                .get(key.as_str())
                .is_some_and(|e| Arc::ptr_eq(&e.cell, &cell))
        };
        match built {
            Ok(Some(idx)) => {
                if ours(cache)
                    && let Some(e) = cache.entries.get_mut(key.as_str())
                    && e.bytes == 0
                {
                    e.bytes = idx.bytes();
                    cache.bytes += e.bytes;
                }
                // Oldest first, never the one just built.
                while cache.bytes > self.budget && cache.order.len() > 1 {
                    let Some(old) = cache.order.pop_front() else {
                        break;
                    };
                    if old == key.as_str() {
                        cache.order.push_back(old);
                        continue;
                    }
                    if let Some(e) = cache.entries.remove(&old) {
                        cache.bytes -= e.bytes;
                    }
                }
                Ok(Some(idx.clone()))
            }
            // Gone, or unreadable: nothing worth keeping; the next reader tries afresh.
            other => {
                if ours(cache) {
                    if let Some(e) = cache.entries.remove(key.as_str()) {
                        cache.bytes -= e.bytes;
                    }
                    cache.order.retain(|k| k != key.as_str());
                }
                other.map(|_| None)
            }
        }
    }
}

/// One page of lines from `cursor`: (line number, text) of the lines `keep` accepts, and the
/// cursor to continue from (`None` at the end of the log).
pub async fn page(
    storage: &Storage,
    key: &Key,
    index: &LineIndex,
    cursor: u64,
    limit: usize,
    keep: impl Fn(&str) -> bool,
) -> Result<(Vec<(u64, String)>, Option<u64>), DomainError> {
    let mut out = Vec::new();
    if cursor >= index.lines {
        return Ok((out, None));
    }
    let (mut line, mut pos) = index.seek(cursor);
    let mut current: Vec<u8> = Vec::new();
    let mut overflow = false;
    let mut scanned = 0u64;
    while pos < index.size {
        let end = (pos + CHUNK).min(index.size);
        let chunk = storage.range(key, pos, end).await?;
        scanned += chunk.len() as u64;
        let mut rest: &[u8] = &chunk;
        let mut jumped = false;
        while !rest.is_empty() {
            let (part, complete) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], true),
                None => (rest, false),
            };
            rest = if complete {
                &rest[part.len() + 1..]
            } else {
                &[]
            };
            if !overflow {
                let room = MAX_LINE - current.len();
                current.extend_from_slice(&part[..part.len().min(room)]);
                overflow = part.len() > room;
            }
            if !complete {
                if overflow && let Some(next) = index.start_of(line + 1) {
                    // The rest of an over-long line is skipped by the index, not read.
                    finish_line(&mut out, &mut current, line, cursor, &keep);
                    overflow = false;
                    line += 1;
                    pos = next;
                    jumped = true;
                }
                break;
            }
            finish_line(&mut out, &mut current, line, cursor, &keep);
            overflow = false;
            line += 1;
            if out.len() >= limit {
                return Ok((out, (line < index.lines).then_some(line)));
            }
        }
        if !jumped {
            pos = end;
        }
        if scanned >= SCAN_BUDGET && current.is_empty() && line > cursor {
            return Ok((out, (line < index.lines).then_some(line)));
        }
    }
    if !current.is_empty() || overflow {
        finish_line(&mut out, &mut current, line, cursor, &keep);
    }
    Ok((out, None))
}

fn finish_line(
    out: &mut Vec<(u64, String)>,
    current: &mut Vec<u8>,
    line: u64,
    cursor: u64,
    keep: &impl Fn(&str) -> bool,
) {
    if line >= cursor {
        let text = String::from_utf8_lossy(current);
        let text = text.strip_suffix('\r').unwrap_or(&text);
        if keep(text) {
            out.push((line, text.to_string()));
        }
    }
    current.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::storage::Folder;
    use object_store::ObjectStoreExt;

    async fn stored(bytes: Vec<u8>) -> (tempfile::TempDir, Storage, Key) {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(dir.path().to_str().unwrap()).unwrap();
        let key = Key::new(Folder::LogFiles, "1.txt").unwrap();
        storage
            .store
            .put(&object_store::path::Path::from(key.as_str()), bytes.into())
            .await
            .unwrap();
        (dir, storage, key)
    }

    async fn read_all(storage: &Storage, key: &Key, limit: usize) -> Vec<(u64, String)> {
        let idx = LineIndex::build(storage, key).await.unwrap().unwrap();
        let mut cursor = Some(0);
        let mut all = vec![];
        while let Some(c) = cursor {
            let (lines, next) = page(storage, key, &idx, c, limit, |_| true).await.unwrap();
            assert!(next.is_none_or(|n| n > c), "the cursor always advances");
            all.extend(lines);
            cursor = next;
        }
        all
    }

    #[tokio::test]
    async fn index_table() {
        let cases: [(&[u8], u64); 5] = [
            (b"", 0),
            (b"a", 1),
            (b"a\n", 1),
            (b"a\nb", 2),
            (b"a\r\nb\r\n\n", 3),
        ];
        for (bytes, lines) in cases {
            let (_d, s, k) = stored(bytes.to_vec()).await;
            let idx = LineIndex::build(&s, &k).await.unwrap().unwrap();
            assert_eq!(idx.lines, lines, "{bytes:?}");
            assert_eq!(idx.checkpoints[0], (0, 0));
        }
    }

    #[tokio::test]
    async fn pages_cover_every_line_once_from_any_cursor() {
        let text: String = (0..5000).map(|i| format!("line {i}\n")).collect();
        let (_d, s, k) = stored(text.into_bytes()).await;
        let all = read_all(&s, &k, 100).await;
        assert_eq!(all.len(), 5000);
        assert!(
            all.iter()
                .enumerate()
                .all(|(i, (n, t))| *n == i as u64 && *t == format!("line {i}"))
        );
        let idx = LineIndex::build(&s, &k).await.unwrap().unwrap();
        assert_eq!(idx.checkpoints.len(), 5, "one per {STRIDE} lines");
        let (lines, next) = page(&s, &k, &idx, 4321, 3, |_| true).await.unwrap();
        assert_eq!(lines[0], (4321, "line 4321".to_string()));
        assert_eq!(next, Some(4324));
        let (lines, next) = page(&s, &k, &idx, 4999, 3, |_| true).await.unwrap();
        assert_eq!((lines.len(), next), (1, None));
        let (lines, next) = page(&s, &k, &idx, 9999, 3, |_| true).await.unwrap();
        assert_eq!((lines.len(), next), (0, None));
    }

    #[tokio::test]
    async fn an_over_long_line_is_cut_and_skipped_not_read() {
        let mut bytes = b"first\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', 3 << 20));
        bytes.extend(b"\nlast\n");
        let (_d, s, k) = stored(bytes).await;
        let all = read_all(&s, &k, 100).await;
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].1.len(), MAX_LINE);
        assert_eq!(all[2], (2, "last".to_string()));
    }

    #[tokio::test]
    async fn a_rare_filter_stops_at_the_scan_budget_with_a_cursor() {
        let mut text: String = (0..1_000_000).map(|i| format!("noise {i:08}\n")).collect();
        text.push_str("the needle\n");
        let (_d, s, k) = stored(text.into_bytes()).await;
        let idx = LineIndex::build(&s, &k).await.unwrap().unwrap();
        let mut cursor = Some(0);
        let mut found = vec![];
        let mut pages = 0;
        while let Some(c) = cursor {
            let (lines, next) = page(&s, &k, &idx, c, 10, |t| t.contains("needle"))
                .await
                .unwrap();
            found.extend(lines);
            cursor = next;
            pages += 1;
        }
        assert_eq!(found, vec![(1_000_000, "the needle".to_string())]);
        assert!(pages > 1, "a page scans at most {SCAN_BUDGET} bytes");
    }

    #[tokio::test]
    async fn concurrent_first_readers_share_one_build() {
        let lines: String = (0..50_000).map(|i| format!("line {i}\n")).collect();
        let (_dir, s, k) = stored(lines.into_bytes()).await;
        let cache = LogIndexes::default();
        let gets = (0..16).map(|_| cache.get(&s, &k));
        let all = futures_util::future::join_all(gets).await;
        for idx in &all {
            assert_eq!(idx.as_ref().unwrap().as_ref().unwrap().lines, 50_000);
        }
        assert_eq!(cache.builds(), 1, "one scan for sixteen readers");
        cache.get(&s, &k).await.unwrap().unwrap();
        assert_eq!(cache.builds(), 1, "a later reader uses the cached index");
    }

    #[tokio::test]
    async fn the_cache_is_bounded_by_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::open(dir.path().to_str().unwrap()).unwrap();
        let lines: String = (0..(STRIDE * 40)).map(|i| format!("{i}\n")).collect();
        let one = {
            let k = Key::new(Folder::LogFiles, "probe.txt").unwrap();
            s.store
                .put(
                    &object_store::path::Path::from(k.as_str()),
                    lines.clone().into_bytes().into(),
                )
                .await
                .unwrap();
            LineIndex::build(&s, &k).await.unwrap().unwrap().bytes()
        };
        let cache = LogIndexes::with_budget(one * 3);
        for i in 0..10 {
            let k = Key::new(Folder::LogFiles, &format!("{i}.txt")).unwrap();
            s.store
                .put(
                    &object_store::path::Path::from(k.as_str()),
                    lines.clone().into_bytes().into(),
                )
                .await
                .unwrap();
            cache.get(&s, &k).await.unwrap().unwrap();
            assert!(
                cache.cached_bytes() <= one * 3,
                "{} > {}",
                cache.cached_bytes(),
                one * 3
            );
        }
        assert_eq!(cache.builds(), 10);
        assert!(cache.cached_bytes() >= one, "the newest index stays");
    }
}
