//! The terms of each answer's opening with their places in the text, stored
//! beside the entry when it is indexed so that a search can highlight its
//! matches without analysing the answer again (see `search::snippet`).
//!
//! A snippet is the fragment of the answer whose matches weigh most. The
//! fragments are cut where the terms are, whatever the query, so they are
//! cut here, once; and the terms are stored by term rather than in text
//! order, so that a search looks up its own few terms in each answer it
//! shows instead of reading every term of it: a long answer costs a search
//! no more than a short one.
//!
//! Layout (integers little-endian):
//! - the fragments: their count (u16), then per fragment the ordinal of its
//!   first term, its start and its end (u16 each);
//! - the terms: their count (u16), then per term, in byte order, where its
//!   record starts among the records (u16);
//! - the records: per term, either `SAME_AS_TEXT` (the term is the text at
//!   its first occurrence, as most are) or its length (u8) and bytes; how
//!   many times it occurs (u16); then per occurrence its ordinal (its place
//!   among all the terms in text order) and start (u16 each), and its
//!   length in the text (u8).

use std::ops::Range;

use crate::korean::Analyzer;

/// How much of an answer's text (in bytes) the snippet is chosen from: the
/// opening of a long answer is where its point is, and storing the terms of all
/// of it would cost index space for little.
pub const SNIPPET_SOURCE_BYTES: usize = 2400;
/// Longest fragment, in bytes of the answer (about 53 Hangul syllables): a
/// new one starts at the first term that would end past this many bytes from
/// where the current one starts.
pub const FRAGMENT_BYTES: usize = 160;
/// Terms longer than this (in bytes) are not stored; no query term is that long.
const MAX_STORED_TERM_BYTES: usize = 254;
/// Marks a stored term whose bytes are the answer's own text at its first
/// occurrence.
const SAME_AS_TEXT: u8 = 0xFF;
/// A fragment's first ordinal, start and end.
const FRAGMENT_RECORD_BYTES: usize = 6;
/// An occurrence's ordinal, start and length.
const OCCURRENCE_BYTES: usize = 5;

// Every place in the snippet source fits a u16, and so do the ordinals of its
// terms: each is at least a character long, and few overlap.
const _: () = assert!(SNIPPET_SOURCE_BYTES < u16::MAX as usize);

/// The part of `body` a snippet is chosen from.
pub fn source(body: &str) -> &str {
    &body[..floor_boundary(body, SNIPPET_SOURCE_BYTES)]
}

/// The terms of `source(body)` as `analyzer` indexes them, with their byte
/// ranges, and the fragments they cut it into, laid out as the module says.
pub fn encode(analyzer: &Analyzer, body: &str) -> Vec<u8> {
    let text = source(body);
    // The whole answer, as the tokenizer will read it next (and find it
    // remembered), less what lies past the snippet source.
    let terms = analyzer.index_terms_kept(body);
    let kept: Vec<(Range<usize>, &str)> = terms
        .iter()
        .filter(|term| term.end <= text.len() && term.start <= term.end && term.end - term.start <= u8::MAX as usize && term.text.len() <= MAX_STORED_TERM_BYTES)
        .map(|term| (term.start..term.end, term.text.as_str()))
        .collect();
    lay_out(text.as_bytes(), &kept)
}

/// [`encode`]'s layout for `terms` of `text`, in text order.
fn lay_out(text: &[u8], terms: &[(Range<usize>, &str)]) -> Vec<u8> {
    let u16_of = |n: usize| (n as u16).to_le_bytes();
    let mut out = Vec::with_capacity(terms.len() * 9 + 64);
    let fragments = fragments(terms.iter().map(|(range, _)| range.clone()));
    out.extend_from_slice(&u16_of(fragments.len()));
    for (first, range) in &fragments {
        for n in [*first, range.start, range.end] {
            out.extend_from_slice(&u16_of(n));
        }
    }
    // Each distinct term with its occurrences, in byte order.
    let mut by_term: Vec<(&str, usize)> = terms.iter().enumerate().map(|(ordinal, (_, text))| (*text, ordinal)).collect();
    by_term.sort_unstable();
    let mut records: Vec<u8> = Vec::with_capacity(terms.len() * 8);
    let mut offsets: Vec<u16> = Vec::new();
    for group in by_term.chunk_by(|a, b| a.0 == b.0) {
        // Records begin within 64 KiB; past that (no real answer's 2,400
        // bytes of terms come near it) the remaining terms go unmarked.
        let Ok(offset) = u16::try_from(records.len()) else { break };
        offsets.push(offset);
        let term = group[0].0.as_bytes();
        if text.get(terms[group[0].1].0.clone()) == Some(term) {
            records.push(SAME_AS_TEXT);
        } else {
            records.push(term.len() as u8);
            records.extend_from_slice(term);
        }
        records.extend_from_slice(&u16_of(group.len()));
        for &(_, ordinal) in group {
            let range = &terms[ordinal].0;
            records.extend_from_slice(&u16_of(ordinal));
            records.extend_from_slice(&u16_of(range.start));
            records.push(range.len() as u8);
        }
    }
    out.extend_from_slice(&u16_of(offsets.len()));
    for offset in offsets {
        out.extend_from_slice(&offset.to_le_bytes());
    }
    out.extend_from_slice(&records);
    out
}

/// The fragments that terms at `ranges` (in text order) cut the text into:
/// the ordinal of each one's first term and its byte range. The first starts
/// at the text's start; a term that would end more than [`FRAGMENT_BYTES`]
/// past the current fragment's start begins the next, at its own start. A
/// fragment ends where the last of its terms does. None is empty of terms.
fn fragments(ranges: impl Iterator<Item = Range<usize>>) -> Vec<(usize, Range<usize>)> {
    let mut out = Vec::new();
    let mut current = (0, 0..0);
    let mut count = 0;
    for (ordinal, range) in ranges.enumerate() {
        if range.end.saturating_sub(current.1.start) > FRAGMENT_BYTES {
            if ordinal > current.0 {
                out.push(current);
            }
            current = (ordinal, range.start..range.start);
        }
        current.1.end = current.1.end.max(range.end);
        count = ordinal + 1;
    }
    if count > current.0 {
        out.push(current);
    }
    out
}

/// One place a term occurs in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// Its place among all the terms, in text order.
    pub ordinal: u16,
    pub range: Range<usize>,
}

/// What [`encode`] stored, read in place. Reading checks only the tables'
/// sizes; a record that does not fit is found to hold nothing, so damaged
/// bytes give fewer matches, never a panic.
pub struct SnippetTerms<'a> {
    /// The snippet source the terms were stored for.
    text: &'a [u8],
    /// [`FRAGMENT_RECORD_BYTES`] per fragment.
    fragments: &'a [u8],
    /// Two bytes per term.
    offsets: &'a [u8],
    records: &'a [u8],
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

impl<'a> SnippetTerms<'a> {
    /// What `bytes` store for the snippet source `text`; `None` when they
    /// are too short for the tables they announce.
    pub fn read(bytes: &'a [u8], text: &'a [u8]) -> Option<SnippetTerms<'a>> {
        let fragments = u16_at(bytes, 0)? as usize;
        let (fragments, rest) = bytes.get(2..)?.split_at_checked(fragments * FRAGMENT_RECORD_BYTES)?;
        let terms = u16_at(rest, 0)? as usize;
        let (offsets, records) = rest.get(2..)?.split_at_checked(terms * 2)?;
        Some(SnippetTerms { text, fragments, offsets, records })
    }

    /// How many fragments the text is cut into.
    pub fn fragment_count(&self) -> usize {
        self.fragments.len() / FRAGMENT_RECORD_BYTES
    }

    /// Fragment `index`: the ordinal of its first term, and its byte range.
    pub fn fragment(&self, index: usize) -> Option<(u16, Range<usize>)> {
        let at = index * FRAGMENT_RECORD_BYTES;
        Some((u16_at(self.fragments, at)?, u16_at(self.fragments, at + 2)? as usize..u16_at(self.fragments, at + 4)? as usize))
    }

    /// The fragment that the term of `ordinal` is in. The next fragment, if
    /// there is one, starts past `ordinal` whatever the stored bytes say: the
    /// search stops only at one it read to start past it.
    pub fn fragment_of(&self, ordinal: u16) -> usize {
        let (mut low, mut high) = (0, self.fragment_count());
        // The first fragment whose first ordinal is past `ordinal`, less one.
        while low < high {
            let middle = (low + high) / 2;
            if u16_at(self.fragments, middle * FRAGMENT_RECORD_BYTES).is_some_and(|first| first <= ordinal) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        low.saturating_sub(1)
    }

    /// Where `term` occurs, in text order; nothing when it does not.
    pub fn occurrences(&self, term: &[u8]) -> impl Iterator<Item = Occurrence> + 'a {
        let found = self.record(term);
        let count = found.map_or(0, |(_, count)| count);
        let places = found.map_or(&[][..], |(places, _)| places);
        (0..count).map_while(move |i| {
            let at = i * OCCURRENCE_BYTES;
            let start = u16_at(places, at + 2)? as usize;
            Some(Occurrence { ordinal: u16_at(places, at)?, range: start..start + *places.get(at + 4)? as usize })
        })
    }

    /// The term at `index` of the table: its bytes, and what follows them.
    fn entry(&self, index: usize) -> Option<(&'a [u8], &'a [u8])> {
        let record = self.records.get(u16_at(self.offsets, index * 2)? as usize..)?;
        if *record.first()? == SAME_AS_TEXT {
            let rest = &record[1..];
            // The first occurrence's start and length, after the count and its ordinal.
            let start = u16_at(rest, 4)? as usize;
            let term = self.text.get(start..start + *rest.get(6)? as usize)?;
            return Some((term, rest));
        }
        let length = record[0] as usize;
        let term = record.get(1..1 + length)?;
        Some((term, &record[1 + length..]))
    }

    /// `term`'s occurrences ([`OCCURRENCE_BYTES`] each) and how many, by a
    /// binary search of the table.
    fn record(&self, term: &[u8]) -> Option<(&'a [u8], usize)> {
        let (mut low, mut high) = (0, self.offsets.len() / 2);
        while low < high {
            let middle = (low + high) / 2;
            let (text, rest) = self.entry(middle)?;
            match text.cmp(term) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => {
                    let count = u16_at(rest, 0)? as usize;
                    return Some((rest.get(2..)?, count));
                }
            }
        }
        None
    }
}

/// The largest character boundary at or before `index`.
fn floor_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}
