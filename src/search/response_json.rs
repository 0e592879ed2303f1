//! The body of `GET /api/search` and of `doumi search --json`, written out
//! by hand: the fields in a fixed order, each string escaped eight bytes at a
//! time.
//!
//! serde_json looks up every byte of every string in a table before copying
//! it. A search's body is about 5 KB of titles, URLs and snippets, nearly all
//! of it Korean that needs no escaping, and that byte-by-byte walk was a tenth
//! of an uncached search's instructions. Here a string is checked a machine
//! word at a time and copied in one piece; only a word holding a quote, a
//! backslash or a control character is looked at byte by byte. The escapes
//! written are serde_json's, so the text is the same.

use serde::Serialize;

use super::cards::Card;
use super::eight_bytes::{HIGH_BITS, LOW_BITS, equal_bytes};
use super::{Hit, SearchResponse};

impl SearchResponse {
    /// This answer as JSON, the same text `serde_json` writes for it.
    pub fn to_json(&self) -> Vec<u8> {
        let strings: usize = self.hits.iter().map(|h| h.id.len() + h.url.len() + h.title.len() + h.article_id.len() + h.article_title.len() + h.snippet.len() + 16).sum();
        let mut out = Vec::with_capacity(strings + 160 * self.hits.len() + self.query.len() + 160);
        out.extend_from_slice(b"{\"query_id\":");
        string(&mut out, &self.query_id);
        out.extend_from_slice(b",\"query\":");
        string(&mut out, &self.query);
        out.extend_from_slice(b",\"total\":");
        number(&mut out, &self.total);
        if self.total_is_lower_bound {
            out.extend_from_slice(b",\"total_is_lower_bound\":true");
        }
        out.extend_from_slice(b",\"took_ms\":");
        number(&mut out, &self.took_ms);
        out.extend_from_slice(b",\"confidence\":");
        number(&mut out, &self.confidence);
        out.extend_from_slice(b",\"hits\":[");
        for (i, hit) in self.hits.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_hit(&mut out, hit);
        }
        out.push(b']');
        if let Some(suggestion) = &self.suggestion {
            out.extend_from_slice(b",\"suggestion\":");
            string(&mut out, suggestion);
        }
        out.push(b'}');
        out
    }
}

fn write_hit(out: &mut Vec<u8>, hit: &Hit) {
    match hit.card.as_ref().filter(|card| shows(card, hit)) {
        // Written once for the entry.
        Some(card) => out.extend_from_slice(&card.json_head),
        None => head(out, &hit.id, &hit.url, &hit.title, &hit.article_id, &hit.article_title, hit.category.as_deref()),
    }
    string(out, &hit.snippet);
    out.extend_from_slice(b",\"score\":");
    number(out, &hit.score);
    out.push(b'}');
}

/// Whether `hit` still shows what `card` holds: the card's JSON is only
/// used when it is the hit's.
fn shows(card: &Card, hit: &Hit) -> bool {
    card.id == hit.id
        && card.url == hit.url
        && card.title == hit.title
        && card.article_id == hit.article_id
        && card.article_title == hit.article_title
        && match &hit.category {
            Some(category) => !category.is_empty() && *category == card.category,
            None => card.category.is_empty(),
        }
}

/// A hit's JSON up to the value of its snippet, for `card`'s entry.
pub(super) fn hit_head(card: &Card) -> Vec<u8> {
    let mut out = Vec::with_capacity(card.id.len() + card.url.len() + card.title.len() + card.article_id.len() + card.article_title.len() + card.category.len() + 160);
    let category = (!card.category.is_empty()).then_some(card.category.as_str());
    head(&mut out, &card.id, &card.url, &card.title, &card.article_id, &card.article_title, category);
    out
}

fn head(out: &mut Vec<u8>, id: &str, url: &str, title: &str, article_id: &str, article_title: &str, category: Option<&str>) {
    out.extend_from_slice(b"{\"id\":");
    string(out, id);
    out.extend_from_slice(b",\"url\":");
    string(out, url);
    out.extend_from_slice(b",\"title\":");
    string(out, title);
    out.extend_from_slice(b",\"article_id\":");
    string(out, article_id);
    out.extend_from_slice(b",\"article_title\":");
    string(out, article_title);
    out.extend_from_slice(b",\"category\":");
    match category {
        Some(category) => string(out, category),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"snippet\":");
}

/// A number as serde_json writes it (`null` when not finite).
pub fn number(out: &mut Vec<u8>, value: &impl Serialize) {
    // Writing a number into a Vec cannot fail; `null` keeps the JSON whole
    // if it ever did.
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// Whether any byte of `word` is a control character, `"` or `\`: the bytes
/// JSON escapes. Exact as a yes or no (which byte it flags may be off).
fn needs_escape(word: u64) -> bool {
    let control = word.wrapping_sub(LOW_BITS * 0x20) & !word & HIGH_BITS;
    (control | equal_bytes(word, b'"') | equal_bytes(word, b'\\')) != 0
}

/// `text` as a JSON string, quotes included, escaped as serde_json does.
pub fn string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        if let Some(word) = bytes.get(at..at + 8) {
            let word = u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]);
            if !needs_escape(word) {
                at += 8;
                continue;
            }
        }
        let end = bytes.len().min(at + 8);
        for (i, &byte) in bytes.iter().enumerate().take(end).skip(at) {
            let escape: &[u8] = match byte {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                0x08 => b"\\b",
                0x0c => b"\\f",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x00..=0x1f => &[b'\\', b'u', b'0', b'0', HEX[(byte >> 4) as usize], HEX[(byte & 0xf) as usize]],
                _ => continue,
            };
            out.extend_from_slice(&bytes[copied..i]);
            out.extend_from_slice(escape);
            copied = i + 1;
        }
        at = end;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

const HEX: [u8; 16] = *b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn via_serde(text: &str) -> String {
        serde_json::to_string(text).unwrap()
    }

    fn via_us(text: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_escapes_them() {
        let mut cases: Vec<String> = vec![
            String::new(),
            "배송 조회는 어떻게 하나요?".into(),
            "따옴표 \"인용\"과 역슬래시 \\ 그리고 줄바꿈\n탭\t복귀\r".into(),
            "<mark>배송조회</mark> &amp; 택배사".into(),
            "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}\u{7f}\u{2028}😀".into(),
        ];
        // Every byte JSON escapes, at every offset of an eight-byte word and
        // next to three-byte Korean characters.
        for special in (0u8..0x20).chain([b'"', b'\\', b' ', b'~', 0x7f]) {
            for at in 0..17 {
                let mut s = "가나다라마바".chars().cycle().take(at).collect::<String>();
                s.push(special as char);
                s.push_str("abcdefgh환불");
                cases.push(s.clone());
                cases.push(format!("{s}{s}"));
            }
        }
        for case in &cases {
            assert_eq!(via_us(case), via_serde(case), "{case:?}");
        }
    }

    #[test]
    fn only_bytes_json_escapes_are_flagged() {
        for byte in 0u8..=255 {
            let word = u64::from_le_bytes([b'a', b'b', byte, b'c', 0xea, 0xb0, 0x80, b'd']);
            let expected = byte < 0x20 || byte == b'"' || byte == b'\\';
            assert_eq!(needs_escape(word), expected, "byte {byte:#x}");
        }
    }

    fn hit(n: usize, category: Option<&str>) -> Hit {
        Hit {
            id: format!("shipping#배송-조회는-어떻게-하나요-{n}"),
            url: format!("/articles/shipping#배송-조회는-어떻게-하나요-{n}"),
            title: "배송 조회는 \"어떻게\" 하나요?".into(),
            article_id: "shipping".into(),
            article_title: "배송 안내".into(),
            category: category.map(str::to_string),
            snippet: "마이페이지 &gt; 주문내역 &gt; <mark>배송조회</mark>를 누르면\n택배사\\운송장".into(),
            score: 31.18194 / (n as f32 + 1.0),
            card: None,
        }
    }

    fn card_of(hit: &Hit) -> Arc<Card> {
        let mut card = Card {
            id: hit.id.clone(),
            url: hit.url.clone(),
            title: hit.title.clone(),
            article_id: hit.article_id.clone(),
            article_title: hit.article_title.clone(),
            category: hit.category.clone().unwrap_or_default(),
            kind: "faq".into(),
            json_head: Box::default(),
            opening: Default::default(),
        };
        card.json_head = hit_head(&card).into_boxed_slice();
        Arc::new(card)
    }

    #[test]
    fn a_hit_written_from_its_card_is_the_json_serde_writes_and_a_stale_card_is_not_used() {
        let mut hits = vec![hit(0, Some("배송")), hit(1, None), hit(2, Some("주문"))];
        for hit in &mut hits {
            hit.card = Some(card_of(hit));
        }
        // Fields changed after the card was made: each must show in the JSON.
        let mut stale = hits.clone();
        stale[0].title = "배송지를 바꾸고 싶어요".into();
        stale[1].category = Some("배송".into());
        stale[2].category = None;
        let mut empty = hit(3, None);
        empty.card = Some(card_of(&empty));
        empty.category = Some(String::new());
        stale.push(empty);
        for hits in [hits, stale] {
            let response = SearchResponse {
                query_id: "q".into(),
                query: "배송".into(),
                total: 3,
                total_is_lower_bound: false,
                took_ms: 0.25,
                confidence: 0.9,
                hits,
                suggestion: None,
                ranked_by_meaning: false,
            };
            assert_eq!(String::from_utf8(response.to_json()).unwrap(), serde_json::to_string(&response).unwrap());
        }
    }

    #[test]
    fn a_response_is_the_json_serde_writes_for_it() {
        let mut response = SearchResponse {
            query_id: "01a2318c-6dca-72f3-85d5-2bda640e88ea".into(),
            query: "배송 \"조회\"".into(),
            total: 55,
            total_is_lower_bound: false,
            took_ms: 0.518,
            confidence: 1.0,
            hits: vec![hit(0, Some("배송")), hit(1, None), hit(2, Some("주문"))],
            suggestion: None,
            ranked_by_meaning: false,
        };
        assert_eq!(String::from_utf8(response.to_json()).unwrap(), serde_json::to_string(&response).unwrap());
        response.total_is_lower_bound = true;
        response.total = 1000;
        response.suggestion = Some("배송 조회".into());
        response.confidence = 0.3333333;
        response.took_ms = f64::NAN;
        assert_eq!(String::from_utf8(response.to_json()).unwrap(), serde_json::to_string(&response).unwrap());
        response.hits.clear();
        assert_eq!(String::from_utf8(response.to_json()).unwrap(), serde_json::to_string(&response).unwrap());
    }
}
