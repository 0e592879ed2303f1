//! `doumi log export`: copies a query log kept in a SQLite file to another
//! store (PostgreSQL), a chunk at a time, so a help center that outgrows one
//! machine keeps its history. Copying is idempotent — searches and events
//! keep their ids, and a row already there is left as it is — so an
//! interrupted copy is resumed by running it again.

use super::record::Record;
use super::store::{LogStore, Store, StoreError};

/// Rows copied per transaction.
const CHUNK: usize = 5_000;

/// What was copied so far.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Exported {
    pub searches: u64,
    pub events: u64,
}

/// Copies every search, then every event, of `from` into `to`, telling
/// `progress` after each chunk.
pub fn export(from: &Store, to: &mut dyn LogStore, mut progress: impl FnMut(Exported)) -> Result<Exported, StoreError> {
    let mut done = Exported::default();
    let mut after = 0;
    loop {
        let (searches, last) = from.searches_after(after, CHUNK)?;
        if searches.is_empty() {
            break;
        }
        done.searches += searches.len() as u64;
        to.write(&searches.into_iter().map(Record::Search).collect::<Vec<_>>())?;
        after = last;
        progress(done);
    }
    let mut after = 0;
    loop {
        let (events, last) = from.events_after(after, CHUNK)?;
        if last == after {
            break;
        }
        done.events += events.len() as u64;
        to.write(&events.into_iter().map(Record::Event).collect::<Vec<_>>())?;
        after = last;
        progress(done);
    }
    Ok(done)
}
