//! The best fragment of an answer, HTML-escaped, with matches in `<mark>`.

use tantivy::snippet::Snippet;

/// Longest snippet, in characters.
pub const SNIPPET_CHARS: usize = 160;

/// Renders a tantivy snippet; when the body has no match (the entry matched on
/// its question or aliases) the answer's opening is shown instead.
pub fn render(snippet: &Snippet, body: &str) -> String {
    if snippet.is_empty() || snippet.highlighted().is_empty() {
        return escape(&opening(body));
    }
    let fragment = snippet.fragment();
    let mut out = String::with_capacity(fragment.len() + 32);
    let mut cursor = 0;
    for range in merge_touching(snippet.highlighted()) {
        // A term can reach past the fragment's end (a compound cut by the
        // fragment): mark only what is shown, on character boundaries.
        let range = floor_boundary(fragment, range.start.max(cursor))..floor_boundary(fragment, range.end);
        if range.is_empty() {
            continue;
        }
        out.push_str(&escape(&fragment[cursor..range.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&fragment[range.clone()]));
        out.push_str("</mark>");
        cursor = range.end;
    }
    out.push_str(&escape(&fragment[cursor..]));
    out
}

/// 비밀 and 번호 are two terms but one word on screen: one `<mark>`, not two.
fn merge_touching(ranges: &[std::ops::Range<usize>]) -> Vec<std::ops::Range<usize>> {
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if last.end >= range.start => last.end = last.end.max(range.end),
            _ => merged.push(range.clone()),
        }
    }
    merged
}

/// The largest character boundary at or before `index`.
pub(super) fn floor_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
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

    #[test]
    fn markup_in_answers_is_escaped() {
        assert_eq!(escape("<script>alert('x')</script> & 환불"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 환불");
    }

    #[test]
    fn opening_is_cut_on_a_character_boundary() {
        let body = "가".repeat(500);
        let s = render(&Snippet::empty(), &body);
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        assert!(s.ends_with('…'));
    }
}
