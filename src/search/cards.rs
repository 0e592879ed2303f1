//! What a hit shows of its entry apart from the snippet: its id, URL, title,
//! article and category, read from the store the first time the entry is a
//! hit in this generation of the index, and kept, with its JSON already
//! written; and the opening of its answer, the snippet of a hit whose answer
//! matches none of the query's terms, once one is asked for.
//!
//! Every hit used to read these six values back from the store, check each
//! one to be UTF-8, copy it, and escape it into the response: about a
//! twelfth of a search on the bundled content, for values that only change
//! with the index. A generation's cards are dropped with it (the engine is
//! rebuilt with every change), so a card never outlives its entry.

use std::sync::{Arc, OnceLock};

use tantivy::{DocAddress, Searcher};

use super::{response_json, snippet};
use crate::index::Fields;
use crate::index::StoredEntry;

/// An entry as a hit shows it, less its snippet and score.
#[derive(Debug)]
pub struct Card {
    pub id: String,
    pub url: String,
    pub title: String,
    pub article_id: String,
    pub article_title: String,
    /// "" when the entry has none.
    pub category: String,
    /// `faq`, `section` or `guide`.
    pub kind: String,
    /// The hit's JSON from its `{` up to the value of its snippet:
    /// `{"id":…,"category":…,"snippet":`.
    pub json_head: Box<[u8]>,
    /// The snippet it shows when its answer matches none of the query's
    /// terms ([`snippet::opening`]), made the first time it is needed.
    pub(super) opening: OnceLock<String>,
}

impl Card {
    pub fn read(entry: &StoredEntry, fields: &Fields) -> Card {
        let text = |field| entry.text(field).to_string();
        let mut card = Card {
            id: text(fields.id),
            url: text(fields.url),
            title: text(fields.title),
            article_id: text(fields.article_id),
            article_title: text(fields.article_title),
            category: text(fields.category),
            kind: text(fields.kind),
            json_head: Box::default(),
            opening: OnceLock::new(),
        };
        card.json_head = response_json::hit_head(&card).into_boxed_slice();
        card
    }

    /// The opening of its answer, whose stored text is `text`, as a snippet.
    pub fn opening(&self, text: &[u8]) -> &str {
        self.opening.get_or_init(|| snippet::opening(text))
    }
}

/// The cards of one generation, by entry: empty until an entry is first a
/// hit (a pointer's room for each entry until then).
pub struct Cards {
    segments: Vec<Vec<OnceLock<Arc<Card>>>>,
}

impl Cards {
    pub fn new(searcher: &Searcher) -> Cards {
        let segments = searcher.segment_readers().iter().map(|segment| (0..segment.max_doc()).map(|_| OnceLock::new()).collect()).collect();
        Cards { segments }
    }

    /// The card of the entry at `address`, if it was a hit before.
    pub fn get(&self, address: DocAddress) -> Option<Arc<Card>> {
        self.slot(address)?.get().cloned()
    }

    /// Keeps `card` as the card of the entry at `address`, and returns the
    /// card kept: when two searches read the same entry at once, the first
    /// (the two are the same).
    pub fn keep(&self, address: DocAddress, card: Card) -> Arc<Card> {
        let card = Arc::new(card);
        match self.slot(address) {
            Some(slot) => slot.get_or_init(|| card).clone(),
            // Not an entry of this generation (never the case for a hit).
            None => card,
        }
    }

    fn slot(&self, address: DocAddress) -> Option<&OnceLock<Arc<Card>>> {
        self.segments.get(address.segment_ord as usize)?.get(address.doc_id as usize)
    }
}
