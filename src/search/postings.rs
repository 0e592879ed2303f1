//! The postings of terms searched before, as first read.
//!
//! A search opens the postings of every term it looks for, in every field
//! and segment: a lookup in the term dictionary (an FST), the file slices
//! found there, and the decoding of the first block. On a small help center
//! that was a larger share of a search than walking the postings. The same
//! terms come back search after search, so the postings as first read are
//! kept here and cloned: a copy of their cursor, nothing looked up or decoded
//! again. The term's peaks (see `peaks`) are read along with them the first
//! time. Postings depend on the generation of the index, so an engine keeps
//! its own.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::SegmentPostings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, InvertedIndexReader, Score, SegmentReader, Term};

use super::peaks::{Peaks, SPAN};

/// Bytes the remembered terms may take: a cursor with its first block is
/// 1.9 KB, its peaks 4 bytes per span of the segment; about 7,500 terms at
/// 10k entries, 3,300 at 100k.
const REMEMBERED_BYTES: u64 = 16 << 20;

/// Terms the memory expects to hold.
const REMEMBERED_TERMS: usize = 4096;

/// Each remembered term's postings, positioned on its first entry, and its
/// peaks, by segment, field and term.
pub struct TermPostings {
    cache: quick_cache::sync::Cache<Key, Option<Remembered>, Size>,
    /// Entries per span of the peaks.
    span: DocId,
}

/// A term's postings in a field of a segment, on their first entry, and
/// their peaks.
#[derive(Clone)]
pub struct Remembered {
    pub postings: SegmentPostings,
    pub peaks: Arc<Peaks>,
}

/// A field of one segment, opened once for the terms read in it.
pub struct SegmentField<'a> {
    /// The segment's ordinal in the searcher.
    pub segment: u32,
    pub field: Field,
    pub inverted: Arc<InvertedIndexReader>,
    pub norms: FieldNormReader,
    /// BM25's length part by fieldnorm id (see `statistics`).
    pub lengths: &'a [Score; 256],
    pub max_doc: DocId,
}

impl<'a> SegmentField<'a> {
    pub fn open(segment: &SegmentReader, ordinal: u32, field: Field, lengths: &'a [Score; 256]) -> tantivy::Result<SegmentField<'a>> {
        Ok(SegmentField { segment: ordinal, field, inverted: segment.inverted_index(field)?, norms: segment.get_fieldnorms_reader(field)?, lengths, max_doc: segment.max_doc() })
    }
}

impl Default for TermPostings {
    fn default() -> TermPostings {
        TermPostings::with_span(SPAN)
    }
}

impl TermPostings {
    /// A memory whose peaks are read in spans of `span` entries.
    pub fn with_span(span: DocId) -> TermPostings {
        TermPostings { cache: quick_cache::sync::Cache::with_weighter(REMEMBERED_TERMS, REMEMBERED_BYTES, Size), span }
    }

    /// Entries per span of the peaks.
    pub fn span(&self) -> DocId {
        self.span
    }

    /// The postings (with term frequencies) of `term` in `field`, and their
    /// peaks; none when the segment does not hold the term.
    pub fn read(&self, field: &SegmentField<'_>, term: &str) -> tantivy::Result<Option<Remembered>> {
        let key = Borrowed { segment: field.segment, field: field.field.field_id(), term };
        if let Some(found) = self.cache.get(&key) {
            return Ok(found);
        }
        let remembered = field.inverted.read_postings(&Term::from_field_text(field.field, term), IndexRecordOption::WithFreqs)?.map(|postings| {
            let peaks = Peaks::read(postings.clone(), &field.norms, field.lengths, self.span, field.max_doc);
            Remembered { postings, peaks: Arc::new(peaks) }
        });
        self.cache.insert(Key { segment: field.segment, field: field.field.field_id(), term: term.to_string() }, remembered.clone());
        Ok(remembered)
    }
}

/// What a remembered term takes, in bytes.
#[derive(Clone)]
struct Size;

impl quick_cache::Weighter<Key, Option<Remembered>> for Size {
    fn weight(&self, key: &Key, remembered: &Option<Remembered>) -> u64 {
        let peaks = remembered.as_ref().map_or(0, |r| r.peaks.size());
        (std::mem::size_of::<(Key, Option<Remembered>)>() + key.term.len() + peaks) as u64
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
    /// memory three times (the first from the index, then from it): the same
    /// entries and frequencies as postings read from the index, peaks read
    /// once, and none for a term the segment does not hold.
    #[test]
    fn remembered_postings_are_the_postings_as_read_from_the_index() {
        let (engine, _dir) = crate::eval::bundled_help_center();
        let fields = &engine.index.fields;
        let remembered = TermPostings::default();
        let mut compared = 0;
        for (ordinal, segment) in engine.searcher.segment_readers().iter().enumerate() {
            for field in [fields.title, fields.body] {
                let opened = SegmentField::open(segment, ordinal as u32, field, engine.totals.length_parts(field).unwrap()).unwrap();
                let inverted = &opened.inverted;
                let mut terms = inverted.terms().stream().unwrap();
                while terms.advance() {
                    let term = std::str::from_utf8(terms.key()).unwrap();
                    let first = remembered.read(&opened, term).unwrap().unwrap().peaks;
                    for _ in 0..2 {
                        let Remembered { postings: mut found, peaks } = remembered.read(&opened, term).unwrap().unwrap();
                        assert!(Arc::ptr_eq(&peaks, &first), "{term}: peaks read once");
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
                assert!(remembered.read(&opened, "없는낱말xyz").unwrap().is_none());
            }
        }
        assert!(compared > 1000, "{compared} terms compared");
    }
}
