//! The terms of each answer's opening with their places in the text, stored
//! beside the entry when it is indexed so that a search can highlight its
//! matches without analysing the answer again (see `search::snippet`).
//!
//! Per term: its start and end (u16, little-endian), then either
//! `SAME_AS_TEXT` or the term's length and bytes.

use std::ops::Range;

use crate::korean::Analyzer;

/// How much of an answer's text (in bytes) the snippet is chosen from: the
/// opening of a long answer is where its point is, and storing the terms of all
/// of it would cost index space for little.
pub const SNIPPET_SOURCE_BYTES: usize = 2400;
/// Terms longer than this (in bytes) are not stored; no query term is that long.
const MAX_STORED_TERM_BYTES: usize = 254;
/// Marks a stored term whose text is the answer's own text at its range.
const SAME_AS_TEXT: u8 = 0xFF;

/// The part of `body` a snippet is chosen from.
pub fn source(body: &str) -> &str {
    &body[..floor_boundary(body, SNIPPET_SOURCE_BYTES)]
}

/// The terms of `source(body)` as `analyzer` indexes them, with their byte
/// ranges: per term, its start and end (u16, little-endian), then either
/// `SAME_AS_TEXT` or the term's length and bytes.
pub fn encode(analyzer: &Analyzer, body: &str) -> Vec<u8> {
    let text = source(body);
    // The whole answer, as the tokenizer will read it next (and find it
    // remembered), less what lies past the snippet source.
    let terms = analyzer.index_terms_kept(body);
    let mut out = Vec::with_capacity(terms.len() * 5);
    for term in terms {
        if term.end > text.len() || term.start > term.end || term.text.len() > MAX_STORED_TERM_BYTES {
            continue;
        }
        out.extend_from_slice(&(term.start as u16).to_le_bytes());
        out.extend_from_slice(&(term.end as u16).to_le_bytes());
        if text[term.start..term.end] == term.text {
            out.push(SAME_AS_TEXT);
        } else {
            out.push(term.text.len() as u8);
            out.extend_from_slice(term.text.as_bytes());
        }
    }
    out
}

/// Reads back what [`encode`] wrote for `text` (the snippet source as stored,
/// in bytes: only the part a snippet shows is checked to be UTF-8, by whoever
/// shows it). Anything that does not fit the text (a truncated record, a
/// range past its end) ends the reading instead of panicking.
pub fn decode<'a>(bytes: &'a [u8], text: &'a [u8]) -> impl Iterator<Item = (Range<usize>, &'a [u8])> + 'a {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        let (header, tail) = rest.split_at_checked(5)?;
        let start = u16::from_le_bytes([header[0], header[1]]) as usize;
        let end = u16::from_le_bytes([header[2], header[3]]) as usize;
        let range = start..end;
        let in_text = text.get(range.clone())?;
        let term = if header[4] == SAME_AS_TEXT {
            rest = tail;
            in_text
        } else {
            let (term, tail) = tail.split_at_checked(header[4] as usize)?;
            rest = tail;
            term
        };
        Some((range, term))
    })
}

/// The largest character boundary at or before `index`.
fn floor_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}
