//! The best fragment of an answer, HTML-escaped, with matches in `<mark>`.
//!
//! Highlighting needs each answer's terms with their places in the text. The
//! morphological analysis that finds them is the costliest step of a search,
//! so it is done once, when the entry is indexed
//! ([`crate::index::snippet_terms`]), and a search only reads them back
//! ([`Highlighter::snippet`]).

use std::collections::BTreeSet;
use std::ops::Range;

use super::eight_bytes::equal_bytes;
use crate::index::snippet_terms::decode;
#[cfg(test)]
use crate::index::snippet_terms::{encode, source};
#[cfg(test)]
use crate::korean::Analyzer;

/// Longest snippet, in bytes of the answer (about 53 Hangul syllables).
pub const SNIPPET_CHARS: usize = 160;
/// The opening shown when nothing matches is cut from this much of the
/// answer's start at first (160 characters of up to 4 bytes, and some room
/// for the spaces it collapses).
const OPENING_BYTES: usize = SNIPPET_CHARS * 4 + 64;

/// The query's terms in the answer field, weighted so that rarer terms pull the
/// fragment towards them (as tantivy's snippet generator weighs them).
pub struct Highlighter {
    /// A query has a few terms in the answer field: a list compared by bytes
    /// beats hashing every term of every answer shown.
    weights: Vec<(Box<[u8]>, f32)>,
    /// A bit per (length, last two bytes) of the weighted terms
    /// ([`sketch`]): most of an answer's terms are told apart from the
    /// query's by it alone, without comparing them to each.
    sketch: [u64; 4],
}

/// One bit of 256 for a term, from its length and last two bytes (a Hangul
/// syllable's first byte is one of four).
fn sketch(term: &[u8]) -> (usize, u64) {
    let byte = |back: usize| term.len().checked_sub(back).map_or(0, |i| term[i] as usize);
    let bit = (term.len() * 131 + byte(2) * 17 + byte(1)) % 256;
    (bit / 64, 1 << (bit % 64))
}

impl Highlighter {
    /// Marks the query's `terms`, the rarer the more: `doc_freq` counts the
    /// answers that hold a term (the answer field's document frequency).
    pub fn new<'a>(terms: impl IntoIterator<Item = &'a str>, doc_freq: impl Fn(&str) -> u32) -> Highlighter {
        let terms: BTreeSet<&str> = terms.into_iter().collect();
        let mut weights = Vec::with_capacity(terms.len());
        for text in terms {
            let doc_freq = doc_freq(text);
            if doc_freq > 0 {
                weights.push((text.as_bytes().into(), 1.0 / (1.0 + doc_freq as f32)));
            }
        }
        Highlighter::with(weights)
    }

    fn with(weights: Vec<(Box<[u8]>, f32)>) -> Highlighter {
        let mut bits = [0u64; 4];
        for (term, _) in &weights {
            let (word, bit) = sketch(term);
            bits[word] |= bit;
        }
        Highlighter { weights, sketch: bits }
    }

    /// A highlighter that marks nothing: for hits found by meaning alone,
    /// which show the opening of their answer.
    pub fn nothing() -> Highlighter {
        Highlighter::with(Vec::new())
    }

    fn weight(&self, term: &[u8]) -> Option<f32> {
        let (word, bit) = sketch(term);
        if self.sketch[word] & bit == 0 {
            return None;
        }
        self.weights.iter().find(|(t, _)| **t == *term).map(|(_, w)| *w)
    }

    /// The snippet of an answer whose opening is `text` (UTF-8, as stored) and
    /// whose stored terms are `terms`: the window of at most [`SNIPPET_CHARS`]
    /// bytes whose matched terms weigh most (the earliest of equals); `None`
    /// when none match, and the answer shows its [`opening`].
    pub fn snippet(&self, text: &[u8], terms: &[u8]) -> Option<String> {
        // Every window's marks go into one list; a window that loses gives
        // its marks' room back.
        let mut marks: Vec<Range<usize>> = Vec::new();
        let mut best: Option<Window> = None;
        let mut window = Window::at(0, 0);
        let beats = |window: &Window, best: &Option<Window>| window.score > best.as_ref().map_or(0.0, |b| b.score);
        for (range, term) in decode(terms, text) {
            if range.end.saturating_sub(window.start) > SNIPPET_CHARS {
                if beats(&window, &best) {
                    best = Some(window);
                } else {
                    marks.truncate(window.marks.start);
                }
                window = Window::at(range.start, marks.len());
            }
            window.end = window.end.max(range.end);
            if let Some(weight) = self.weight(term) {
                window.score += weight;
                marks.push(range);
                window.marks.end = marks.len();
            }
        }
        if beats(&window, &best) {
            best = Some(window);
        }
        best.and_then(|window| render(text, &window, &mut marks[window.marks.clone()]))
    }
}

/// A candidate fragment: its byte range in the answer, and where its matches
/// are in the snippet's list of marks.
struct Window {
    start: usize,
    end: usize,
    score: f32,
    marks: Range<usize>,
}

impl Window {
    fn at(start: usize, marks: usize) -> Window {
        Window { start, end: start, score: 0.0, marks: marks..marks }
    }
}

/// The window's text, escaped, with its marks; `None` when the stored
/// ranges do not fall on the text's character boundaries.
fn render(text: &[u8], window: &Window, marks: &mut [Range<usize>]) -> Option<String> {
    let fragment = simdutf8::basic::from_utf8(text.get(window.start..window.end)?).ok()?;
    let mut out = String::with_capacity(fragment.len() + 32);
    let mut cursor = window.start;
    for range in merge_touching(marks) {
        let range = range.start.max(cursor)..range.end.min(window.end);
        if range.is_empty() {
            continue;
        }
        let local = |r: Range<usize>| fragment.get(r.start - window.start..r.end - window.start);
        let (Some(before), Some(marked)) = (local(cursor..range.start), local(range.clone())) else { continue };
        escape_into(&mut out, before);
        out.push_str("<mark>");
        escape_into(&mut out, marked);
        out.push_str("</mark>");
        cursor = range.end;
    }
    escape_into(&mut out, &fragment[cursor - window.start..]);
    Some(out)
}

/// 비밀 and 번호 are two terms but one word on screen: one `<mark>`, not two.
fn merge_touching(ranges: &mut [Range<usize>]) -> Vec<Range<usize>> {
    ranges.sort_unstable_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges.iter() {
        match merged.last_mut() {
            Some(last) if last.end >= range.start => last.end = last.end.max(range.end),
            _ => merged.push(range.clone()),
        }
    }
    merged
}

/// The answer's first [`SNIPPET_CHARS`] characters with its spacing
/// collapsed, escaped: the snippet of a hit whose answer matches none of the
/// query's terms. Only as much of the text as that needs is checked to be
/// UTF-8 (and a damaged text shows what comes before the damage).
pub fn opening(text: &[u8]) -> String {
    let head = &text[..text.len().min(OPENING_BYTES)];
    let (mut shown, mut more) = collapse_first(readable_start(head), SNIPPET_CHARS);
    if !more && head.len() < text.len() {
        (shown, more) = collapse_first(readable_start(text), SNIPPET_CHARS);
    }
    if more {
        shown.push('…');
    }
    escape(&shown)
}

/// The longest start of `bytes` that is UTF-8: all of it, unless damaged.
fn readable_start(bytes: &[u8]) -> &str {
    match simdutf8::compat::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => simdutf8::basic::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// The first `chars` characters of `text` with each run of spacing made one
/// space and none at either end, and whether the text goes on past them.
fn collapse_first(text: &str, chars: usize) -> (String, bool) {
    let mut out = String::with_capacity(chars * 3);
    let mut count = 0;
    for word in text.split_whitespace() {
        if count > 0 {
            if count == chars {
                return (out, true);
            }
            out.push(' ');
            count += 1;
        }
        // Whole words at a time; only the word that does not fit is cut.
        let length = word.chars().count();
        if count + length <= chars {
            out.push_str(word);
            count += length;
        } else {
            let cut = word.char_indices().nth(chars - count).map_or(word.len(), |(at, _)| at);
            out.push_str(&word[..cut]);
            return (out, true);
        }
    }
    (out, false)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// The bytes HTML escapes, looked up rather than compared five times.
const HTML_SPECIAL: [bool; 256] = {
    let mut special = [false; 256];
    special[b'&' as usize] = true;
    special[b'<' as usize] = true;
    special[b'>' as usize] = true;
    special[b'"' as usize] = true;
    special[b'\'' as usize] = true;
    special
};

/// Whether any of the eight bytes of `word` is one HTML escapes.
fn holds_html_special(word: u64) -> bool {
    (equal_bytes(word, b'&') | equal_bytes(word, b'<') | equal_bytes(word, b'>') | equal_bytes(word, b'"') | equal_bytes(word, b'\'')) != 0
}

/// Escapes `text` onto `out`, eight bytes at a time: Korean text rarely
/// holds a byte to escape, and a word without one is passed over whole.
fn escape_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    // `text[copied..]` is not yet on `out`.
    let mut copied = 0;
    let mut escape_at = |out: &mut String, at: usize| {
        // By bytes: these are ASCII, which never occurs inside a longer
        // character, so `at` and `at + 1` are character boundaries.
        out.push_str(&text[copied..at]);
        out.push_str(match bytes[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        copied = at + 1;
    };
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in words.by_ref() {
        if holds_html_special(u64::from_le_bytes(word.try_into().unwrap_or_default())) {
            for (i, &b) in word.iter().enumerate() {
                if HTML_SPECIAL[b as usize] {
                    escape_at(out, at + i);
                }
            }
        }
        at += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if HTML_SPECIAL[b as usize] {
            escape_at(out, at + i);
        }
    }
    out.push_str(&text[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighter(terms: &[(&str, f32)]) -> Highlighter {
        Highlighter::with(terms.iter().map(|(t, w)| (t.as_bytes().into(), *w)).collect())
    }

    #[test]
    fn markup_in_answers_is_escaped() {
        assert_eq!(escape("<script>alert('x')</script> & 환불"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 환불");
    }

    #[test]
    fn escaping_a_word_at_a_time_escapes_what_escaping_each_character_does() {
        let by_character = |text: &str| -> String {
            text.chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    c => c.to_string(),
                })
                .collect()
        };
        let pieces = ["가", "a", " ", "&", "<", ">", "\"", "'", "%", "=", ".", "\u{7f}", "é", "😀", "\u{2026}"];
        let mut rng = fastrand::Rng::with_seed(7);
        for length in 0..40 {
            for _ in 0..200 {
                let text: String = (0..length).map(|_| pieces[rng.usize(..pieces.len())]).collect();
                assert_eq!(escape(&text), by_character(&text), "{text:?}");
            }
        }
        // Every byte value in every place of a word, next to specials.
        for special in ["&", "'"] {
            for c in (0u32..0x800).filter_map(char::from_u32) {
                let text = format!("{c}{special}{c}{c}{c}{c}{c}{c}{c}{special}");
                assert_eq!(escape(&text), by_character(&text), "{text:?}");
            }
        }
    }

    #[test]
    fn opening_is_cut_on_a_character_boundary() {
        let body = "가".repeat(500);
        let s = opening(source(&body).as_bytes());
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn the_opening_reads_only_what_it_shows_yet_collapses_spacing_as_the_whole_text_would() {
        // Spacing collapses: the first 160 characters lie past OPENING_BYTES.
        let spaced = format!("{}{}", " ".repeat(OPENING_BYTES), "환불 ".repeat(100));
        let naive = {
            let mut t = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
            t.truncate(t.char_indices().nth(SNIPPET_CHARS).unwrap().0);
            t + "…"
        };
        assert_eq!(opening(spaced.as_bytes()), naive);
        let short = "환불은 3일 안에 됩니다.";
        assert_eq!(opening(short.as_bytes()), short);
        // A damaged text shows what comes before the damage.
        let mut damaged = "환불 안내".as_bytes().to_vec();
        damaged.extend_from_slice(&[0xE2, 0x28, 0xA1]);
        assert_eq!(opening(&damaged), "환불 안내");
    }

    #[test]
    fn an_opening_of_exactly_the_snippets_length_has_no_ellipsis() {
        let exact = "가".repeat(SNIPPET_CHARS);
        assert_eq!(opening(exact.as_bytes()), exact);
        let longer = format!("{exact} 나");
        assert_eq!(opening(longer.as_bytes()), format!("{exact}…"));
    }

    #[test]
    fn stored_terms_highlight_the_matches_without_analysing_again() {
        let analyzer = Analyzer::shared_default();
        let body = "비밀번호를 잊으셨다면 로그인 화면에서 비밀번호 찾기를 누르세요. <b>주의</b>: 메일이 오지 않으면 스팸함을 확인하세요.";
        let terms = encode(&analyzer, body);
        let snippet = highlighter(&[("비밀번호", 0.5), ("로그인", 0.2)]).snippet(source(body).as_bytes(), &terms).unwrap();
        assert!(snippet.contains("<mark>비밀번호</mark>를"), "{snippet}");
        assert!(snippet.contains("<mark>로그인</mark> 화면"), "{snippet}");
        assert!(!snippet.contains("<b>"), "the answer's own markup is escaped: {snippet}");
    }

    #[test]
    fn an_answer_matching_none_of_the_terms_has_no_snippet_of_its_own() {
        let analyzer = Analyzer::shared_default();
        let body = "환불은 영업일 기준 3일 안에 처리됩니다.";
        let terms = encode(&analyzer, body);
        assert_eq!(highlighter(&[("배송", 0.5)]).snippet(source(body).as_bytes(), &terms), None);
        assert_eq!(Highlighter::nothing().snippet(source(body).as_bytes(), &terms), None);
        assert!(highlighter(&[("환불", 0.5)]).snippet(source(body).as_bytes(), &terms).is_some());
    }

    #[test]
    fn the_window_with_the_rarer_terms_wins() {
        let analyzer = Analyzer::shared_default();
        let filler = "배송 안내입니다. ".repeat(20);
        let body = format!("{filler}환불은 영업일 기준 3일 안에 처리됩니다.");
        let terms = encode(&analyzer, &body);
        let snippet = highlighter(&[("배송", 0.01), ("환불", 0.5)]).snippet(source(&body).as_bytes(), &terms).unwrap();
        assert!(snippet.contains("<mark>환불</mark>"), "{snippet}");
    }

    #[test]
    fn damaged_terms_end_the_reading_without_panicking() {
        let analyzer = Analyzer::shared_default();
        let body = "환불 신청은 마이페이지에서 할 수 있어요.";
        let mut terms = encode(&analyzer, body);
        terms.truncate(terms.len() - 2);
        terms.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 3]);
        let snippet = highlighter(&[("환불", 1.0)]).snippet(source(body).as_bytes(), &terms).unwrap();
        assert!(snippet.contains("<mark>환불</mark>"), "{snippet}");
        // Terms stored for another text: ranges off its boundaries are refused.
        let _ = highlighter(&[("환불", 1.0)]).snippet("가".as_bytes(), &terms);
    }
}
