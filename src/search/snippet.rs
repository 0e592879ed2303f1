//! The best fragment of an answer, HTML-escaped, with matches in `<mark>`.
//!
//! Highlighting needs each answer's terms with their places in the text. The
//! morphological analysis that finds them is the costliest step of a search,
//! so it is done once, when the entry is indexed
//! ([`crate::index::snippet_terms`]), and a search only reads them back
//! ([`Highlighter::snippet`]).

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use crate::index::snippet_terms::decode;
#[cfg(test)]
use crate::index::snippet_terms::{encode, source};
#[cfg(test)]
use crate::korean::Analyzer;

/// Longest snippet, in bytes of the answer (about 53 Hangul syllables).
pub const SNIPPET_CHARS: usize = 160;
/// The query's terms in the answer field, weighted so that rarer terms pull the
/// fragment towards them (as tantivy's snippet generator weighs them).
pub struct Highlighter {
    weights: HashMap<String, f32>,
}

impl Highlighter {
    pub fn new(searcher: &Searcher, query: &dyn Query, field: Field) -> tantivy::Result<Highlighter> {
        let mut terms: BTreeSet<&Term> = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                terms.insert(term);
            }
        });
        let mut weights = HashMap::with_capacity(terms.len());
        for term in terms {
            let value = term.value();
            let Some(text) = value.as_str() else { continue };
            let doc_freq = searcher.doc_freq(term)?;
            if doc_freq > 0 {
                weights.insert(text.to_string(), 1.0 / (1.0 + doc_freq as f32));
            }
        }
        Ok(Highlighter { weights })
    }

    /// A highlighter that marks nothing: for hits found by meaning alone,
    /// which show the opening of their answer.
    pub fn nothing() -> Highlighter {
        Highlighter { weights: HashMap::new() }
    }

    /// The snippet of an answer whose opening is `text` and whose stored terms
    /// are `terms`: the window of at most [`SNIPPET_CHARS`] bytes whose matched
    /// terms weigh most (the earliest of equals), or the opening when none match.
    pub fn snippet(&self, text: &str, terms: &[u8]) -> String {
        let mut best: Option<Window> = None;
        let mut window = Window::at(0);
        for (range, term) in decode(terms, text) {
            if range.end.saturating_sub(window.start) > SNIPPET_CHARS {
                if window.score > best.as_ref().map_or(0.0, |b| b.score) {
                    best = Some(window);
                }
                window = Window::at(range.start);
            }
            window.end = window.end.max(range.end);
            if let Some(weight) = self.weights.get(term) {
                window.score += weight;
                window.marks.push(range);
            }
        }
        if window.score > best.as_ref().map_or(0.0, |b| b.score) {
            best = Some(window);
        }
        match best {
            Some(window) => render(text, &window),
            None => escape(&opening(text)),
        }
    }
}

/// A candidate fragment: its byte range in the answer and the matches in it.
struct Window {
    start: usize,
    end: usize,
    score: f32,
    marks: Vec<Range<usize>>,
}

impl Window {
    fn at(start: usize) -> Window {
        Window { start, end: start, score: 0.0, marks: Vec::new() }
    }
}

fn render(text: &str, window: &Window) -> String {
    let fragment = &text[window.start..window.end];
    let mut out = String::with_capacity(fragment.len() + 32);
    let mut cursor = window.start;
    for range in merge_touching(&window.marks) {
        let range = range.start.max(cursor)..range.end.min(window.end);
        if range.is_empty() {
            continue;
        }
        out.push_str(&escape(&text[cursor..range.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[range.clone()]));
        out.push_str("</mark>");
        cursor = range.end;
    }
    out.push_str(&escape(&text[cursor..window.end]));
    out
}

/// 비밀 and 번호 are two terms but one word on screen: one `<mark>`, not two.
fn merge_touching(ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
    for range in sorted {
        match merged.last_mut() {
            Some(last) if last.end >= range.start => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

fn opening(body: &str) -> String {
    let mut text: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some((cut, _)) = text.char_indices().nth(SNIPPET_CHARS) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighter(terms: &[(&str, f32)]) -> Highlighter {
        Highlighter { weights: terms.iter().map(|(t, w)| (t.to_string(), *w)).collect() }
    }

    #[test]
    fn markup_in_answers_is_escaped() {
        assert_eq!(escape("<script>alert('x')</script> & 환불"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 환불");
    }

    #[test]
    fn opening_is_cut_on_a_character_boundary() {
        let body = "가".repeat(500);
        let s = highlighter(&[]).snippet(source(&body), &[]);
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn stored_terms_highlight_the_matches_without_analysing_again() {
        let analyzer = Analyzer::shared_default();
        let body = "비밀번호를 잊으셨다면 로그인 화면에서 비밀번호 찾기를 누르세요. <b>주의</b>: 메일이 오지 않으면 스팸함을 확인하세요.";
        let terms = encode(&analyzer, body);
        let snippet = highlighter(&[("비밀번호", 0.5), ("로그인", 0.2)]).snippet(source(body), &terms);
        assert!(snippet.contains("<mark>비밀번호</mark>를"), "{snippet}");
        assert!(snippet.contains("<mark>로그인</mark> 화면"), "{snippet}");
        assert!(!snippet.contains("<b>"), "the answer's own markup is escaped: {snippet}");
    }

    #[test]
    fn the_window_with_the_rarer_terms_wins() {
        let analyzer = Analyzer::shared_default();
        let filler = "배송 안내입니다. ".repeat(20);
        let body = format!("{filler}환불은 영업일 기준 3일 안에 처리됩니다.");
        let terms = encode(&analyzer, &body);
        let snippet = highlighter(&[("배송", 0.01), ("환불", 0.5)]).snippet(source(&body), &terms);
        assert!(snippet.contains("<mark>환불</mark>"), "{snippet}");
    }

    #[test]
    fn damaged_terms_end_the_reading_without_panicking() {
        let analyzer = Analyzer::shared_default();
        let body = "환불 신청은 마이페이지에서 할 수 있어요.";
        let mut terms = encode(&analyzer, body);
        terms.truncate(terms.len() - 2);
        terms.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 3]);
        let snippet = highlighter(&[("환불", 1.0)]).snippet(source(body), &terms);
        assert!(snippet.contains("<mark>환불</mark>"), "{snippet}");
        // Terms stored for another text: ranges off its boundaries are refused.
        let _ = highlighter(&[("환불", 1.0)]).snippet("가", &terms);
    }
}
