//! The postings of terms searched before, as first read.
//!
//! A search opens the postings of every term it looks for, in every field
//! and segment: a lookup in the term dictionary (an FST), the file slices
//! found there, and the decoding of the first block. On a small help center
//! that was a larger share of a search than walking the postings. The same
//! terms come back search after search, so the postings as first read are
//! kept here and cloned: a copy of their cursor, nothing looked up or decoded
//! again. Postings depend on the generation of the index, so an engine keeps
//! its own.

use std::hash::{Hash, Hasher};

use tantivy::postings::SegmentPostings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{InvertedIndexReader, Term};

/// Terms remembered; a cursor with its first block is about 2 KB.
const REMEMBERED_POSTINGS: usize = 4096;

/// Each remembered term's postings, positioned on its first entry, by
/// segment, field and term.
pub struct TermPostings {
    cache: quick_cache::sync::Cache<Key, Option<SegmentPostings>>,
}

impl Default for TermPostings {
    fn default() -> TermPostings {
        TermPostings { cache: quick_cache::sync::Cache::new(REMEMBERED_POSTINGS) }
    }
}

impl TermPostings {
    /// The postings (with term frequencies) of `term` in `field` of the
    /// segment `segment`, whose `inverted` index is given; none when the
    /// segment does not hold the term.
    pub fn read(&self, segment: u32, field: Field, term: &str, inverted: &InvertedIndexReader) -> tantivy::Result<Option<SegmentPostings>> {
        let key = Borrowed { segment, field: field.field_id(), term };
        if let Some(found) = self.cache.get(&key) {
            return Ok(found);
        }
        let postings = inverted.read_postings(&Term::from_field_text(field, term), IndexRecordOption::WithFreqs)?;
        self.cache.insert(Key { segment, field: field.field_id(), term: term.to_string() }, postings.clone());
        Ok(postings)
    }
}

/// A term of a field in a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    segment: u32,
    field: u32,
    term: String,
}

/// [`Key`] without its own copy of the term, to look one up.
struct Borrowed<'a> {
    segment: u32,
    field: u32,
    term: &'a str,
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.segment, self.field, self.term.as_str()).hash(state);
    }
}

impl Hash for Borrowed<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.segment, self.field, self.term).hash(state);
    }
}

impl quick_cache::Equivalent<Key> for Borrowed<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        self.segment == key.segment && self.field == key.field && self.term == key.term
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::postings::Postings;
    use tantivy::{DocSet, TERMINATED};

    /// Every term of the bundled answers and questions, read through the
    /// memory twice (the second time from it): the same entries and
    /// frequencies as postings read from the index, and none for a term the
    /// segment does not hold.
    #[test]
    fn remembered_postings_are_the_postings_as_read_from_the_index() {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let library = crate::content::Library::load(&content).unwrap();
        let (engine, _, _dir) = crate::eval::scratch_engine(&library, &content).unwrap();
        let fields = &engine.index.fields;
        let remembered = TermPostings::default();
        let mut compared = 0;
        for (ordinal, segment) in engine.searcher.segment_readers().iter().enumerate() {
            for field in [fields.title, fields.body] {
                let inverted = segment.inverted_index(field).unwrap();
                let mut terms = inverted.terms().stream().unwrap();
                while terms.advance() {
                    let term = std::str::from_utf8(terms.key()).unwrap();
                    for _ in 0..2 {
                        let mut found = remembered.read(ordinal as u32, field, term, &inverted).unwrap().unwrap();
                        let mut read = inverted.read_postings(&Term::from_field_text(field, term), IndexRecordOption::WithFreqs).unwrap().unwrap();
                        while read.doc() != TERMINATED {
                            assert_eq!((found.doc(), found.term_freq()), (read.doc(), read.term_freq()), "{term}");
                            found.advance();
                            read.advance();
                        }
                        assert_eq!(found.doc(), TERMINATED, "{term}");
                    }
                    compared += 1;
                }
                assert!(remembered.read(ordinal as u32, field, "없는낱말xyz", &inverted).unwrap().is_none());
            }
        }
        assert!(compared > 1000, "{compared} terms compared");
    }
}
