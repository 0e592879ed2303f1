//! The best fragment of an answer, HTML-escaped, with matches in `<mark>`.
//!
//! Highlighting needs each answer's terms with their places in the text. The
//! morphological analysis that finds them is the costliest step of a search,
//! so it is done once, when the entry is indexed
//! ([`crate::index::snippet_terms`]), with the fragments the terms cut the
//! answer into; a search looks up its own terms there ([`Highlighter::snippet`]).

use std::collections::BTreeSet;
use std::ops::Range;

use super::eight_bytes::equal_bytes;
use crate::index::snippet_terms::{FRAGMENT_BYTES, SnippetTerms};
#[cfg(test)]
use crate::index::snippet_terms::{encode, source};
#[cfg(test)]
use crate::korean::Analyzer;

/// Longest snippet, in bytes of the answer (about 53 Hangul syllables).
pub const SNIPPET_CHARS: usize = FRAGMENT_BYTES;
/// The opening shown when nothing matches is cut from this much of the
/// answer's start at first (160 characters of up to 4 bytes, and some room
/// for the spaces it collapses).
const OPENING_BYTES: usize = SNIPPET_CHARS * 4 + 64;

/// The query's terms in the answer field, weighted so that rarer terms pull the
/// fragment towards them (as tantivy's snippet generator weighs them).
pub struct Highlighter {
    /// Each term once.
    weights: Vec<(Box<[u8]>, f32)>,
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
        Highlighter { weights }
    }

    /// A highlighter that marks nothing: for hits found by meaning alone,
    /// which show the opening of their answer.
    pub fn nothing() -> Highlighter {
        Highlighter { weights: Vec::new() }
    }

    /// The snippet of an answer whose opening is `text` (UTF-8, as stored) and
    /// whose stored terms are `stored`: the fragment whose matched terms
    /// weigh most (the earliest of equals), a fragment's weights added in
    /// text order; `None` when none match, and the answer shows its
    /// [`opening`]. Only the query's terms are looked up, so the work is the
    /// same for a long answer as for a short one.
    pub fn snippet(&self, text: &[u8], stored: &[u8]) -> Option<String> {
        if self.weights.is_empty() {
            return None;
        }
        let terms = SnippetTerms::read(stored, text)?;
        let mut matches: Vec<(u16, Range<usize>, f32)> = Vec::new();
        for (term, weight) in &self.weights {
            matches.extend(terms.occurrences(term).map(|o| (o.ordinal, o.range, *weight)));
        }
        matches.sort_unstable_by_key(|m| m.0);
        // The best fragment so far: its index, its weight, its matches.
        let mut best: Option<(usize, f32, Range<usize>)> = None;
        let mut from = 0;
        while from < matches.len() {
            let fragment = terms.fragment_of(matches[from].0);
            // The ordinal the next fragment starts at, if there is one.
            let next = terms.fragment(fragment + 1).map(|(first, _)| first);
            let (mut weight, mut to) = (0.0f32, from);
            while to < matches.len() && next.is_none_or(|next| matches[to].0 < next) {
                weight += matches[to].2;
                to += 1;
            }
            if weight > best.as_ref().map_or(0.0, |b| b.1) {
                best = Some((fragment, weight, from..to));
            }
            from = to;
        }
        let (fragment, _, found) = best?;
        let (_, range) = terms.fragment(fragment)?;
        let mut marks: Vec<Range<usize>> = matches[found].iter().map(|m| m.1.clone()).collect();
        render(text, &range, &mut marks)
    }
}

/// The fragment `window` of `text`, escaped, with its marks; `None` when
/// the stored ranges do not fall on the text's character boundaries.
fn render(text: &[u8], window: &Range<usize>, marks: &mut [Range<usize>]) -> Option<String> {
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
        Highlighter { weights: terms.iter().map(|(t, w)| (t.as_bytes().into(), *w)).collect() }
    }

    /// The snippet as a search chose it before the terms were stored by
    /// term: every term of the text read in order, a window closed at the
    /// first term that would end more than [`SNIPPET_CHARS`] bytes past its
    /// start, the window whose matches weigh most kept.
    fn snippet_read_in_text_order(weights: &[(&str, f32)], text: &str, terms: &[(Range<usize>, String)]) -> Option<String> {
        struct Window {
            start: usize,
            end: usize,
            score: f32,
            marks: Vec<Range<usize>>,
        }
        let at = |start| Window { start, end: start, score: 0.0, marks: Vec::new() };
        let (mut best, mut window): (Option<Window>, Window) = (None, at(0));
        for (range, term) in terms {
            if range.end.saturating_sub(window.start) > SNIPPET_CHARS {
                if window.score > best.as_ref().map_or(0.0, |b| b.score) {
                    best = Some(std::mem::replace(&mut window, at(range.start)));
                } else {
                    window = at(range.start);
                }
            }
            window.end = window.end.max(range.end);
            if let Some((_, weight)) = weights.iter().find(|(t, _)| t == term) {
                window.score += weight;
                window.marks.push(range.clone());
            }
        }
        if window.score > best.as_ref().map_or(0.0, |b| b.score) {
            best = Some(window);
        }
        best.and_then(|mut w| render(text.as_bytes(), &(w.start..w.end), &mut w.marks))
    }

    /// Every bundled answer, and long ones made of several, with sets of its
    /// own terms (and terms it lacks) as queries, weighed as searches weigh
    /// them (equal weights included): the snippet found by looking the
    /// query's terms up is the snippet that reading every term chose.
    #[test]
    fn looking_terms_up_chooses_the_snippet_that_reading_every_term_did() {
        let analyzer = Analyzer::shared_default();
        let library = crate::content::Library::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).unwrap();
        let mut bodies: Vec<String> = library.entries().map(|e| e.body).collect();
        let long: Vec<String> = bodies.chunks(7).map(|c| c.join("\n\n")).collect();
        // Nothing but punctuation for more than a fragment's length first.
        let late: Vec<String> = bodies.iter().step_by(5).map(|b| format!("{} {b}", "-".repeat(FRAGMENT_BYTES + 10))).collect();
        bodies.extend(long);
        bodies.extend(late);
        let mut rng = fastrand::Rng::with_seed(16);
        let (mut compared, mut differed, mut fragments) = (0, Vec::new(), 0);
        for body in &bodies {
            let text = source(body);
            let stored = encode(&analyzer, body);
            let terms: Vec<(Range<usize>, String)> = analyzer
                .index_terms_kept(body)
                .into_iter()
                .filter(|t| t.end <= text.len() && t.start <= t.end && t.end - t.start <= 255 && t.text.len() <= 254)
                .map(|t| (t.start..t.end, t.text))
                .collect();
            fragments = fragments.max(SnippetTerms::read(&stored, text.as_bytes()).unwrap().fragment_count());
            for _ in 0..20 {
                let mut chosen: Vec<(String, f32)> = Vec::new();
                for _ in 0..rng.usize(1..6) {
                    let term = if rng.u8(..5) == 0 || terms.is_empty() { "없는말".to_string() } else { terms[rng.usize(..terms.len())].1.clone() };
                    if chosen.iter().all(|(t, _)| *t != term) {
                        chosen.push((term, 1.0 / (1.0 + rng.u32(1..4) as f32)));
                    }
                }
                let weights: Vec<(&str, f32)> = chosen.iter().map(|(t, w)| (t.as_str(), *w)).collect();
                let expected = snippet_read_in_text_order(&weights, text, &terms);
                let found = highlighter(&weights).snippet(text.as_bytes(), &stored);
                if found != expected {
                    differed.push((weights.iter().map(|(t, _)| t.to_string()).collect::<Vec<_>>(), found, expected));
                }
                compared += 1;
            }
        }
        assert!(differed.is_empty(), "{} of {compared} differ, e.g. {:?}", differed.len(), differed.first());
        assert!(compared > 2000, "{compared} compared");
        assert!(fragments >= 10, "the longest answer was cut into {fragments} fragments");
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
    fn damaged_stored_terms_give_fewer_matches_never_a_panic() {
        let analyzer = Analyzer::shared_default();
        let body = "환불 신청은 마이페이지에서 할 수 있어요. 환불이 늦어지면 고객센터로 문의하세요.";
        let stored = encode(&analyzer, body);
        let text = source(body).as_bytes();
        let h = highlighter(&[("환불", 1.0), ("문의", 0.5)]);
        assert!(h.snippet(text, &stored).unwrap().contains("<mark>환불</mark>"));
        // Cut anywhere, or with any byte changed to any value.
        for cut in 0..stored.len() {
            let _ = h.snippet(text, &stored[..cut]);
        }
        for at in 0..stored.len() {
            for value in [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF] {
                let mut damaged = stored.clone();
                damaged[at] = value;
                let _ = h.snippet(text, &damaged);
            }
        }
        // Terms stored for another text: ranges off its boundaries are refused.
        assert_eq!(h.snippet("가".as_bytes(), &stored), None);
    }
}
