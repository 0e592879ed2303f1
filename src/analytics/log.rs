//! The query log as the server uses it: records go through a bounded channel
//! to one writer thread that commits them in batches, so logging never waits
//! on the disk and never fails a search.
//!
//! Overload policy: when the channel is full (the disk cannot keep up with
//! [`CHANNEL_CAPACITY`] records), new records are dropped, never queued
//! without bound and never allowed to slow a search; every dropped record is
//! counted in `doumi_query_log_dropped_total`. A batch that fails to commit is
//! retried once, then counted as dropped too. On shutdown every record already
//! accepted is written before the thread ends.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;

use super::pii::Masker;
use super::record::{EventRecord, Record, SearchRecord, Source, Who, mask_query, now_ms};
use crate::search::SearchResponse;
use super::postgres::{PostgresStore, is_url, redacted};
use super::spool::Spool;
use super::store::{AdminExpiry, AdminSession, LogStore, Store, StoreError};

/// Records waiting to be written, at most.
pub const CHANNEL_CAPACITY: usize = 8192;
/// Records written in one transaction, at most.
const BATCH: usize = 512;
/// How long a record may wait for others to share its transaction.
const LINGER: Duration = Duration::from_millis(50);
/// Searches remembered in memory, so that an event can be checked against its
/// search before the search has reached the disk.
const RECENT_SEARCHES: usize = 100_000;
/// How often the database is tried again while records wait in the spool.
const RETRY_EVERY: Duration = Duration::from_secs(1);
/// How often old rows are purged.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// Counters the writer keeps; `/metrics` exposes them.
#[derive(Debug, Clone, Default)]
pub struct LogCounters {
    pub searches: Counter,
    pub events: Counter,
    pub dropped: Counter,
    pub purged: Counter,
    /// Records waiting in the spool for the database.
    pub spooled: Gauge,
}

enum Message {
    Record(Record),
    /// Answered once everything sent before it is committed.
    Flush(SyncSender<()>),
}

/// Recently logged searches and their sessions.
#[derive(Default)]
struct Recent {
    sessions: HashMap<String, String>,
    order: VecDeque<String>,
}

impl Recent {
    fn insert(&mut self, id: String, session: String) {
        if self.order.len() >= RECENT_SEARCHES
            && let Some(old) = self.order.pop_front()
        {
            self.sessions.remove(&old);
        }
        self.order.push_back(id.clone());
        self.sessions.insert(id, session);
    }
}

/// The handle the server logs through.
pub struct QueryLog {
    sender: Mutex<Option<SyncSender<Message>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    recent: Mutex<Recent>,
    reader: Mutex<Box<dyn LogStore>>,
    counters: LogCounters,
    masker: Masker,
    target: LogTarget,
    trouble: Arc<Mutex<Option<String>>>,
}

/// Where the query log is kept: a SQLite file (the default) or a
/// PostgreSQL database that replicas share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    File(PathBuf),
    Postgres(String),
}

impl LogTarget {
    /// `postgres://…` or `postgresql://…` is a database; anything else a file.
    pub fn parse(text: &Path) -> LogTarget {
        match text.to_str() {
            Some(url) if is_url(url) => LogTarget::Postgres(url.to_string()),
            _ => LogTarget::File(text.to_path_buf()),
        }
    }

    /// Opens the log, creating it (the file, or the tables) when missing.
    pub fn open(&self) -> Result<Box<dyn LogStore>, StoreError> {
        Ok(match self {
            LogTarget::File(path) => Box::new(Store::open(path)?),
            LogTarget::Postgres(url) => Box::new(PostgresStore::open(url)?),
        })
    }

    /// Opens a log to read a report from: a missing file is an error that
    /// says where logs come from.
    pub fn open_existing(&self) -> Result<Box<dyn LogStore>, StoreError> {
        match self {
            LogTarget::File(path) => Ok(Box::new(Store::open_existing(path)?)),
            LogTarget::Postgres(_) => self.open(),
        }
    }
}

impl std::fmt::Display for LogTarget {
    /// The path, or the URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogTarget::File(path) => write!(f, "{}", path.display()),
            LogTarget::Postgres(url) => f.write_str(&redacted(url)),
        }
    }
}

pub struct LogOptions {
    /// Rows older than this many days are purged; 0 keeps everything.
    pub retention_days: u32,
    /// Masks personal data in what customers typed before it is stored.
    pub masker: Masker,
    /// Where records wait while a shared database is unreachable, and how
    /// many may; `None` for a log in a local file.
    pub spool: Option<(PathBuf, usize)>,
}

impl QueryLog {
    /// Opens (or creates) the log at `path` and starts its writer thread.
    pub fn open(target: &LogTarget, options: LogOptions, counters: LogCounters) -> Result<QueryLog, StoreError> {
        // A server with a spool starts even while its shared database is
        // away: records wait in the spool from the first one.
        let (store, reader, unreachable): (Box<dyn LogStore>, Box<dyn LogStore>, _) = match (target, &options.spool) {
            (LogTarget::Postgres(url), Some(_)) => {
                let (store, unreachable) = PostgresStore::open_when_reachable(url)?;
                (Box::new(store.clone()), Box::new(store), unreachable)
            }
            _ => (target.open()?, target.open()?, None),
        };
        let spool = match &options.spool {
            Some((path, capacity)) => Some(Spool::open(path, *capacity)?),
            None => None,
        };
        if let Some(spool) = &spool {
            counters.spooled.set(spool.len() as i64);
        }
        let trouble = Arc::new(Mutex::new(None));
        let writer = Writer { store, spool, counters: counters.clone(), trouble: trouble.clone(), last_try: None };
        if let Some(e) = unreachable {
            writer.troubled(&e.to_string());
        }
        let (sender, receiver) = sync_channel(CHANNEL_CAPACITY);
        let retention_days = options.retention_days;
        let thread = std::thread::Builder::new()
            .name("doumi-query-log".into())
            .spawn(move || write_loop(writer, receiver, retention_days))
            .map_err(|cause| StoreError::CreateDir { path: PathBuf::from(target.to_string()), cause })?;
        Ok(QueryLog {
            sender: Mutex::new(Some(sender)),
            thread: Mutex::new(Some(thread)),
            recent: Mutex::new(Recent::default()),
            reader: Mutex::new(reader),
            counters,
            masker: options.masker,
            target: target.clone(),
            trouble,
        })
    }

    /// Why records are waiting in the spool rather than stored, if they are.
    pub fn trouble(&self) -> Option<String> {
        lock(&self.trouble).clone()
    }

    pub fn target(&self) -> &LogTarget {
        &self.target
    }

    pub fn masker(&self) -> &Masker {
        &self.masker
    }

    /// Logs a search: masks what the customer typed, then hands it over.
    pub fn search(&self, raw: &str, response: &SearchResponse, who: &Who, source: Source) -> bool {
        self.record(Record::Search(SearchRecord::new(&self.masker, raw, response, who, source, now_ms())))
    }

    /// Logs an event; its comment is masked.
    pub fn event(&self, mut event: EventRecord) -> bool {
        event.comment = event.comment.map(|c| mask_query(&self.masker, &c));
        self.record(Record::Event(event))
    }

    /// Hands `record` to the writer without waiting; returns whether it was
    /// accepted (a full channel or a closed log drops it, counted).
    pub fn record(&self, record: Record) -> bool {
        if let Record::Search(search) = &record {
            lock(&self.recent).insert(search.id.clone(), search.session.clone());
        }
        let sender = lock(&self.sender).clone();
        let sent = match sender {
            Some(sender) => match sender.try_send(Message::Record(record)) {
                Ok(()) => true,
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
            },
            None => false,
        };
        if !sent {
            self.counters.dropped.inc();
        }
        sent
    }

    /// The session of search `query_id`, if it was logged: from memory, or
    /// from the file for older searches. Blocking: call off the async runtime.
    pub fn session_of(&self, query_id: &str) -> Result<Option<String>, StoreError> {
        if let Some(session) = lock(&self.recent).sessions.get(query_id) {
            return Ok(Some(session.clone()));
        }
        lock(&self.reader).session_of(query_id)
    }

    /// The articles most clicked since `from_ms` (blocking: call off the runtime).
    pub fn popular_articles(&self, from_ms: i64, n: usize) -> Result<Vec<(String, u64)>, StoreError> {
        lock(&self.reader).popular_articles(from_ms, n)
    }

    /// Opens an admin session (blocking: call off the runtime).
    pub fn open_admin_session(&self, session: &AdminSession, now_ms: i64, expiry: &AdminExpiry) -> Result<(), StoreError> {
        lock(&self.reader).open_admin_session(session, now_ms, expiry)
    }

    /// Whether an admin session is open, marking it used (blocking).
    pub fn use_admin_session(&self, session: &AdminSession, now_ms: i64, expiry: &AdminExpiry) -> Result<bool, StoreError> {
        lock(&self.reader).use_admin_session(session, now_ms, expiry)
    }

    /// Ends an admin session (blocking).
    pub fn close_admin_session(&self, id_hash: &str) -> Result<(), StoreError> {
        lock(&self.reader).close_admin_session(id_hash)
    }

    /// Waits until every record accepted so far is committed.
    pub fn flush(&self) {
        let sender = lock(&self.sender).clone();
        if let Some(sender) = sender {
            let (done, wait) = sync_channel(1);
            if sender.send(Message::Flush(done)).is_ok() {
                let _ = wait.recv();
            }
        }
    }

    /// Writes everything accepted and stops the writer. Later records are dropped.
    pub fn close(&self) {
        lock(&self.sender).take();
        if let Some(thread) = lock(&self.thread).take() {
            let _ = thread.join();
        }
    }
}

impl Drop for QueryLog {
    fn drop(&mut self) {
        self.close();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The writer's side: the store, and the spool that stands in for it while
/// a shared database is unreachable.
struct Writer {
    store: Box<dyn LogStore>,
    spool: Option<Spool>,
    counters: LogCounters,
    /// Why records are waiting in the spool; `None` when all is stored.
    trouble: Arc<Mutex<Option<String>>>,
    /// The last time the store was tried while records wait in the spool.
    last_try: Option<Instant>,
}

fn write_loop(mut writer: Writer, receiver: Receiver<Message>, retention_days: u32) {
    let mut last_purge: Option<Instant> = None;
    let mut batch = Vec::with_capacity(BATCH);
    let mut waiting = Vec::new();
    // Whether records were left in the channel by the last batch.
    let mut behind = false;
    loop {
        // With records in the spool, wake up to retry the database even when
        // no new record comes.
        let first = if writer.spool.as_ref().is_some_and(|s| !s.is_empty()) {
            match receiver.recv_timeout(RETRY_EVERY) {
                Ok(message) => Some(message),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        } else {
            // Ends when every sender is gone and the channel is drained.
            match receiver.recv() {
                Ok(message) => Some(message),
                Err(_) => break,
            }
        };
        if let Some(first) = first {
            let flush_now = matches!(first, Message::Flush(_));
            take(first, &mut batch, &mut waiting);
            if !flush_now && !behind {
                // Let the batch gather while asleep rather than blocked on the
                // channel: a sender only has to wake a receiver that waits on it,
                // and under load that wake-up per search cost more than the log.
                std::thread::sleep(LINGER);
            }
            while batch.len() < BATCH {
                match receiver.try_recv() {
                    Ok(message) => take(message, &mut batch, &mut waiting),
                    Err(_) => break,
                }
            }
        }
        behind = batch.len() >= BATCH;
        writer.deliver(&mut batch);
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
        if retention_days > 0 && last_purge.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
            last_purge = Some(Instant::now());
            purge(writer.store.as_ref(), retention_days, &writer.counters);
        }
    }
    // Shutting down: one last try to empty the spool; what stays waits in
    // its file for the next start.
    writer.last_try = None;
    writer.deliver(&mut batch);
}

fn take(message: Message, batch: &mut Vec<Record>, waiting: &mut Vec<SyncSender<()>>) {
    match message {
        Message::Record(r) => batch.push(r),
        Message::Flush(done) => waiting.push(done),
    }
}

impl Writer {
    /// Stores `batch`, or spools it; empties the spool first when the
    /// database answers again (at most every [`RETRY_EVERY`]).
    fn deliver(&mut self, batch: &mut Vec<Record>) {
        if self.spool.is_none() {
            self.commit(batch);
            return;
        }
        let due = self.last_try.is_none_or(|at| at.elapsed() >= RETRY_EVERY);
        if due && self.spool.as_ref().is_some_and(|s| !s.is_empty()) {
            self.last_try = Some(Instant::now());
            self.drain();
        }
        let waiting = self.spool.as_ref().is_some_and(|s| !s.is_empty());
        if !batch.is_empty() {
            // Records never overtake those already waiting.
            let stored = !waiting && match self.store.write(batch) {
                Ok(()) => {
                    self.count_written(batch);
                    lock(&self.trouble).take();
                    true
                }
                Err(e) => {
                    self.last_try = Some(Instant::now());
                    self.troubled(&e.to_string());
                    false
                }
            };
            if !stored {
                self.spool_batch(batch);
            }
        }
        batch.clear();
        if let Some(spool) = &self.spool {
            self.counters.spooled.set(spool.len() as i64);
        }
    }

    /// Writes what waits in the spool, oldest first, until it is empty or
    /// the database fails again.
    fn drain(&mut self) {
        loop {
            let Some(spool) = self.spool.as_mut() else { return };
            if spool.is_empty() {
                tracing::info!("the query log's database answers again; every spooled record is stored");
                *lock(&self.trouble) = None;
                return;
            }
            let (records, last) = match spool.oldest(BATCH) {
                Ok(oldest) => oldest,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the spool");
                    return;
                }
            };
            if let Err(e) = self.store.write(&records) {
                self.troubled(&e.to_string());
                return;
            }
            if let Some(spool) = self.spool.as_mut()
                && let Err(e) = spool.remove_through(last)
            {
                // Stored but still spooled: replayed later, stored once (ids).
                tracing::error!(error = %e, "cannot forget delivered records in the spool");
                return;
            }
            self.count_written(&records);
        }
    }

    fn spool_batch(&mut self, batch: &[Record]) {
        let Some(spool) = self.spool.as_mut() else { return };
        match spool.push(batch) {
            Ok(0) => {}
            Ok(overflow) => {
                tracing::error!(records = overflow, "the spool is full; records dropped");
                self.counters.dropped.inc_by(overflow as u64);
            }
            Err(e) => {
                tracing::error!(error = %e, records = batch.len(), "cannot spool records; dropped");
                self.counters.dropped.inc_by(batch.len() as u64);
            }
        }
    }

    /// Notes why records are being spooled, for `/healthz`.
    fn troubled(&self, error: &str) {
        let mut trouble = lock(&self.trouble);
        if trouble.is_none() {
            tracing::warn!(error, "the query log's database cannot be reached; records go to the spool");
        }
        let path = self.spool.as_ref().map_or_else(String::new, |s| s.path().display().to_string());
        *trouble = Some(format!("records are spooled in {path} until the database answers: {error}"));
    }

    fn count_written(&self, records: &[Record]) {
        let searches = records.iter().filter(|r| matches!(r, Record::Search(_))).count() as u64;
        self.counters.searches.inc_by(searches);
        self.counters.events.inc_by(records.len() as u64 - searches);
    }

    /// Without a spool: one retry, then the batch is dropped and counted.
    fn commit(&mut self, batch: &mut Vec<Record>) {
        if batch.is_empty() {
            return;
        }
        let store = &mut self.store;
        let result = store.write(batch).or_else(|e| {
            tracing::warn!(error = %e, records = batch.len(), "query log batch failed; retrying once");
            std::thread::sleep(Duration::from_millis(100));
            store.write(batch)
        });
        match result {
            Ok(()) => self.count_written(batch),
            Err(e) => {
                tracing::error!(error = %e, records = batch.len(), "query log batch dropped");
                self.counters.dropped.inc_by(batch.len() as u64);
            }
        }
        batch.clear();
    }
}

fn purge(store: &dyn LogStore, retention_days: u32, counters: &LogCounters) {
    let before = now_ms() - i64::from(retention_days) * 86_400_000;
    match store.purge(before) {
        Ok(0) => {}
        Ok(rows) => {
            counters.purged.inc_by(rows as u64);
            tracing::info!(rows, retention_days, "purged old query log rows");
        }
        Err(e) => tracing::warn!(error = %e, "cannot purge old query log rows"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(id: &str, at_ms: i64) -> Record {
        Record::Search(SearchRecord {
            id: id.into(),
            at_ms,
            session: "s-00000001".into(),
            client: String::new(),
            source: Source::Api,
            query: "배송".into(),
            normalized: "배송".into(),
            total: 0,
            confidence: 0.0,
            hits: vec![],
        })
    }

    #[test]
    fn closing_writes_every_accepted_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queries.sqlite3");
        let counters = LogCounters::default();
        let log = QueryLog::open(&LogTarget::File(path.clone()), LogOptions { retention_days: 0, masker: Masker::default(), spool: None }, counters.clone()).unwrap();
        for i in 0..2000 {
            assert!(log.record(search(&format!("q{i}"), now_ms())));
        }
        assert_eq!(log.session_of("q1999").unwrap().as_deref(), Some("s-00000001"));
        log.close();
        assert!(!log.record(search("late", now_ms())), "a closed log drops");
        assert_eq!(Store::open(&path).unwrap().counts().unwrap(), (2000, 0));
        assert_eq!(counters.searches.get(), 2000);
        assert_eq!(counters.dropped.get(), 1);
    }

    #[test]
    fn old_rows_are_purged_when_the_writer_starts_writing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queries.sqlite3");
        let log = QueryLog::open(&LogTarget::File(path.clone()), LogOptions { retention_days: 30, masker: Masker::default(), spool: None }, LogCounters::default()).unwrap();
        log.record(search("old", now_ms() - 31 * 86_400_000));
        log.record(search("new", now_ms()));
        log.flush();
        log.record(search("newer", now_ms()));
        log.close();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.session_of("old").unwrap(), None);
        assert_eq!(store.counts().unwrap(), (2, 0));
    }
}
