//! One idf per word, whatever the field.
//!
//! BM25 computes idf per field, so a word common across the help center but
//! rare in aliases (사다, in one alias "살 수 있어요?") would outweigh a word
//! rare everywhere (VIP) just because of where it sits. Scoring with the
//! word's help-center-wide document frequency (as BM25F does) keeps the field
//! boosts about *where* a word matched, and idf about *which* word matched.
//!
//! The figures BM25 asks for never change within one generation of the
//! index, and it asks for them once per term and field of every query: they
//! are read once, when the engine is built ([`IndexTotals`]), and the
//! vocabulary answers document frequencies without a term-dictionary lookup.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Score, Searcher, Term};

use super::vocabulary::Vocabulary;

/// Tokens per field and entries (`max_doc`, as tantivy's own BM25 counts
/// them), over the whole generation.
#[derive(Debug, Default)]
pub struct IndexTotals {
    /// By field id; `None` for a field that is not indexed.
    tokens: Vec<Option<u64>>,
    docs: u64,
    /// By field id, BM25's length part for each fieldnorm id.
    lengths: Vec<Option<Box<[Score; 256]>>>,
}

/// BM25's parameters, as tantivy scores.
pub const K1: Score = 1.2;
const B: Score = 0.75;

impl IndexTotals {
    pub fn read(searcher: &Searcher) -> IndexTotals {
        let schema = searcher.schema();
        let tokens: Vec<Option<u64>> = schema
            .fields()
            .map(|(field, entry)| entry.is_indexed().then(|| Bm25StatisticsProvider::total_num_tokens(searcher, field).ok()).flatten())
            .collect();
        let docs = searcher.segment_readers().iter().map(|segment| u64::from(segment.max_doc())).sum();
        let lengths = length_parts_by_field(&tokens, docs);
        IndexTotals { tokens, docs, lengths }
    }

    /// BM25's length part, k1 × (1 − b + b × length / average length), for
    /// each fieldnorm id of `field`, as tantivy works it out for a term's
    /// weight from these totals.
    pub fn length_parts(&self, field: Field) -> Option<&[Score; 256]> {
        self.lengths.get(field.field_id() as usize)?.as_deref()
    }
}

/// [`IndexTotals::length_parts`] for each field with `tokens` over `docs` entries.
fn length_parts_by_field(tokens: &[Option<u64>], docs: u64) -> Vec<Option<Box<[Score; 256]>>> {
    tokens
        .iter()
        .map(|tokens| {
            let average = (*tokens)? as Score / docs as Score;
            let mut parts = Box::new([0.0; 256]);
            for (id, part) in parts.iter_mut().enumerate() {
                let length = FieldNormReader::id_to_fieldnorm(id as u8);
                *part = K1 * (1.0 - B + B * length as Score / average);
            }
            Some(parts)
        })
        .collect()
}

pub struct GlobalStatistics<'a> {
    pub searcher: &'a Searcher,
    pub totals: &'a IndexTotals,
    pub vocabulary: &'a Vocabulary,
}

impl GlobalStatistics<'_> {
    /// The entries holding `text` in `field`, as BM25 counts them here, with
    /// no term built unless the vocabulary does not know it. The
    /// vocabulary's count is the largest over the fields it reads, so it is
    /// never below this field's own; a term it does not know (a raw field's
    /// value) is counted by the index.
    pub fn doc_freq_of(&self, field: Field, text: &str) -> tantivy::Result<u64> {
        match self.vocabulary.df(text) {
            0 => self.searcher.doc_freq(&Term::from_field_text(field, text)),
            known => Ok(u64::from(known)),
        }
    }
}

impl Bm25StatisticsProvider for GlobalStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        match self.totals.tokens.get(field.field_id() as usize) {
            Some(Some(tokens)) => Ok(*tokens),
            _ => Bm25StatisticsProvider::total_num_tokens(self.searcher, field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.totals.docs)
    }

    /// See [`GlobalStatistics::doc_freq_of`]; a term that is not text is
    /// counted by the index.
    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        match term.value().as_str() {
            Some(text) => self.doc_freq_of(term.field(), text),
            None => self.searcher.doc_freq(term),
        }
    }
}
