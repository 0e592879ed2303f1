//! Korean morphological analysis: text → the content terms search matches on.
//!
//! lindera's ko-dic lattice finds morphemes with part-of-speech tags. We drop only
//! what is pure grammar — particles, endings, derivational suffixes, the copula
//! and punctuation — so that 비밀번호를 잊어버렸어요 and 비밀번호 잊어버림 meet on
//! 비밀 · 번호 · 잊어버리. Everything else is kept and left to idf: adverbs (안,
//! 못, 잘못, 아직 change what a question asks), pronouns, bound nouns, light verbs
//! and auxiliaries. Those that only carry grammar in a question are marked
//! [`Role::Function`], so query understanding can tell a filler word by its role.
//!
//! The lattice reads a word differently in and out of context (a noun before a
//! space can become verb + ending). A query is read word by word, so the index
//! holds each word's reading on its own beside its reading in context
//! ([`Analyzer::index_terms`]): a word gets the same terms in both places.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use lindera::dictionary::{DictionaryBuilder, Lattice, load_dictionary};
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;

use super::normalize::Normalized;
use crate::content::UserWord;

/// One analysed term, with its byte range in the *source* text and its position
/// among the terms (particles and endings take no position, so 비밀번호를 변경 and
/// 비밀번호 변경 are the same phrase). Several terms may share a position: a
/// compound and its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub position: usize,
    /// Kept as its own term by the morpheme analysis, not added beside another
    /// (a compound's part or a joined word) — what a phrase is made of.
    pub primary: bool,
    pub role: Role,
}

/// How the dictionary reads a word a customer typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// A word of the language as written: one dictionary word (지원, 결재,
    /// 살아나요, 문이), or several of two syllables or more (휴먼계정). Only
    /// a same-sounding spelling (결재 → 결제) is a fair correction of it.
    pub known: bool,
    /// Made of made-up or loose pieces (배숑 → 배 · 숑, 변갱 → 변 · 갱,
    /// 게좌 = 게 + 좌): a typo even where each piece is a word of its own.
    pub falls_apart: bool,
}

/// What a term does in a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Names what the text is about: nouns, roots, numbers, foreign words,
    /// initials.
    Topic,
    /// Says what happens, how or whether: verb and adjective stems, adverbs
    /// (안, 못, 아직), question words.
    Predicate,
    /// Grammar that is still a word: light verbs (하, 되), auxiliaries (주, 싶),
    /// bound nouns (것, 수), pronouns, determiners, conjunctions, interjections
    /// and the negative copula. Indexed, but a query word made only of these
    /// (해요, 주세요, 뭐) asks nothing by itself.
    Function,
}

/// Sino-Korean prefixes that turn a noun into its opposite or its absence.
/// 비회원 is not a kind of 회원 and 미수신 is not 수신: a term with one of these
/// prefixes is kept whole and never also indexed as its bare noun.
const NEGATING_PREFIXES: [&str; 5] = ["비", "미", "무", "불", "몰"];

/// Light verbs carry tense and politeness, not topic (가입 하다, 취소 되다).
const LIGHT_VERBS: [&str; 2] = ["하", "되"];

/// Words whose reading on their own is remembered while indexing: a help
/// center's text repeats the same few thousand words.
const STANDALONE_CACHE_WORDS: usize = 65_536;

/// Texts whose index terms are kept for the tokenizer after the highlights
/// were worked out: more than the documents a writer has in flight.
const RECENT_TEXTS: usize = 1024;

/// Query words whose analysis is remembered: a question nobody asked before
/// is still made of words customers type every day, and as-you-type sends
/// each word again with every keystroke after it. About 300 bytes each.
const REMEMBERED_WORDS: usize = 16_384;
/// Longer texts are analysed anew: a word is rarely longer.
const REMEMBERED_WORD_BYTES: usize = 64;

/// Question words say what kind of answer is wanted (언제: a time, 얼마: an
/// amount, 어디: a place or menu path), so unlike other pronouns they are kept.
const QUESTION_WORDS: [&str; 4] = ["언제", "어디", "얼마", "몇"];

/// Longest run of nouns joined into one word (회원 정보 수정 → 회원정보수정).
const MAX_JOINED_NOUNS: usize = 3;

/// The Korean analyzer: lindera's ko-dic segmenter, extended with the editors'
/// user dictionary. Shared behind an `Arc`, built once per dictionary version.
pub struct Analyzer {
    segmenter: Segmenter,
    /// User words that may also be written apart: 카카오페이 → 카카오 · 페이.
    user_parts: HashMap<String, Vec<String>>,
    /// Each word's terms read on its own, in the word's normalized offsets.
    standalone: quick_cache::sync::Cache<String, Arc<Vec<Span>>>,
    /// The index terms of texts analysed lately, by hash: an answer is read
    /// once for its highlights and again by tantivy's tokenizer.
    recent: quick_cache::sync::Cache<u64, Arc<(String, Vec<Term>)>>,
    /// Query words and their terms ([`Analyzer::analyze_word`]).
    words: quick_cache::sync::Cache<String, Arc<Vec<Term>>>,
    /// Query words and how ko-dic reads them ([`Analyzer::reading`]).
    readings: quick_cache::sync::Cache<String, Reading>,
}

/// A term in normalized-text offsets, before it is mapped to the source.
#[derive(Debug, Clone)]
struct Span {
    text: String,
    start: usize,
    end: usize,
    position: usize,
    primary: bool,
    role: Role,
}

#[derive(Debug, thiserror::Error)]
#[error("the user dictionary could not be compiled: {0}")]
pub struct AnalyzerError(String);

static DEFAULT: LazyLock<Arc<Analyzer>> = LazyLock::new(|| {
    // The dictionary is compiled into the binary: failing to load it means the
    // build itself is broken, which no caller can recover from.
    Arc::new(Analyzer::new(&[]).expect("the embedded ko-dic dictionary is part of the binary"))
});

/// Loads the dictionary now rather than on the first search.
pub fn warm_up() {
    LazyLock::force(&DEFAULT);
}

/// Analyses `source` with the default analyzer (no user dictionary).
pub fn analyze(source: &str) -> Vec<Term> {
    DEFAULT.analyze(source)
}

/// A morpheme as lindera found it, in normalized-text byte offsets.
struct Morpheme<'a> {
    surface: Cow<'a, str>,
    start: usize,
    end: usize,
    /// The first tag of the token: `VV` for an inflected `VV+EP`.
    tag: &'static str,
    /// `Compound` or `Inflect` tokens carry their parts here: `비/NNG/*+회원/NNG/*`.
    expression: Option<String>,
    /// Not a word a customer means: made up by lindera's unknown-word rules
    /// from the characters (숑), or a person's name, of which ko-dic lists
    /// many that are one jamo from common words (조휘, 금영수).
    unknown: bool,
}

/// A kept term before positions are assigned, in normalized offsets.
struct Piece {
    text: String,
    start: usize,
    end: usize,
    noun: bool,
    role: Role,
    /// Terms at the same position: a compound's parts.
    parts: Vec<(String, usize, usize)>,
}

impl Analyzer {
    /// The analyzer without user words, shared.
    pub fn shared_default() -> Arc<Analyzer> {
        DEFAULT.clone()
    }

    /// Builds an analyzer that keeps each user word whole.
    pub fn new(user_words: &[UserWord]) -> Result<Analyzer, AnalyzerError> {
        let dictionary = load_dictionary("embedded://ko-dic").map_err(|e| AnalyzerError(e.to_string()))?;
        let mut user_parts = HashMap::new();
        let mut csv = String::new();
        for w in user_words {
            let word = Normalized::new(&w.word).text;
            if word.is_empty() || word.contains([',', '"']) {
                continue;
            }
            csv.push_str(&format!("{word},NNP,{word}\n"));
            if !w.parts.is_empty() {
                user_parts.insert(word, w.parts.iter().map(|p| Normalized::new(p).text).collect());
            }
        }
        let user_dictionary = if csv.is_empty() {
            None
        } else {
            let builder = DictionaryBuilder::new((*dictionary.metadata).clone());
            Some(builder.build_user_dict_from_reader(csv.as_bytes()).map_err(|e| AnalyzerError(e.to_string()))?)
        };
        Ok(Analyzer {
            segmenter: Segmenter::new(Mode::Normal, dictionary, user_dictionary),
            user_parts,
            standalone: quick_cache::sync::Cache::new(STANDALONE_CACHE_WORDS),
            recent: quick_cache::sync::Cache::new(RECENT_TEXTS),
            words: quick_cache::sync::Cache::new(REMEMBERED_WORDS),
            readings: quick_cache::sync::Cache::new(REMEMBERED_WORDS),
        })
    }

    /// Analyses `source` into terms with source offsets, ordered by position:
    /// how a query word is read.
    pub fn analyze(&self, source: &str) -> Vec<Term> {
        let normalized = Normalized::new(source);
        let spans = self.spans(&normalized.text);
        to_terms(&normalized, spans)
    }

    /// [`Analyzer::analyze`] of one query word (or a word it may have
    /// meant), remembered: the analysis depends on the word and the
    /// dictionaries only, and this analyzer lives as long as they do.
    pub fn analyze_word(&self, word: &str) -> Arc<Vec<Term>> {
        remember_word(&self.words, word, || Arc::new(self.analyze(word)))
    }

    /// The terms an indexed text is stored under: its reading in context and,
    /// beside it, each word's reading on its own (as a query reads it), so the
    /// terms a customer's word gets are the terms that word was indexed under.
    pub fn index_terms(&self, source: &str) -> Vec<Term> {
        let key = text_key(source);
        if let Some((_, found)) = self.recent.remove(&key)
            && found.0 == source
        {
            return Arc::try_unwrap(found).map_or_else(|shared| shared.1.clone(), |(_, terms)| terms);
        }
        self.read_for_index(source)
    }

    /// [`Analyzer::index_terms`], also kept for the next call on the same text:
    /// an answer's terms are worked out for its highlights, then asked for
    /// again by tantivy's tokenizer.
    pub fn index_terms_kept(&self, source: &str) -> Vec<Term> {
        let terms = self.read_for_index(source);
        self.recent.insert(text_key(source), Arc::new((source.to_string(), terms.clone())));
        terms
    }

    fn read_for_index(&self, source: &str) -> Vec<Term> {
        let normalized = Normalized::new(source);
        let text = &normalized.text;
        let in_context = self.spans(text);
        let mut extra: Vec<Span> = Vec::new();
        // In-context spans come in text order: `first` is the first that does
        // not end before the current word, so each word looks only at its own.
        let mut first = 0;
        for (word_start, word_end) in words(text) {
            while first < in_context.len() && in_context[first].end <= word_start && in_context[first].start < word_start {
                first += 1;
            }
            let last = first + in_context[first..].iter().take_while(|s| s.start < word_end).count();
            let own = || in_context[first..last].iter().filter(|s| s.end > word_start);
            let position = own().map(|s| s.position).min().or_else(|| first.checked_sub(1).map(|p| in_context[p].position)).unwrap_or(0);
            // A word read in context as one term that is the word itself (a
            // bare noun, a number) reads the same alone.
            let mut whole = own().filter(|s| s.primary);
            if let (Some(only), None) = (whole.next(), whole.next())
                && only.start == word_start
                && only.end == word_end
                && only.text == text[word_start..word_end]
            {
                continue;
            }
            let added_before = extra.len();
            for term in self.standalone_reading(&text[word_start..word_end]).iter() {
                let start = word_start + term.start;
                if own().any(|s| s.text == term.text) || extra[added_before..].iter().any(|s| s.text == term.text && s.start == start) {
                    continue;
                }
                extra.push(Span { start, end: word_start + term.end, position, primary: false, ..term.clone() });
            }
        }
        // Both lists are in position order: merge them, positions only ever
        // grow in a token stream.
        let spans = if extra.is_empty() { in_context } else { merge_by_position(in_context, extra) };
        to_terms(&normalized, spans)
    }

    /// How ko-dic reads one word typed by a customer: is it a word of the
    /// language, or does it fall apart into pieces?
    pub fn reading(&self, word: &str) -> Reading {
        remember_word(&self.readings, word, || self.read_word(word))
    }

    fn read_word(&self, word: &str) -> Reading {
        let normalized = Normalized::new(word);
        let morphemes = self.segment(&normalized.text);
        // Numbers and Latin letters (2단계, kt) are read as they are; what
        // carries meaning is the rest, less particles, endings and suffixes.
        let meaningful: Vec<&Morpheme<'_>> = morphemes
            .iter()
            .filter(|m| !is_grammar(m.tag) && !matches!(m.tag, "SN" | "SL" | "SH"))
            .collect();
        let unknown = meaningful.iter().any(|m| m.unknown || m.tag == "UNKNOWN");
        // A dictionary compound counts by its parts: ko-dic lists some
        // misspellings as compounds of single syllables (게좌 = 게 + 좌).
        let mut parts: Vec<(usize, bool)> = Vec::new();
        for m in &meaningful {
            match m.expression.as_deref() {
                Some(expression) => parts.extend(expression.split('+').filter_map(|part| {
                    let mut fields = part.split('/');
                    let (text, tag) = (fields.next()?, fields.next()?);
                    (!is_grammar(tag)).then(|| (text.chars().count(), tag.starts_with('N')))
                })),
                None => parts.push((m.surface.chars().count(), m.tag.starts_with('N'))),
            }
        }
        let loose = parts.iter().filter(|(syllables, _)| *syllables < 2).count();
        let known = !unknown
            && match parts.as_slice() {
                [] => false,
                // 지원, 결재, 살아나요, and a one-syllable noun (문이, 돈); not
                // a lone one-syllable stem (교한, 탈뢰 → 타)
                [(syllables, noun)] => *syllables >= 2 || *noun,
                // 휴먼계정; not 로그 + 잉, 변 + 갱
                _ => loose == 0,
            };
        Reading { known, falls_apart: unknown || loose >= 2 }
    }

    /// The morphemes of `source` as ko-dic segments it, less particles,
    /// endings, suffixes, the copula and punctuation, with nothing else done:
    /// what a plain MeCab-style engine indexes. `doumi eval`'s morpheme
    /// baseline, the bar doumi's own analysis and understanding must clear.
    pub fn plain_morphemes(&self, source: &str) -> Vec<String> {
        let normalized = Normalized::new(source);
        self.segment(&normalized.text)
            .into_iter()
            .filter(|m| !is_grammar(m.tag) && m.surface.chars().any(char::is_alphanumeric))
            .map(|m| m.surface.into_owned())
            .collect()
    }

    /// A word's terms read on its own, remembered.
    fn standalone_reading(&self, word: &str) -> Arc<Vec<Span>> {
        remembered(&self.standalone, word, || Arc::new(self.spans(word)))
    }

    /// The terms of normalized `text`, in its offsets, ordered by position.
    fn spans(&self, text: &str) -> Vec<Span> {
        let pieces = self.pieces(text);
        let mut spans = Vec::with_capacity(pieces.len() * 2);
        for (position, piece) in pieces.iter().enumerate() {
            let role = piece.role;
            spans.push(Span { text: piece.text.clone(), start: piece.start, end: piece.end, position, primary: true, role });
            for (part, start, end) in &piece.parts {
                spans.push(Span { text: part.clone(), start: *start, end: *end, position, primary: false, role });
            }
            // Nouns written together are also one word: 비밀번호 from 비밀 + 번호,
            // so 비밀번호변경 and 비밀번호 변경 share a term and a typed prefix
            // (비밀버) can complete to the whole word.
            let mut joined = piece.text.clone();
            let mut end = piece.end;
            for next in pieces[position + 1..].iter().take(MAX_JOINED_NOUNS - 1) {
                if !(piece.noun && next.noun && next.start == end) {
                    break;
                }
                joined.push_str(&next.text);
                end = next.end;
                spans.push(Span { text: joined.clone(), start: piece.start, end, position, primary: false, role: Role::Topic });
            }
        }
        spans
    }

    fn pieces(&self, text: &str) -> Vec<Piece> {
        let morphemes = self.segment(text);
        let mut pieces = Vec::new();
        let mut i = 0;
        while i < morphemes.len() {
            let m = &morphemes[i];
            // A run of bare jamo (ㅂㅁㅂㅎ, or a half-typed ㅎ) stays one term as
            // typed, unless it is an emoticon (ㅠㅠ, ㅋㅋ).
            if is_jamo(&m.surface) {
                let mut j = i;
                while j + 1 < morphemes.len() && morphemes[j + 1].start == morphemes[j].end && is_jamo(&morphemes[j + 1].surface) {
                    j += 1;
                }
                let run = &text[m.start..morphemes[j].end];
                if !is_emoticon(run) {
                    pieces.push(piece(run, m.start, morphemes[j].end, false, Role::Topic));
                }
                i = j + 1;
                continue;
            }
            // A negating prefix glued to the noun after it: 미 + 수신 → 미수신.
            if (m.tag == "XPN" || NEGATING_PREFIXES.contains(&&*m.surface))
                && let Some(next) = morphemes.get(i + 1)
                && next.start == m.end
                && is_noun(next.tag)
            {
                pieces.push(piece(&format!("{}{}", m.surface, next.surface), m.start, next.end, true, Role::Topic));
                i += 2;
                continue;
            }
            // 두 번 · 세 개: a count is one word, written apart or together. The
            // counter after a numeral is one syllable, which ko-dic does not
            // always tag as a counter (in 두 번 it reads 번 as 벌다).
            if m.tag == "MM"
                && let Some(next) = morphemes.get(i + 1)
                && matches!(next.tag, "NNB" | "NNBC" | "NNG" | "VV")
                && next.surface.chars().count() == 1
                && text[m.end..next.start].chars().all(char::is_whitespace)
                && next.start - m.end <= 1
            {
                pieces.push(piece(&format!("{}{}", m.surface, next.surface), m.start, next.end, false, Role::Topic));
                i += 2;
                continue;
            }
            // 2,000 is one number, not 2 and 000.
            if m.tag == "SN" {
                let mut j = i;
                while j + 2 < morphemes.len()
                    && morphemes[j + 1].surface == ","
                    && morphemes[j + 1].start == morphemes[j].end
                    && morphemes[j + 2].tag == "SN"
                    && morphemes[j + 2].start == morphemes[j + 1].end
                {
                    j += 2;
                }
                pieces.push(piece(&text[m.start..morphemes[j].end].replace(',', ""), m.start, morphemes[j].end, false, Role::Topic));
                i = j + 1;
                continue;
            }
            match m.tag {
                "NNG" | "NNP" | "NR" | "XR" | "SL" | "SH" => {
                    let mut p = piece(&m.surface, m.start, m.end, is_noun(m.tag), Role::Topic);
                    p.parts = match self.user_parts.get(&*m.surface) {
                        Some(parts) => spans(m, parts.iter().map(String::as_str), 1),
                        None => compound_parts(m),
                    };
                    pieces.push(p);
                }
                "VV" | "VA" | "VX" => {
                    let stem = m.expression.as_deref().and_then(|e| e.split('/').next()).unwrap_or(&m.surface);
                    if let Some(short) = short_negation(stem) {
                        // 적용되지 않아요 and 적용 안 돼요 both say "not".
                        pieces.push(piece(short, m.start, m.end, false, Role::Predicate));
                    } else {
                        let role = if m.tag == "VX" || LIGHT_VERBS.contains(&stem) { Role::Function } else { Role::Predicate };
                        pieces.push(piece(stem, m.start, m.end, false, role));
                    }
                }
                // Adverbs say how or whether: 안 와요 is not 와요.
                "MAG" => pieces.push(piece(&m.surface, m.start, m.end, false, Role::Predicate)),
                "NP" | "MM" if QUESTION_WORDS.contains(&&*m.surface) => {
                    pieces.push(piece(&m.surface, m.start, m.end, false, Role::Predicate));
                }
                "NP" | "MM" | "NNB" | "NNBC" | "MAJ" | "IC" | "VCN" => {
                    pieces.push(piece(&m.surface, m.start, m.end, false, Role::Function));
                }
                "UNKNOWN" if m.surface.chars().any(char::is_alphanumeric) => {
                    pieces.push(piece(&m.surface, m.start, m.end, false, Role::Topic));
                }
                // Particles, endings, suffixes, the copula and punctuation.
                _ => {}
            }
            i += 1;
        }
        pieces
    }

    /// Segments the text between punctuation marks one run at a time: a
    /// question is analysed the same with or without its `?`, so 뭔가요 in a
    /// query and 뭔가요? in a heading meet. (lindera reads a sentence as one
    /// lattice, and a following mark can change how the last word's ending
    /// is read.)
    fn segment<'t>(&self, text: &'t str) -> Vec<Morpheme<'t>> {
        thread_local! {
            /// The lattice's buffers grow to the longest text read on this
            /// thread and are reused, not allocated again for every word.
            static LATTICE: std::cell::RefCell<Lattice> = std::cell::RefCell::new(Lattice::default());
        }
        LATTICE.with(|lattice| match lattice.try_borrow_mut() {
            Ok(mut lattice) => self.segment_with(text, &mut lattice),
            Err(_) => self.segment_with(text, &mut Lattice::default()),
        })
    }

    fn segment_with<'t>(&self, text: &'t str, lattice: &mut Lattice) -> Vec<Morpheme<'t>> {
        let mut out = Vec::new();
        for (offset, word) in runs(text) {
            let Ok(tokens) = self.segmenter.segment_with_lattice(Cow::Borrowed(word), lattice) else {
                // Segmentation only fails on an internal lattice error; keep the
                // word whole so the text is still searchable.
                out.push(Morpheme { surface: Cow::Borrowed(word), start: offset, end: offset + word.len(), tag: "UNKNOWN", expression: None, unknown: true });
                continue;
            };
            for mut token in tokens {
                let (start, end) = (offset + token.byte_start, offset + token.byte_end);
                let made_up = token.word_id.is_unknown();
                let details = token.details();
                let tag_field = details.first().copied().unwrap_or("UNKNOWN");
                let tag = tag_name(tag_field.split('+').next().unwrap_or(tag_field));
                let expression = details.get(7).filter(|e| **e != "*").map(|e| e.to_string());
                let unknown = made_up || (tag == "NNP" && details.get(1) == Some(&"인명"));
                out.push(Morpheme { surface: Cow::Borrowed(&text[start..end]), start, end, tag, expression, unknown });
            }
        }
        out
    }
}

/// What `work` makes of `word`, from `cache` if it was made before; a text
/// longer than [`REMEMBERED_WORD_BYTES`] is no word, and is worked on anew.
pub(crate) fn remember_word<V: Clone>(cache: &quick_cache::sync::Cache<String, V>, word: &str, work: impl FnOnce() -> V) -> V {
    if word.len() > REMEMBERED_WORD_BYTES {
        return work();
    }
    remembered(cache, word, work)
}

/// What `cache` holds for `word`, or what `work` makes of it, kept there.
fn remembered<V: Clone>(cache: &quick_cache::sync::Cache<String, V>, word: &str, work: impl FnOnce() -> V) -> V {
    if let Some(found) = cache.get(word) {
        return found;
    }
    let value = work();
    cache.insert(word.to_string(), value.clone());
    value
}

/// The runs of `text` between punctuation marks, with their byte offsets.
/// Punctuation between two letters or digits stays inside (2,000 · e-mail · 1:1).
fn runs(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let is_separator = |i: usize| {
        let c = chars[i].1;
        if c.is_alphanumeric() || c.is_whitespace() {
            return false;
        }
        let joins = |j: Option<&(usize, char)>| j.is_some_and(|(_, c)| c.is_ascii_alphanumeric());
        !(joins(i.checked_sub(1).and_then(|p| chars.get(p))) && joins(chars.get(i + 1)))
    };
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    for i in 0..chars.len() {
        match (is_separator(i), start) {
            (true, Some(s)) => {
                spans.push((chars[s].0, &text[chars[s].0..chars[i].0]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((chars[s].0, &text[chars[s].0..]));
    }
    spans.into_iter()
}

fn piece(text: &str, start: usize, end: usize, noun: bool, role: Role) -> Piece {
    Piece { text: text.to_string(), start, end, noun, role, parts: Vec::new() }
}

fn text_key(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Two lists of spans, each in position order, as one.
fn merge_by_position(a: Vec<Span>, b: Vec<Span>) -> Vec<Span> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.position <= y.position,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        out.extend(if take_a { a.next() } else { b.next() });
    }
}

/// Maps spans from normalized offsets back to the source text.
fn to_terms(normalized: &Normalized, spans: Vec<Span>) -> Vec<Term> {
    spans
        .into_iter()
        .map(|s| {
            let (start, end) = normalized.source_range(s.start, s.end);
            Term { text: s.text, start, end, position: s.position, primary: s.primary, role: s.role }
        })
        .collect()
}

/// The byte ranges of the whitespace-separated words of `text`.
fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    text.split_whitespace().map(move |w| {
        let start = w.as_ptr() as usize - text.as_ptr() as usize;
        (start, start + w.len())
    })
}

/// The long form of negation (-지 않다, -지 못하다) as its short form (안, 못):
/// customers write either, and the help center either, for the same "not".
fn short_negation(stem: &str) -> Option<&'static str> {
    match stem {
        "않" => Some("안"),
        "못하" => Some("못"),
        _ => None,
    }
}

/// Interns a tag as `'static` so morphemes do not borrow the token list.
fn tag_name(tag: &str) -> &'static str {
    const TAGS: [&str; 21] = [
        "NNG", "NNP", "NNB", "NNBC", "NR", "NP", "VV", "VA", "VX", "XR", "XPN", "SL", "SH", "SN", "MAG", "MAJ", "MM",
        "IC", "VCP", "VCN", "UNKNOWN",
    ];
    TAGS.iter().find(|t| **t == tag).copied().unwrap_or("OTHER")
}

/// Particles (J…), endings (E…), suffixes (XS…), the copula and symbols,
/// as ko-dic tags them or as `tag_name` interns them (`OTHER`).
fn is_grammar(tag: &str) -> bool {
    tag == "OTHER"
        || tag.starts_with('J')
        || tag.starts_with('E')
        || tag.starts_with("XS")
        || tag == "VCP"
        || (tag.starts_with('S') && !matches!(tag, "SL" | "SH" | "SN"))
}

fn is_noun(tag: &str) -> bool {
    matches!(tag, "NNG" | "NNP" | "XR")
}

/// Hangul compatibility jamo (ㄱ–ㅣ), which customers type as initials or mid-syllable.
fn is_jamo(text: &str) -> bool {
    !text.is_empty() && text.chars().all(super::jamo::is_jamo)
}

/// ㅠㅠ, ㅜ, ㅋㅋ, ㅎㅎㅎ: feelings, not initials. Vowels alone never start a
/// word, and one consonant repeated is laughter, not a word's initials.
fn is_emoticon(run: &str) -> bool {
    let vowel = |c: char| ('\u{314F}'..='\u{3163}').contains(&c);
    let mut chars = run.chars();
    let first = chars.next();
    run.chars().all(vowel) || (run.chars().count() >= 2 && first.is_some_and(|f| run.chars().all(|c| c == f)))
}

/// The parts of a dictionary compound (현금영수증 → 현금 · 영수증), so that a
/// customer who writes only a part still finds it. Single-syllable parts are too
/// ambiguous to stand alone (적립금 → 금), and a compound led by a negating prefix
/// (비회원) must not be found by its bare noun.
fn compound_parts(m: &Morpheme<'_>) -> Vec<(String, usize, usize)> {
    let Some(expression) = m.expression.as_deref() else { return Vec::new() };
    let parts: Vec<&str> = expression.split('+').filter_map(|p| p.split('/').next()).collect();
    if parts.len() < 2 || NEGATING_PREFIXES.contains(&parts[0]) {
        return Vec::new();
    }
    spans(m, parts.into_iter(), 2)
}

/// Locates each part in the morpheme's surface, keeping parts of at least
/// `min_chars` characters.
fn spans<'p>(m: &Morpheme<'_>, parts: impl Iterator<Item = &'p str>, min_chars: usize) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut cursor = m.start;
    for part in parts {
        let (start, end) = if m.surface[cursor - m.start..].starts_with(part) {
            (cursor, cursor + part.len())
        } else {
            (m.start, m.end)
        };
        cursor = end.min(m.end);
        if part.chars().count() >= min_chars {
            out.push((part.to_string(), start, end));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The terms morpheme analysis keeps, without compound parts or joined words.
    fn texts(source: &str) -> Vec<String> {
        analyze(source).into_iter().filter(|t| t.primary).map(|t| t.text).collect()
    }

    #[test]
    fn particles_and_endings_are_dropped_and_stems_kept() {
        assert_eq!(texts("비밀번호를 잊어버렸어요"), ["비밀", "번호", "잊어버리"]);
        assert_eq!(texts("불량 상품을 받았어요"), ["불량", "상품", "받"]);
    }

    #[test]
    fn negating_prefix_stays_attached() {
        assert_eq!(texts("비회원 주문 조회"), ["비회원", "주문", "조회"]);
        assert_eq!(texts("인증번호 미수신"), ["인증", "번호", "미수신"]);
        assert!(!texts("비회원").contains(&"회원".to_string()));
    }

    #[test]
    fn compounds_are_indexed_whole_and_by_parts_at_one_position() {
        let terms = analyze("현금영수증 발급");
        let got: Vec<(&str, usize)> = terms.iter().map(|t| (t.text.as_str(), t.position)).collect();
        assert_eq!(got, [("현금영수증", 0), ("현금", 0), ("영수증", 0), ("발급", 1)]);
    }

    #[test]
    fn nouns_written_together_are_also_one_word() {
        let all = |s: &str| analyze(s).into_iter().map(|t| (t.text, t.position)).collect::<Vec<_>>();
        assert_eq!(all("비밀번호를 변경"), [("비밀".into(), 0), ("비밀번호".into(), 0), ("번호".into(), 1), ("변경".into(), 2)]);
        // Spaced words stay apart: the joined word only comes from text written together.
        assert!(!all("비밀 번호").iter().any(|(t, _)| t == "비밀번호"));
        let joined = analyze("회원가입").into_iter().find(|t| t.text == "회원가입").unwrap();
        assert_eq!((joined.start, joined.end, joined.primary), (0, 12, false));
    }

    #[test]
    fn user_words_stay_whole_and_split_as_the_editor_says() {
        let words = [UserWord { word: "도우미페이".into(), parts: vec!["도우미".into(), "페이".into()], line: 1 }];
        let analyzer = Analyzer::new(&words).unwrap();
        let terms: Vec<(String, bool)> = analyzer.analyze("도우미페이로 결제").into_iter().map(|t| (t.text, t.primary)).collect();
        assert_eq!(terms[0], ("도우미페이".to_string(), true));
        assert!(terms.contains(&("도우미".to_string(), false)) && terms.contains(&("페이".to_string(), false)));
        assert!(terms.contains(&("결제".to_string(), true)));
    }

    #[test]
    fn offsets_point_into_the_source_text() {
        let source = "ＩＤ를 잊어버렸어요";
        for term in analyze(source) {
            assert!(source.is_char_boundary(term.start) && source.is_char_boundary(term.end));
        }
        let first = &analyze(source)[0];
        assert_eq!((first.text.as_str(), &source[first.start..first.end]), ("id", "ＩＤ"));
    }

    #[test]
    fn latin_is_lowercased_numbers_joined_and_symbols_dropped() {
        assert_eq!(texts("KakaoPay 2,000원 😀!!"), ["kakaopay", "2000", "원"]);
        assert!(texts("?!… 😀🙏").is_empty());
    }

    #[test]
    fn initial_consonants_stay_one_term() {
        assert_eq!(texts("ㅂㅁㅂㅎ"), ["ㅂㅁㅂㅎ"]);
        assert_eq!(texts("배송조ㅎ").last().map(String::as_str), Some("ㅎ"));
    }

    #[test]
    fn counts_are_one_word_written_apart_or_together() {
        assert_eq!(texts("결제가 두 번 됐어요"), texts("결제가 두번 됐어요"));
        assert!(texts("두 번 왔어요").contains(&"두번".to_string()));
    }

    #[test]
    fn emoticons_are_not_initials() {
        assert_eq!(texts("택배 안 와요ㅠㅠ ㅋㅋㅋ ㅜ"), ["택배", "안", "오"]);
    }

    #[test]
    fn only_particles_endings_suffixes_and_the_copula_are_dropped() {
        // Adverbs, negation included, change what a question asks.
        for (text, kept) in [("택배가 아직 안 왔어요", "아직"), ("택배가 아직 안 왔어요", "안"), ("결제를 못 했어요", "못"), ("잘못 주문했어요", "잘못")] {
            assert!(texts(text).contains(&kept.to_string()), "{text}: {kept} in {:?}", texts(text));
        }
        // Pronouns, bound nouns, light verbs and auxiliaries reach the index,
        // marked as grammar so a query word made only of them is a filler.
        let roles: Vec<(String, Role)> = analyze("이거 취소한 것 같은데 해 봤어요").into_iter().map(|t| (t.text, t.role)).collect();
        for function in ["이거", "것", "하"] {
            assert!(roles.iter().any(|(t, r)| t == function && *r == Role::Function), "{function} in {roles:?}");
        }
        assert!(roles.iter().any(|(t, r)| t == "취소" && *r == Role::Topic), "{roles:?}");
        // Particles, endings and the copula never do.
        assert_eq!(texts("배송이에요"), ["배송"]);
    }

    #[test]
    fn a_word_is_indexed_as_read_alone_beside_as_read_in_context() {
        let analyzer = Analyzer::shared_default();
        let text = "문자가 안 와요 그리고 배송 지연";
        let indexed: Vec<String> = analyzer.index_terms(text).into_iter().map(|t| t.text).collect();
        for word in text.split_whitespace() {
            for term in analyzer.analyze(word) {
                assert!(indexed.contains(&term.text), "{word} → {} not indexed: {indexed:?}", term.text);
            }
        }
        // Positions never go back, so phrases still work.
        let positions: Vec<usize> = analyzer.index_terms(text).iter().map(|t| t.position).collect();
        assert!(positions.windows(2).all(|w| w[0] <= w[1]), "{positions:?}");
    }

    #[test]
    fn the_dictionary_tells_a_word_from_a_typo() {
        let analyzer = Analyzer::shared_default();
        for word in ["지원", "결재", "살아나요", "문이", "휴먼계정"] {
            assert!(analyzer.reading(word).known, "{word} is a word");
        }
        // A compound with one short part is not known as written, but it
        // does not fall apart either: a help center that uses it keeps it.
        for word in ["배숑", "환뷸", "변갱", "게좌", "현금영수즘"] {
            assert!(!analyzer.reading(word).known, "{word} is a typo");
        }
        assert!(analyzer.reading("변갱").falls_apart && !analyzer.reading("예정일").falls_apart);
    }

    #[test]
    fn a_word_is_read_the_same_with_or_without_punctuation_after_it() {
        assert_eq!(texts("휴면계정이 뭔가요"), texts("휴면계정이 뭔가요?"));
        assert_eq!(texts("쿠폰이 적용되지 않아요"), texts("쿠폰이 적용되지 않아요."));
    }

    #[test]
    fn long_and_short_negation_meet() {
        assert!(texts("쿠폰이 적용되지 않아요").contains(&"안".to_string()));
        assert!(texts("쿠폰 적용이 안 돼요").contains(&"안".to_string()));
        assert!(texts("로그인하지 못했어요").contains(&"못".to_string()));
    }

    #[test]
    fn light_verbs_are_kept_as_grammar() {
        let roles = |s: &str| analyze(s).into_iter().filter(|t| t.primary).map(|t| (t.text, t.role)).collect::<Vec<_>>();
        assert_eq!(
            roles("회원가입 하는 법"),
            [("회원".into(), Role::Topic), ("가입".into(), Role::Topic), ("하".into(), Role::Function), ("법".into(), Role::Topic)]
        );
        assert_eq!(roles("취소 되나요"), [("취소".into(), Role::Topic), ("되".into(), Role::Function)]);
    }
}
