//! What the query log holds: one record per search and per event that
//! followed it (a click, a vote, an escalation to support).

use serde::{Deserialize, Serialize};

use super::pii::Masker;
use crate::korean::Normalized;
use crate::search::SearchResponse;

/// Where a search came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The embeddable search box on a shop's site.
    Widget,
    /// doumi's own help-center pages.
    Page,
    /// Any other API client.
    Api,
    /// `doumi simulate`: made-up traffic, never mixed with a real log.
    Simulated,
}

impl Source {
    pub const NAMES: [&'static str; 4] = ["widget", "page", "api", "simulated"];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Widget => "widget",
            Source::Page => "page",
            Source::Api => "api",
            Source::Simulated => "simulated",
        }
    }

    /// Reads a source name; `simulated` is not accepted from clients.
    pub fn from_client(name: &str) -> Option<Source> {
        match name {
            "widget" => Some(Source::Widget),
            "page" => Some(Source::Page),
            "api" => Some(Source::Api),
            _ => None,
        }
    }

    pub(crate) fn from_stored(name: &str) -> Source {
        match name {
            "widget" => Source::Widget,
            "page" => Source::Page,
            "simulated" => Source::Simulated,
            _ => Source::Api,
        }
    }
}

/// One hit as logged: enough to know what the customer was shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedHit {
    pub id: String,
    pub score: f32,
}

impl LoggedHit {
    /// A search's hits as the stores keep them: one JSON array, the text
    /// serde_json writes for them, written without serde's walk (the log
    /// writer stores one for every search).
    pub fn as_stored(hits: &[LoggedHit]) -> String {
        let mut out = Vec::with_capacity(2 + hits.iter().map(|h| h.id.len() + 32).sum::<usize>());
        out.push(b'[');
        for (i, hit) in hits.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"id\":");
            crate::search::write_json_string(&mut out, &hit.id);
            out.extend_from_slice(b",\"score\":");
            crate::search::write_json_number(&mut out, &hit.score);
            out.push(b'}');
        }
        out.push(b']');
        String::from_utf8(out).unwrap_or_else(|_| "[]".into())
    }

    /// Reads back [`LoggedHit::as_stored`]; a damaged value is no hits.
    pub fn from_stored(text: &str) -> Vec<LoggedHit> {
        serde_json::from_str(text).unwrap_or_default()
    }
}

/// How many of a search's hits are logged.
pub const LOGGED_HITS: usize = 5;

/// Who made a search: the anonymous session, and the client address it
/// came from as a keyed hash (see [`derived_client`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Who {
    pub session: String,
    pub client: String,
}

/// A search, masked: no field holds personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchRecord {
    /// The `query_id` the API answered with (a UUID).
    pub id: String,
    /// Unix time in milliseconds.
    pub at_ms: i64,
    pub session: String,
    /// The client address the search came from, as a keyed hash of the day
    /// (see [`derived_client`]); empty when unknown (older rows, tools).
    /// Counts distinct clients where one client must not count as many.
    pub client: String,
    pub source: Source,
    /// What the customer typed, personal data replaced by placeholders.
    pub query: String,
    /// The same, normalized (NFKC, lowercase, single spaces).
    pub normalized: String,
    pub total: u64,
    pub confidence: f32,
    pub hits: Vec<LoggedHit>,
}

impl SearchRecord {
    /// The record of `response` to the customer's `raw` query, masked.
    pub fn new(masker: &Masker, raw: &str, response: &SearchResponse, who: &Who, source: Source, at_ms: i64) -> SearchRecord {
        SearchRecord {
            id: response.query_id.clone(),
            at_ms,
            session: who.session.clone(),
            client: who.client.clone(),
            source,
            query: mask_query(masker, raw),
            normalized: normalized(masker, raw),
            total: response.total as u64,
            confidence: response.confidence,
            hits: response.hits.iter().take(LOGGED_HITS).map(|h| LoggedHit { id: h.id.clone(), score: h.score }).collect(),
        }
    }
}

/// What the customer typed, masked. Full-width digits (０１０…) are masked
/// after NFKC folds them, so no spelling of a number slips through.
pub fn mask_query(masker: &Masker, raw: &str) -> String {
    let raw = one_line(raw);
    let masked = masker.mask(raw.trim()).into_owned();
    let folded = Normalized::text_of(&masked);
    match masker.mask(&folded) {
        // Only the folded form shows the personal data: keep that, masked.
        std::borrow::Cow::Owned(refolded) => refolded,
        std::borrow::Cow::Borrowed(_) => masked,
    }
}

/// A query as one line: line breaks, tabs and other control characters
/// become spaces. A search box sends one line; anything else is a script
/// writing into reports and drafts that show customers' words.
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().into()
    } else {
        text.into()
    }
}

/// The normalized query (NFKC, lowercase, single spaces), masked.
pub fn normalized(masker: &Masker, raw: &str) -> String {
    let raw = one_line(raw);
    let folded = Normalized::text_of(&raw);
    let mut single = String::with_capacity(folded.len());
    for word in folded.split_whitespace() {
        if !single.is_empty() {
            single.push(' ');
        }
        single.push_str(word);
    }
    match masker.mask(&single) {
        std::borrow::Cow::Owned(masked) => masked,
        std::borrow::Cow::Borrowed(_) => single,
    }
}

/// What a customer did after a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Opened a hit.
    Click,
    /// Voted 예 on 도움이 되었나요?
    Helpful,
    /// Voted 아니오.
    NotHelpful,
    /// Went on to contact support: the help center did not help.
    ContactSupport,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Click => "click",
            EventKind::Helpful => "helpful",
            EventKind::NotHelpful => "not_helpful",
            EventKind::ContactSupport => "contact_support",
        }
    }

    pub(crate) fn from_stored(name: &str) -> Option<EventKind> {
        match name {
            "click" => Some(EventKind::Click),
            "helpful" => Some(EventKind::Helpful),
            "not_helpful" => Some(EventKind::NotHelpful),
            "contact_support" => Some(EventKind::ContactSupport),
            _ => None,
        }
    }
}

/// An event, masked like searches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Its own id (a UUID), so that a record replayed from the spool is
    /// stored once; empty for rows logged before events had ids.
    #[serde(default)]
    pub id: String,
    /// The search it followed; votes on an article reached without a search
    /// have none.
    pub query_id: Option<String>,
    pub at_ms: i64,
    pub session: String,
    pub kind: EventKind,
    pub article_id: Option<String>,
    /// 1-based position of the clicked hit.
    pub rank: Option<u32>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Record {
    Search(SearchRecord),
    Event(EventRecord),
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The anonymous session of a client that sent none: a hash of its address
/// and browser keyed with `key`, a secret of the day (see
/// [`SessionKey`]). Without the key nobody can try the addresses (IPv4 has
/// only 2³² of them) to find whose session an id is; the key is never
/// stored, so once the day is over not even this server can.
pub fn derived_session(client: &str, user_agent: &str, key: &[u8; 32]) -> String {
    let mut hasher = blake3::Hasher::new_keyed(key);
    hasher.update(client.as_bytes());
    hasher.update(&[0]);
    hasher.update(user_agent.as_bytes());
    prefixed("d-", hasher.finalize())
}

/// The client address alone, keyed like [`derived_session`]: what tells
/// distinct clients apart for the day, and nothing else.
pub fn derived_client(client: &str, key: &[u8; 32]) -> String {
    let mut hasher = blake3::Hasher::new_keyed(key);
    hasher.update(b"client\0");
    hasher.update(client.as_bytes());
    prefixed("c-", hasher.finalize())
}

/// `prefix` and the first 24 hex digits of `hash` (96 bits).
fn prefixed(prefix: &str, hash: blake3::Hash) -> String {
    let mut out = String::with_capacity(prefix.len() + 24);
    out.push_str(prefix);
    out.push_str(&hash.to_hex()[..24]);
    out
}

/// The secret that derived sessions are keyed with: random, held in memory
/// only, replaced with a new one at each UTC day, so a session cannot follow
/// a person across days.
#[derive(Debug, Default)]
pub struct SessionKey(std::sync::Mutex<Option<(i64, [u8; 32])>>);

impl SessionKey {
    /// The key of the day `at_ms` falls in (a new one when the day changed).
    pub fn of_day(&self, at_ms: i64) -> [u8; 32] {
        let day = at_ms.div_euclid(86_400_000);
        let mut current = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match *current {
            Some((d, key)) if d == day => key,
            _ => {
                let key = random_key();
                *current = Some((day, key));
                key
            }
        }
    }
}

/// `bytes` random bytes (at most 32, from [`random_key`]) in lowercase hex:
/// the secret a cookie carries.
pub fn random_hex(bytes: usize) -> String {
    random_key()[..bytes.min(32)].iter().map(|b| format!("{b:02x}")).collect()
}

/// 32 bytes from the operating system's random source (two version-4 UUIDs:
/// 244 random bits).
pub fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key
}

/// Whether a client-sent session id is acceptable: 8–64 characters of
/// letters, digits, `-` and `_` (a UUID fits).
pub fn is_valid_session(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_sessions_are_stable_within_a_day_and_differ_across_days_clients_and_keys() {
        let keys = SessionKey::default();
        let day = 1_700_000_000_000;
        let key = keys.of_day(day);
        assert_eq!(key, keys.of_day(day + 1000), "one key a day");
        let a = derived_session("127.0.0.1", "Firefox", &key);
        assert!(a.len() == 26 && a.starts_with("d-") && a[2..].bytes().all(|b| b.is_ascii_hexdigit()), "{a}");
        let c = derived_client("127.0.0.1", &key);
        assert!(c.len() == 26 && c.starts_with("c-") && c[2..].bytes().all(|b| b.is_ascii_hexdigit()), "{c}");
        assert_ne!(c[2..], a[2..], "the client alone hashes to something else");
        assert_eq!(a, derived_session("127.0.0.1", "Firefox", &keys.of_day(day + 1000)));
        assert_ne!(a, derived_session("127.0.0.2", "Firefox", &key));
        assert_ne!(a, derived_session("127.0.0.1", "Firefox", &keys.of_day(day + 86_400_000)), "a new key the next day");
        // Another server, or anyone without the key, derives something else.
        assert_ne!(a, derived_session("127.0.0.1", "Firefox", &SessionKey::default().of_day(day)));
    }

    #[test]
    fn logged_queries_are_masked_then_folded_to_single_spaces() {
        let masker = Masker::default();
        // As the forms were first defined: fold with the byte map, collect
        // the words, join them, mask.
        let by_definition = |raw: &str| {
            let line = one_line(raw);
            let words: Vec<String> = Normalized::new(&line).text.split_whitespace().map(str::to_string).collect();
            masker.mask(&words.join(" ")).into_owned()
        };
        for raw in [
            "  배송   조회\t어떻게 ",
            "ＩＤ 찾기",
            "비밀번호\n변경 010-1234-5678",
            "０１０-１２３４-５６７８ 로 연락주세요",
            "Wi-Fi 설정\u{3000}안돼요",
            "ㅂㅁㅂㅎ",
            "id@example.com 탈퇴",
            "",
        ] {
            assert_eq!(normalized(&masker, raw), by_definition(raw), "{raw:?}");
        }
        assert_eq!(normalized(&masker, " 배송  조회 "), "배송 조회");
        assert_eq!(mask_query(&masker, "０１０-１２３４-５６７８ 로 연락주세요"), mask_query(&masker, "010-1234-5678 로 연락주세요"));
        assert!(!mask_query(&masker, "０１０-１２３４-５６７８").contains('１'), "full-width digits are masked once folded");
    }

    #[test]
    fn stored_hits_are_the_json_serde_writes_and_read_back() {
        let hit = |id: &str, score: f32| LoggedHit { id: id.into(), score };
        let cases = [
            vec![],
            vec![hit("refund#a", 3.5)],
            vec![hit("배송/조회#1", 31.18194), hit("quote\"back\\slash\ttab\u{1}", 0.1), hit("", 1e-7), hit("big", 3.4e38)],
            vec![hit("nan", f32::NAN), hit("inf", f32::INFINITY), hit("neg", -0.0)],
        ];
        for hits in &cases {
            let stored = LoggedHit::as_stored(hits);
            assert_eq!(stored, serde_json::to_string(hits).unwrap(), "{hits:?}");
            let finite: Vec<&LoggedHit> = hits.iter().filter(|h| h.score.is_finite()).collect();
            if finite.len() == hits.len() {
                assert_eq!(&LoggedHit::from_stored(&stored), hits);
            }
        }
    }

    #[test]
    fn session_ids_must_be_short_and_plain() {
        assert!(is_valid_session("0b6c3c1e-5f0e-4c53-9a5e-1f2d3c4b5a69"));
        assert!(!is_valid_session("short"));
        assert!(!is_valid_session("세션아이디입니다아"));
        assert!(!is_valid_session(&"a".repeat(65)));
    }
}
