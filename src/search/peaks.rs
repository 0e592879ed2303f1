//! The most a term's score reaches, over a segment and in each span of its
//! entries.
//!
//! MaxScore (see `top_entries`) skips the entries that cannot make the page
//! from what each term could add at most. BM25 alone bounds that by
//! idf × (k1 + 1), a score no entry reaches: it would take an endless
//! repetition of the word in an empty field. What a term really reaches is
//! its weight times its best tf / (tf + length part), and that varies along
//! the index: a common word repeated in a short answer is in one span of
//! entries, not in every one. So the best of each span of [`SPAN`] entries
//! is read once, when the term's postings are first read, and kept with
//! them (see `postings`): the walk then leaves units unwalked in a window,
//! and lookups undone in a span, that a global bound would have kept.
//!
//! A peak is the very value the scores take (the same arithmetic on the same
//! numbers), so a term's score on an entry is never above its weight times
//! the peak of the entry's span.

use tantivy::{DocId, Score};

/// Entries per span.
pub const SPAN: DocId = 128;

/// A term's best tf / (tf + length part) in one segment: over all its
/// entries, and in each span of entries.
#[derive(Debug)]
pub struct Peaks {
    /// Over the segment.
    pub highest: Score,
    /// By span, from entry 0; 0 for a span without the term.
    by_span: Box<[Score]>,
}

impl Peaks {
    /// The peaks of a term whose entries (ascending) have the factors
    /// `postings` pair them with, in spans of `span` entries of a segment of
    /// `max_doc`.
    pub fn of(postings: impl Iterator<Item = (DocId, Score)>, span: DocId, max_doc: DocId) -> Peaks {
        let mut by_span = vec![0.0 as Score; max_doc.div_ceil(span).max(1) as usize].into_boxed_slice();
        let mut highest: Score = 0.0;
        for (doc, factor) in postings {
            let peak = &mut by_span[(doc / span) as usize];
            *peak = peak.max(factor);
            highest = highest.max(factor);
        }
        Peaks { highest, by_span }
    }

    /// Bytes taken by the peaks of each span.
    pub fn size(&self) -> usize {
        std::mem::size_of_val(&*self.by_span)
    }

    /// The best peak of the spans `spans`.
    pub fn highest_in(&self, spans: std::ops::Range<usize>) -> Score {
        let end = spans.end.min(self.by_span.len());
        self.by_span[spans.start.min(end)..end].iter().copied().fold(0.0, Score::max)
    }

    /// The peak of span `index` (entries `index × span` up to the next span).
    #[inline]
    pub fn of_span(&self, index: usize) -> Score {
        self.by_span.get(index).copied().unwrap_or(0.0)
    }
}

/// BM25's term-frequency part, tf / (tf + length part), as scores compute it.
#[inline]
pub fn tf_factor(tf: Score, length: Score) -> Score {
    tf / (tf + length)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every title and answer term of the bundled help center, in spans of 8
    /// entries: no entry's factor is above its span's peak or the highest,
    /// every span's peak is some entry's factor (spans without the term have
    /// 0), the best of a few spans is the best of their peaks, and the
    /// highest is the best peak.
    #[test]
    fn a_peak_is_the_best_factor_of_its_span_and_bounds_every_entry_in_it() {
        let (engine, _dir) = crate::eval::bundled_help_center();
        let mut spans_reached = 0;
        crate::search::postings::for_every_term_as_tantivy_reads_it(&engine, |field, term, entries, factors| {
            let peaks = Peaks::of(entries.iter().copied().zip(factors.iter().copied()), 8, field.max_doc);
            let mut best = vec![0.0 as Score; field.max_doc.div_ceil(8) as usize];
            for (&doc, &factor) in entries.iter().zip(factors) {
                assert!(factor <= peaks.of_span((doc / 8) as usize) && factor <= peaks.highest, "{term:?} on {doc}");
                best[(doc / 8) as usize] = best[(doc / 8) as usize].max(factor);
            }
            for (index, &factor) in best.iter().enumerate() {
                assert_eq!(peaks.of_span(index).to_bits(), factor.to_bits(), "{term:?} in span {index}");
                let (from, to) = (index.saturating_sub(2), (index + 3).min(best.len()));
                let over = best[from..to].iter().copied().fold(0.0, Score::max);
                assert_eq!(peaks.highest_in(from..to).to_bits(), over.to_bits(), "{term:?} in spans {from}..{to}");
                spans_reached += usize::from(factor > 0.0);
            }
            assert_eq!(peaks.highest.to_bits(), best.iter().copied().fold(0.0, Score::max).to_bits(), "{term:?}");
            assert_eq!(peaks.of_span(best.len()), 0.0, "past the segment");
            assert_eq!(peaks.highest_in(0..best.len() + 5).to_bits(), peaks.highest.to_bits(), "{term:?} over spans past the segment");
        });
        assert!(spans_reached > 3000, "{spans_reached} spans with a peak");
    }
}
