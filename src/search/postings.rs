//! The postings of terms searched before, decoded once and scored.
//!
//! A search reads the postings of every term it looks for, in every field
//! and segment: a lookup in the term dictionary (an FST), the file slices
//! found there, the decoding of blocks of entries and frequencies, and for
//! each entry its length in the field and BM25's tf / (tf + length part).
//! The same terms come back search after search, so a term's entries and
//! those factors are kept here, decoded, side by side in one plain array
//! (an entry's factor is in the cache line that held the entry): walking them
//! is reading memory in order, and finding an entry in them a search in a
//! sorted array, with no block to decode and no length to look up. The
//! term's peaks (see `peaks`) are read along with them. A phrase is kept
//! the same way, its entries with their whole scores, once tantivy's phrase
//! scorer has walked the segment: reading positions to find where the words
//! follow each other was a fifth of ranking. Postings depend on
//! the generation of the index, so an engine keeps its own, bounded in
//! bytes: the terms searched least recently make room.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::query::Scorer;
use tantivy::{DocId, DocSet, InvertedIndexReader, Score, SegmentReader, TERMINATED, Term};

use super::peaks::{Peaks, SPAN, tf_factor};

/// Bytes the remembered terms may take: 8 bytes per entry of a term, and its
/// peaks 4 bytes per span of the segment.
const REMEMBERED_BYTES: u64 = 64 << 20;

/// Terms the memory expects to hold.
const REMEMBERED_TERMS: usize = 4096;

/// Each remembered term's decoded postings and peaks, by segment, field
/// and term.
pub struct TermPostings {
    cache: quick_cache::sync::Cache<Key, Option<Arc<Remembered>>, Size>,
    /// Entries per span of the peaks.
    span: DocId,
}

/// A term's postings in a field of a segment, decoded: its entries in index
/// order, each with its tf / (tf + length part), and their peaks.
pub struct Remembered {
    pub postings: Box<[Posting]>,
    pub peaks: Peaks,
    /// Its [`BEST`] entries of highest factor (all when it has fewer; of
    /// equal factors, the first in the index), in index order: where a
    /// search looks first for entries that make its page (see
    /// `top_entries`).
    pub best: Box<[Posting]>,
}

/// Entries kept as a term's best.
pub const BEST: usize = 32;

/// An entry and its factor, side by side: a lookup that finds the entry
/// finds its factor in the same cache line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Posting {
    pub entry: DocId,
    pub factor: Score,
}

impl Remembered {
    fn new(postings: Vec<Posting>, span: DocId, max_doc: DocId) -> Remembered {
        let peaks = Peaks::of(postings.iter().map(|p| (p.entry, p.factor)), span, max_doc);
        let best = best_of(&postings);
        Remembered { postings: postings.into(), peaks, best }
    }

    /// Bytes it takes.
    fn size(&self) -> usize {
        std::mem::size_of_val(&*self.postings) + self.peaks.size() + std::mem::size_of_val(&*self.best)
    }
}

/// The [`BEST`] postings of highest factor (of equal factors, the first in
/// the index), in index order.
fn best_of(postings: &[Posting]) -> Box<[Posting]> {
    let mut best = postings.to_vec();
    if best.len() > BEST {
        best.select_nth_unstable_by(BEST - 1, |a, b| b.factor.total_cmp(&a.factor).then(a.entry.cmp(&b.entry)));
        best.truncate(BEST);
    }
    best.sort_unstable_by_key(|p| p.entry);
    best.into()
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

    /// The postings of `term` in `field`, decoded, and their peaks; none
    /// when the segment does not hold the term.
    pub fn read(&self, field: &SegmentField<'_>, term: &str) -> tantivy::Result<Option<Arc<Remembered>>> {
        self.remembered(Borrowed { segment: field.segment, field: field.field.field_id(), phrase: false, term }, || {
            let Some(mut blocks) = field.inverted.read_block_postings(&Term::from_field_text(field.field, term), IndexRecordOption::WithFreqs)? else { return Ok(None) };
            let mut postings = Vec::with_capacity(blocks.doc_freq() as usize);
            while !blocks.docs().is_empty() {
                for (&doc, &tf) in blocks.docs().iter().zip(blocks.freqs()) {
                    postings.push(Posting { entry: doc, factor: tf_factor(tf as Score, field.lengths[field.norms.fieldnorm_id(doc) as usize]) });
                }
                blocks.advance();
            }
            Ok(Some(Arc::new(Remembered::new(postings, self.span, field.max_doc))))
        })
    }

    /// A phrase's entries in a segment and their scores, as tantivy's phrase
    /// scorer gives them (`scorer` is made only when the phrase is not
    /// remembered): walked once over the whole segment, then kept like a
    /// term's postings, each factor the entry's whole score, so that a weight
    /// of 1 gives it back to the bit. `name` tells the phrase apart (its
    /// words and its boost); none when no entry of the segment holds it.
    pub fn phrase(
        &self,
        segment: u32,
        field: Field,
        name: &str,
        max_doc: DocId,
        scorer: impl FnOnce() -> tantivy::Result<Box<dyn Scorer>>,
    ) -> tantivy::Result<Option<Arc<Remembered>>> {
        self.remembered(Borrowed { segment, field: field.field_id(), phrase: true, term: name }, || {
            let mut scorer = scorer()?;
            let mut postings = Vec::new();
            while scorer.doc() != TERMINATED {
                postings.push(Posting { entry: scorer.doc(), factor: scorer.score() });
                scorer.advance();
            }
            Ok((!postings.is_empty()).then(|| Arc::new(Remembered::new(postings, self.span, max_doc))))
        })
    }

    /// What is remembered under `key`, or what `read` gives, remembered
    /// (none included, so that a missing term is not looked up again).
    fn remembered(&self, key: Borrowed<'_>, read: impl FnOnce() -> tantivy::Result<Option<Arc<Remembered>>>) -> tantivy::Result<Option<Arc<Remembered>>> {
        if let Some(found) = self.cache.get(&key) {
            return Ok(found);
        }
        let remembered = read()?;
        self.cache.insert(Key { segment: key.segment, field: key.field, phrase: key.phrase, term: key.term.to_string() }, remembered.clone());
        Ok(remembered)
    }
}

/// What a remembered term takes, in bytes.
#[derive(Clone)]
struct Size;

impl quick_cache::Weighter<Key, Option<Arc<Remembered>>> for Size {
    fn weight(&self, key: &Key, remembered: &Option<Arc<Remembered>>) -> u64 {
        let decoded = remembered.as_ref().map_or(0, |r| std::mem::size_of::<Remembered>() + r.size());
        (std::mem::size_of::<(Key, Option<Arc<Remembered>>)>() + key.term.len() + decoded) as u64
    }
}

/// A term of a field in a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    segment: u32,
    field: u32,
    /// Whether `term` names a phrase (see [`TermPostings::phrase`]).
    phrase: bool,
    term: String,
}

/// [`Key`] without its own copy of the term, to look one up.
struct Borrowed<'a> {
    segment: u32,
    field: u32,
    phrase: bool,
    term: &'a str,
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.segment, self.field, self.phrase, self.term.as_str()).hash(state);
    }
}

impl Hash for Borrowed<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.segment, self.field, self.phrase, self.term).hash(state);
    }
}

impl quick_cache::Equivalent<Key> for Borrowed<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        self.segment == key.segment && self.field == key.field && self.phrase == key.phrase && self.term == key.term
    }
}

/// For every title and answer term of `engine`'s segments: its field there,
/// the term, and its postings as tantivy's own cursor reads them, with the
/// factor each entry's frequency and length give. What the memory and the
/// peaks are tested against.
#[cfg(test)]
pub fn for_every_term_as_tantivy_reads_it(engine: &super::Engine, mut each: impl FnMut(&SegmentField<'_>, &str, &[DocId], &[Score])) {
    use tantivy::postings::Postings;
    use tantivy::{DocSet, TERMINATED};
    let fields = &engine.index.fields;
    for (ordinal, segment) in engine.searcher.segment_readers().iter().enumerate() {
        for field in [fields.title, fields.body] {
            let opened = SegmentField::open(segment, ordinal as u32, field, engine.totals.length_parts(field).unwrap()).unwrap();
            let mut terms = opened.inverted.terms().stream().unwrap();
            while terms.advance() {
                let term = std::str::from_utf8(terms.key()).unwrap();
                let mut postings = opened.inverted.read_postings(&Term::from_field_text(field, term), IndexRecordOption::WithFreqs).unwrap().unwrap();
                let (mut entries, mut factors) = (Vec::new(), Vec::new());
                while postings.doc() != TERMINATED {
                    entries.push(postings.doc());
                    factors.push(tf_factor(postings.term_freq() as Score, opened.lengths[opened.norms.fieldnorm_id(postings.doc()) as usize]));
                    postings.advance();
                }
                each(&opened, term, &entries, &factors);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every term of the bundled answers and questions, read through the
    /// memory three times (the first from the index, then from it): the same
    /// entries as postings read from the index, with the factors their
    /// frequencies and lengths give, peaks read once, its best entries, and
    /// none for a term the segment does not hold.
    #[test]
    fn remembered_postings_are_the_postings_as_read_from_the_index() {
        let (engine, _dir) = crate::eval::bundled_help_center();
        let remembered = TermPostings::default();
        let (mut compared, mut most) = (0, 0);
        let bits = |factors: &[Score]| factors.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        for_every_term_as_tantivy_reads_it(&engine, |opened, term, entries, factors| {
            let first = remembered.read(opened, term).unwrap().unwrap();
            for _ in 0..2 {
                let found = remembered.read(opened, term).unwrap().unwrap();
                assert!(Arc::ptr_eq(&found, &first), "{term}: read once");
                assert_eq!(found.postings.iter().map(|p| p.entry).collect::<Vec<_>>(), entries, "{term}");
                assert_eq!(bits(&found.postings.iter().map(|p| p.factor).collect::<Vec<_>>()), bits(factors), "{term}");
            }
            // Its best: the highest factors, of equal ones the first entries, in index order.
            let mut best: Vec<(Score, DocId)> = factors.iter().copied().zip(entries.iter().copied()).collect();
            best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            best.truncate(BEST);
            best.sort_by_key(|&(_, e)| e);
            let kept: Vec<(u32, DocId)> = first.best.iter().map(|p| (p.factor.to_bits(), p.entry)).collect();
            assert_eq!(kept, best.iter().map(|&(f, e)| (f.to_bits(), e)).collect::<Vec<_>>(), "{term}: its best");
            most = most.max(entries.len());
            compared += 1;
        });
        assert!(compared > 1000, "{compared} terms compared");
        assert!(most > BEST, "a term in {most} entries at most: none with more than its best");
        let fields = &engine.index.fields;
        for (ordinal, segment) in engine.searcher.segment_readers().iter().enumerate() {
            for field in [fields.title, fields.body] {
                let opened = SegmentField::open(segment, ordinal as u32, field, engine.totals.length_parts(field).unwrap()).unwrap();
                assert!(remembered.read(&opened, "없는낱말xyz").unwrap().is_none());
            }
        }
    }
}
