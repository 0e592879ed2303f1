//! The query log's SQLite file: schema and its migrations, batched writes,
//! and the reads reports are made from.
//!
//! The file runs in WAL mode with `synchronous = NORMAL`: a committed batch
//! survives the process being killed (only a power cut can lose the last
//! transactions), readers never block the writer, and a crash can never leave
//! a half-written batch behind.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};

use super::record::{EventKind, EventRecord, LoggedHit, Record, SearchRecord, Source};

/// Schema versions, oldest first; never edit one that has shipped, add another.
const MIGRATIONS: &[M<'static>] = &[
    M::up(
    "CREATE TABLE searches (
        id          TEXT PRIMARY KEY,
        at_ms       INTEGER NOT NULL,
        session     TEXT NOT NULL,
        source      TEXT NOT NULL,
        query       TEXT NOT NULL,
        normalized  TEXT NOT NULL,
        total       INTEGER NOT NULL,
        confidence  REAL NOT NULL,
        hits        TEXT NOT NULL
    ) STRICT;
    CREATE INDEX searches_by_time ON searches(at_ms);
    CREATE INDEX searches_by_session ON searches(session, at_ms);
    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        query_id    TEXT,
        at_ms       INTEGER NOT NULL,
        session     TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('click', 'helpful', 'not_helpful', 'contact_support')),
        article_id  TEXT,
        rank        INTEGER,
        comment     TEXT
    ) STRICT;
    CREATE INDEX events_by_query ON events(query_id);
    CREATE INDEX events_by_time ON events(at_ms);",
    ),
    // Support leads signed in to the report page: the hash of each session's
    // random id (the cookie), never the id, and of the admin token it was
    // opened with, so changing the token ends every session.
    M::up(
        "CREATE TABLE admin_sessions (
            id_hash       TEXT PRIMARY KEY,
            token_hash    TEXT NOT NULL,
            created_ms    INTEGER NOT NULL,
            last_seen_ms  INTEGER NOT NULL
        ) STRICT;",
    ),
    // The client a search came from, as a keyed hash of the day: distinct
    // clients, where one client must not count as many.
    M::up("ALTER TABLE searches ADD COLUMN client TEXT NOT NULL DEFAULT '';"),
    // Events' own ids: a record replayed from the spool is stored once.
    M::up("ALTER TABLE events ADD COLUMN uid TEXT; CREATE UNIQUE INDEX events_by_uid ON events(uid);"),
    // No query reads searches by session (reports group a period's searches
    // by session in memory), and every search logged paid for the index.
    M::up("DROP INDEX IF EXISTS searches_by_session;"),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the folder for the query log {path}: {cause}")]
    CreateDir { path: PathBuf, cause: std::io::Error },
    #[error("cannot open the query log {path}: {cause}")]
    Open { path: PathBuf, cause: rusqlite::Error },
    #[error("the query log {path} cannot be brought to the current schema: {cause}")]
    Migrate { path: PathBuf, cause: rusqlite_migration::Error },
    #[error("there is no query log at {0} yet: it is written by `doumi serve` (or `doumi simulate`); pass --log to read another file")]
    Missing(PathBuf),
    #[error("query log {path}: {cause}")]
    Sql { path: PathBuf, cause: rusqlite::Error },
    #[error("query log in PostgreSQL ({at}): {cause}")]
    Postgres { at: String, cause: String },
}

/// A search as selected: id, at_ms, session, source, query, normalized,
/// total, confidence, hits, client.
fn search_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SearchRecord> {
    let source: String = row.get(3)?;
    let hits: String = row.get(8)?;
    Ok(SearchRecord {
        id: row.get(0)?,
        at_ms: row.get(1)?,
        session: row.get(2)?,
        client: row.get(9)?,
        source: Source::from_stored(&source),
        query: row.get(4)?,
        normalized: row.get(5)?,
        total: row.get::<_, i64>(6)?.max(0) as u64,
        confidence: row.get::<_, f64>(7)? as f32,
        hits: LoggedHit::from_stored(&hits),
    })
}

/// An event as selected (query_id, at_ms, session, kind, article_id, rank,
/// comment, uid), with its kind as stored.
fn event_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, EventRecord)> {
    let kind: String = row.get(3)?;
    let event = EventRecord {
        id: row.get(7)?,
        query_id: row.get(0)?,
        at_ms: row.get(1)?,
        session: row.get(2)?,
        kind: EventKind::Click,
        article_id: row.get(4)?,
        rank: row.get(5)?,
        comment: row.get(6)?,
    };
    Ok((kind, event))
}

/// An admin session as stored: hashes only (see the migration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSession {
    pub id_hash: String,
    pub token_hash: String,
}

/// How long an admin session lasts.
#[derive(Debug, Clone, Copy)]
pub struct AdminExpiry {
    /// Unused this long, it ends.
    pub idle_ms: i64,
    /// This long after sign-in, it ends.
    pub max_ms: i64,
}

/// A search with everything that followed it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedSearch {
    pub search: SearchRecord,
    pub events: Vec<EventRecord>,
}

/// The log of a period, in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Period {
    pub searches: Vec<LoggedSearch>,
    /// Votes on articles reached without a search.
    pub votes: Vec<EventRecord>,
}

impl Period {
    /// The period of `searches` (in time order) and `events` (in time order,
    /// each with its kind as stored): an event joins its search, or stands
    /// alone as a vote made without one.
    pub fn assemble(searches: Vec<SearchRecord>, events: Vec<(String, EventRecord)>) -> Period {
        let mut period = Period::default();
        let mut by_id = std::collections::HashMap::new();
        for search in searches {
            by_id.insert(search.id.clone(), period.searches.len());
            period.searches.push(LoggedSearch { search, events: Vec::new() });
        }
        for (kind, mut event) in events {
            // The stores' CHECK constraints keep other kinds out.
            let Some(kind) = EventKind::from_stored(&kind) else { continue };
            event.kind = kind;
            match event.query_id.as_ref().and_then(|id| by_id.get(id)) {
                Some(&i) => period.searches[i].events.push(event),
                None => period.votes.push(event),
            }
        }
        period
    }
}

/// Where the query log is kept: what the writer thread, the reports and the
/// admin sign-in need of it. Two implementations: [`Store`] (SQLite, a file
/// beside the index; the default) and [`super::postgres::PostgresStore`]
/// (shared by replicas). Both keep the same tables, brought to the same
/// schema version by their own migrations.
pub trait LogStore: Send {
    /// Writes `batch` in one transaction: all of it or, on error, none. A
    /// search already stored (the same id) is left as it is.
    fn write(&mut self, batch: &[Record]) -> Result<(), StoreError>;
    /// Searches made in `[from_ms, to_ms)` with the events that followed them,
    /// and the votes made without a search.
    fn period(&self, from_ms: i64, to_ms: i64) -> Result<Period, StoreError>;
    /// The session of search `id`, if it is in the log.
    fn session_of(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// Deletes what is older than `before_ms`; returns how many rows went.
    fn purge(&self, before_ms: i64) -> Result<usize, StoreError>;
    /// The articles most clicked since `from_ms`, most first, with their clicks.
    fn popular_articles(&self, from_ms: i64, n: usize) -> Result<Vec<(String, u64)>, StoreError>;
    /// Rows in the log: (searches, events).
    fn counts(&self) -> Result<(u64, u64), StoreError>;
    fn open_admin_session(&self, session: &AdminSession, now_ms: i64, expiry: &AdminExpiry) -> Result<(), StoreError>;
    fn use_admin_session(&self, session: &AdminSession, now_ms: i64, expiry: &AdminExpiry) -> Result<bool, StoreError>;
    fn close_admin_session(&self, id_hash: &str) -> Result<(), StoreError>;
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the log at `path`, creating it (and its folder) if needed, and
    /// migrates it to the current schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|cause| StoreError::CreateDir { path: parent.to_path_buf(), cause })?;
        }
        let open = |cause| StoreError::Open { path: path.to_path_buf(), cause };
        let mut conn = Connection::open(path).map_err(open)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(open)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(open)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(open)?;
        Migrations::from_slice(MIGRATIONS)
            .to_latest(&mut conn)
            .map_err(|cause| StoreError::Migrate { path: path.to_path_buf(), cause })?;
        Ok(Store { conn, path: path.to_path_buf() })
    }

    /// Opens an existing log for reading reports; a missing file is an error
    /// that says where logs come from.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        // Read-write, so that an older file is migrated and its WAL can be read.
        Store::open(path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, cause: rusqlite::Error) -> StoreError {
        StoreError::Sql { path: self.path.clone(), cause }
    }

    /// Up to `n` searches stored after row `after` (0: from the first), in
    /// the order they were stored, with the row of the last: how a log is
    /// copied elsewhere a chunk at a time.
    pub fn searches_after(&self, after: i64, n: usize) -> Result<(Vec<SearchRecord>, i64), StoreError> {
        let sql = |e| self.sql(e);
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT id, at_ms, session, source, query, normalized, total, confidence, hits, client, rowid
                 FROM searches WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
            )
            .map_err(sql)?;
        let rows = statement.query_map(params![after, n as i64], |row| Ok((search_row(row)?, row.get::<_, i64>(10)?))).map_err(sql)?;
        let rows = rows.collect::<Result<Vec<_>, _>>().map_err(sql)?;
        let last = rows.last().map_or(after, |(_, row)| *row);
        Ok((rows.into_iter().map(|(search, _)| search).collect(), last))
    }

    /// Up to `n` events stored after row `after`, like [`Store::searches_after`].
    /// An event logged before events had ids is given one from its row, the
    /// same at every copy.
    pub fn events_after(&self, after: i64, n: usize) -> Result<(Vec<EventRecord>, i64), StoreError> {
        let sql = |e| self.sql(e);
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT query_id, at_ms, session, kind, article_id, rank, comment, coalesce(uid, 'sqlite-event-' || id), id
                 FROM events WHERE id > ?1 ORDER BY id LIMIT ?2",
            )
            .map_err(sql)?;
        let rows = statement.query_map(params![after, n as i64], |row| Ok((event_row(row)?, row.get::<_, i64>(8)?))).map_err(sql)?;
        let mut events = Vec::new();
        let mut last = after;
        for row in rows {
            let ((kind, mut event), rowid) = row.map_err(sql)?;
            last = rowid;
            if let Some(kind) = EventKind::from_stored(&kind) {
                event.kind = kind;
                events.push(event);
            }
        }
        Ok((events, last))
    }

    /// SQLite's own check of the file: `Ok(())` or what is damaged.
    pub fn check_integrity(&self) -> Result<(), String> {
        let result: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| e.to_string())?;
        if result == "ok" { Ok(()) } else { Err(result) }
    }

    /// Whether search `id` is in the log.
    pub fn has_search(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.session_of(id)?.is_some())
    }
}

impl LogStore for Store {
    /// Writes `batch` in one transaction: all of it or, on error, none.
    fn write(&mut self, batch: &[Record]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sql = |cause| StoreError::Sql { path: path.clone(), cause };
        let tx = self.conn.transaction().map_err(sql)?;
        {
            let mut search = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO searches (id, at_ms, session, source, query, normalized, total, confidence, hits, client)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(sql)?;
            let mut event = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO events (query_id, at_ms, session, kind, article_id, rank, comment, uid)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, nullif(?8, ''))",
                )
                .map_err(sql)?;
            for record in batch {
                match record {
                    Record::Search(s) => {
                        let hits = LoggedHit::as_stored(&s.hits);
                        search
                            .execute(params![
                                s.id,
                                s.at_ms,
                                s.session,
                                s.source.as_str(),
                                s.query,
                                s.normalized,
                                s.total as i64,
                                f64::from(s.confidence),
                                hits,
                                s.client
                            ])
                            .map_err(sql)?;
                    }
                    Record::Event(e) => {
                        event
                            .execute(params![e.query_id, e.at_ms, e.session, e.kind.as_str(), e.article_id, e.rank, e.comment, e.id])
                            .map_err(sql)?;
                    }
                }
            }
        }
        tx.commit().map_err(sql)
    }

    /// The session of search `id`, if it is in the log.
    fn session_of(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT session FROM searches WHERE id = ?1", [id], |row| row.get(0))
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Searches made in `[from_ms, to_ms)` with the events that followed them
    /// (whenever those came), and the votes made without a search.
    fn period(&self, from_ms: i64, to_ms: i64) -> Result<Period, StoreError> {
        let sql = |e| self.sql(e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT id, at_ms, session, source, query, normalized, total, confidence, hits, client
                 FROM searches WHERE at_ms >= ?1 AND at_ms < ?2 ORDER BY at_ms, id",
            )
            .map_err(sql)?;
        let rows = statement
            .query_map([from_ms, to_ms], search_row)
            .map_err(sql)?;
        let searches = rows.collect::<Result<Vec<_>, _>>().map_err(sql)?;
        let mut statement = self
            .conn
            .prepare(
                "SELECT e.query_id, e.at_ms, e.session, e.kind, e.article_id, e.rank, e.comment, coalesce(e.uid, '')
                 FROM events e LEFT JOIN searches s ON s.id = e.query_id
                 WHERE (s.at_ms >= ?1 AND s.at_ms < ?2) OR (s.id IS NULL AND e.at_ms >= ?1 AND e.at_ms < ?2)
                 ORDER BY e.at_ms, e.id",
            )
            .map_err(sql)?;
        let rows = statement
            .query_map([from_ms, to_ms], event_row)
            .map_err(sql)?;
        let events = rows.collect::<Result<Vec<_>, _>>().map_err(sql)?;
        Ok(Period::assemble(searches, events))
    }

    /// Deletes what is older than `before_ms`; returns how many rows went.
    fn purge(&self, before_ms: i64) -> Result<usize, StoreError> {
        let sql = |e| self.sql(e);
        let events = self.conn.execute("DELETE FROM events WHERE at_ms < ?1", [before_ms]).map_err(sql)?;
        let searches = self.conn.execute("DELETE FROM searches WHERE at_ms < ?1", [before_ms]).map_err(sql)?;
        Ok(events + searches)
    }

    /// The articles most clicked since `from_ms`, most first, with their clicks.
    fn popular_articles(&self, from_ms: i64, n: usize) -> Result<Vec<(String, u64)>, StoreError> {
        let sql = |e| self.sql(e);
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT article_id, count(*) AS clicks FROM events
                 WHERE kind = 'click' AND article_id IS NOT NULL AND at_ms >= ?1
                 GROUP BY article_id ORDER BY clicks DESC, article_id LIMIT ?2",
            )
            .map_err(sql)?;
        let rows = statement.query_map(params![from_ms, n as i64], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))).map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }

    /// Opens an admin session, and ends those that expired.
    fn open_admin_session(&self, session: &AdminSession, now_ms: i64, expiry: &AdminExpiry) -> Result<(), StoreError> {
        let sql = |e| self.sql(e);
        self.conn
            .execute(
                "DELETE FROM admin_sessions WHERE last_seen_ms < ?1 OR created_ms < ?2",
                params![now_ms - expiry.idle_ms, now_ms - expiry.max_ms],
            )
            .map_err(sql)?;
        self.conn
            .execute(
                "INSERT INTO admin_sessions (id_hash, token_hash, created_ms, last_seen_ms) VALUES (?1, ?2, ?3, ?3)",
                params![session.id_hash, session.token_hash, now_ms],
            )
            .map_err(sql)?;
        Ok(())
    }

    /// Whether the admin session is open (same token, neither idle nor too
    /// old); if so it is marked as used at `now_ms`.
    fn use_admin_session(&self, session: &AdminSession, now_ms: i64, expiry: &AdminExpiry) -> Result<bool, StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE admin_sessions SET last_seen_ms = ?3
                 WHERE id_hash = ?1 AND token_hash = ?2 AND last_seen_ms >= ?4 AND created_ms >= ?5",
                params![session.id_hash, session.token_hash, now_ms, now_ms - expiry.idle_ms, now_ms - expiry.max_ms],
            )
            .map_err(|e| self.sql(e))?;
        Ok(changed == 1)
    }

    /// Ends an admin session (signing out).
    fn close_admin_session(&self, id_hash: &str) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM admin_sessions WHERE id_hash = ?1", [id_hash]).map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Rows in the log: (searches, events).
    fn counts(&self) -> Result<(u64, u64), StoreError> {
        let sql = |e| self.sql(e);
        let searches: i64 = self.conn.query_row("SELECT count(*) FROM searches", [], |r| r.get(0)).map_err(sql)?;
        let events: i64 = self.conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).map_err(sql)?;
        Ok((searches as u64, events as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(id: &str, at_ms: i64) -> SearchRecord {
        SearchRecord {
            id: id.into(),
            at_ms,
            session: "s-00000001".into(),
            client: "c-00000001".into(),
            source: Source::Api,
            query: "환불".into(),
            normalized: "환불".into(),
            total: 1,
            confidence: 0.9,
            hits: vec![LoggedHit { id: "refund#a".into(), score: 3.5 }],
        }
    }

    #[test]
    fn a_log_of_the_previous_schema_loses_the_unread_session_index_and_keeps_its_searches() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sqlite");
        {
            let mut conn = Connection::open(&path).unwrap();
            Migrations::from_slice(&MIGRATIONS[..MIGRATIONS.len() - 1]).to_latest(&mut conn).unwrap();
            conn.execute("INSERT INTO searches (id, at_ms, session, source, query, normalized, total, confidence, hits) VALUES ('old', 5, 's-old', 'api', '환불', '환불', 1, 0.9, '[]')", []).unwrap();
        }
        let indexes = |store: &Store| -> Vec<String> {
            let mut statement = store.conn.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'searches' AND name NOT LIKE 'sqlite_%' ORDER BY name").unwrap();
            statement.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
        };
        let store = Store::open(&path).unwrap();
        assert_eq!(indexes(&store), ["searches_by_time"]);
        assert_eq!(store.session_of("old").unwrap().as_deref(), Some("s-old"));
        assert_eq!(store.period(0, 10).unwrap().searches.len(), 1);
    }

    #[test]
    fn a_written_batch_reads_back_with_its_events() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("log/queries.sqlite3")).unwrap();
        let click = EventRecord {
            id: "e1".into(),
            query_id: Some("q1".into()),
            at_ms: 20,
            session: "s-00000001".into(),
            kind: EventKind::Click,
            article_id: Some("refund".into()),
            rank: Some(1),
            comment: None,
        };
        store.write(&[Record::Search(search("q1", 10)), Record::Event(click.clone())]).unwrap();
        let period = store.period(0, 100).unwrap();
        assert_eq!(period.searches, vec![LoggedSearch { search: search("q1", 10), events: vec![click] }]);
        assert_eq!(store.session_of("q1").unwrap().as_deref(), Some("s-00000001"));
        assert_eq!(store.session_of("q2").unwrap(), None);
        assert!(store.period(11, 100).unwrap().searches.is_empty());
        assert_eq!(store.purge(15).unwrap(), 1);
        assert_eq!(store.counts().unwrap(), (0, 1));
    }

    #[test]
    fn an_admin_session_ends_when_idle_too_old_signed_out_or_the_token_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("queries.sqlite3")).unwrap();
        let expiry = AdminExpiry { idle_ms: 100, max_ms: 250 };
        let session = AdminSession { id_hash: "a".into(), token_hash: "t1".into() };
        store.open_admin_session(&session, 1000, &expiry).unwrap();
        assert!(store.use_admin_session(&session, 1090, &expiry).unwrap());
        assert!(store.use_admin_session(&session, 1180, &expiry).unwrap(), "each use restarts the idle clock");
        assert!(!store.use_admin_session(&session, 1260, &expiry).unwrap(), "older than max_ms, however busy");
        let other_token = AdminSession { id_hash: "a".into(), token_hash: "t2".into() };
        store.open_admin_session(&AdminSession { id_hash: "b".into(), ..session.clone() }, 2000, &expiry).unwrap();
        let b = AdminSession { id_hash: "b".into(), token_hash: "t1".into() };
        assert!(!store.use_admin_session(&b, 2101, &expiry).unwrap(), "idle longer than idle_ms");
        store.open_admin_session(&AdminSession { id_hash: "c".into(), ..session.clone() }, 3000, &expiry).unwrap();
        let c = AdminSession { id_hash: "c".into(), token_hash: "t1".into() };
        assert!(!store.use_admin_session(&AdminSession { id_hash: "c".into(), ..other_token }, 3001, &expiry).unwrap(), "the token changed");
        store.close_admin_session("c").unwrap();
        assert!(!store.use_admin_session(&c, 3002, &expiry).unwrap(), "signed out");
        let left: i64 = store.conn.query_row("SELECT count(*) FROM admin_sessions", [], |r| r.get(0)).unwrap();
        assert_eq!(left, 0, "expired sessions are deleted when another opens");
    }

    #[test]
    fn reopening_an_existing_log_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queries.sqlite3");
        Store::open(&path).unwrap().write(&[Record::Search(search("q1", 10))]).unwrap();
        assert_eq!(Store::open_existing(&path).unwrap().counts().unwrap(), (1, 0));
        let missing = Store::open_existing(&dir.path().join("nope.sqlite3")).err().unwrap();
        assert!(missing.to_string().starts_with("there is no query log at"), "{missing}");
    }
}
