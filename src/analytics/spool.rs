//! Where log records wait while the shared database (PostgreSQL) cannot take
//! them: a SQLite file beside the index, in arrival order, bounded. The
//! query log's writer fills it while the database is unreachable and drains
//! it, oldest first, once the database answers again; every record carries
//! its id, so one replayed twice (a crash between the database's commit and
//! the spool's delete) is still stored once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, params};

use super::record::Record;
use super::store::StoreError;

pub struct Spool {
    conn: Connection,
    path: PathBuf,
    capacity: usize,
    len: usize,
}

impl Spool {
    /// Opens (or creates) the spool at `path`, holding at most `capacity` records.
    pub fn open(path: &Path, capacity: usize) -> Result<Spool, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|cause| StoreError::CreateDir { path: parent.to_path_buf(), cause })?;
        }
        let open = |cause| StoreError::Open { path: path.to_path_buf(), cause };
        let conn = Connection::open(path).map_err(open)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(open)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(open)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(open)?;
        conn.execute_batch("CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, record TEXT NOT NULL) STRICT;")
            .map_err(open)?;
        let len: i64 = conn.query_row("SELECT count(*) FROM spool", [], |r| r.get(0)).map_err(open)?;
        Ok(Spool { conn, path: path.to_path_buf(), capacity, len: len as usize })
    }

    fn sql(&self, cause: rusqlite::Error) -> StoreError {
        StoreError::Sql { path: self.path.clone(), cause }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records waiting.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Keeps `batch` after what is waiting, as much of it as there is room
    /// for; returns how many records did not fit (to be counted as dropped).
    pub fn push(&mut self, batch: &[Record]) -> Result<usize, StoreError> {
        let room = self.capacity.saturating_sub(self.len).min(batch.len());
        let path = self.path.clone();
        let sql = |cause| StoreError::Sql { path: path.clone(), cause };
        let tx = self.conn.transaction().map_err(sql)?;
        {
            let mut insert = tx.prepare_cached("INSERT INTO spool (record) VALUES (?1)").map_err(sql)?;
            for record in &batch[..room] {
                let json = serde_json::to_string(record).unwrap_or_default();
                insert.execute([json]).map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)?;
        self.len += room;
        Ok(batch.len() - room)
    }

    /// The oldest `n` records waiting, with the sequence number of the last.
    pub fn oldest(&self, n: usize) -> Result<(Vec<Record>, i64), StoreError> {
        let mut statement = self.conn.prepare_cached("SELECT seq, record FROM spool ORDER BY seq LIMIT ?1").map_err(|e| self.sql(e))?;
        let rows = statement
            .query_map([n as i64], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))
            .map_err(|e| self.sql(e))?;
        let (mut records, mut last) = (Vec::new(), 0);
        for row in rows {
            let (seq, json) = row.map_err(|e| self.sql(e))?;
            last = seq;
            // Written by this code from a record: it reads back. A row that
            // did not (a damaged file) is skipped rather than block the rest.
            match serde_json::from_str(&json) {
                Ok(record) => records.push(record),
                Err(e) => tracing::error!(seq, error = %e, "a spooled record cannot be read back; skipped"),
            }
        }
        Ok((records, last))
    }

    /// Forgets every record up to sequence number `last`, once stored.
    pub fn remove_through(&mut self, last: i64) -> Result<(), StoreError> {
        let removed = self.conn.execute("DELETE FROM spool WHERE seq <= ?1", params![last]).map_err(|e| self.sql(e))?;
        self.len = self.len.saturating_sub(removed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::record::{EventKind, EventRecord};

    fn event(n: i64) -> Record {
        Record::Event(EventRecord {
            id: format!("e{n}"),
            query_id: None,
            at_ms: n,
            session: "s-00000001".into(),
            kind: EventKind::Helpful,
            article_id: Some("refund".into()),
            rank: None,
            comment: Some("연락 주세요".into()),
        })
    }

    #[test]
    fn records_wait_in_order_survive_a_reopen_and_overflow_is_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spool.sqlite3");
        let mut spool = Spool::open(&path, 5).unwrap();
        assert_eq!(spool.push(&[event(1), event(2), event(3)]).unwrap(), 0);
        assert_eq!(spool.push(&[event(4), event(5), event(6), event(7)]).unwrap(), 2, "two did not fit");
        drop(spool);
        let mut spool = Spool::open(&path, 5).unwrap();
        assert_eq!(spool.len(), 5);
        let (first, last) = spool.oldest(2).unwrap();
        assert_eq!(first, vec![event(1), event(2)]);
        spool.remove_through(last).unwrap();
        let (rest, last) = spool.oldest(10).unwrap();
        assert_eq!(rest, vec![event(3), event(4), event(5)]);
        spool.remove_through(last).unwrap();
        assert!(spool.is_empty());
    }
}
