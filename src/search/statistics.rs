//! One idf per word, whatever the field.
//!
//! BM25 computes idf per field, so a word common across the help center but
//! rare in aliases (사다, in one alias "살 수 있어요?") would outweigh a word
//! rare everywhere (VIP) just because of where it sits. Scoring with the
//! word's help-center-wide document frequency (as BM25F does) keeps the field
//! boosts about *where* a word matched, and idf about *which* word matched.

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::vocabulary::Vocabulary;

pub struct GlobalStatistics<'a> {
    pub searcher: &'a Searcher,
    pub vocabulary: &'a Vocabulary,
}

impl Bm25StatisticsProvider for GlobalStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.searcher.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let field_df = self.searcher.doc_freq(term)?;
        match term.value().as_str() {
            Some(text) => Ok(field_df.max(u64::from(self.vocabulary.df(text)))),
            None => Ok(field_df),
        }
    }
}
