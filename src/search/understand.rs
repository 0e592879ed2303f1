//! Query understanding: what the customer typed → what to look for.
//!
//! The query is read word by word (a word is what the customer separated with
//! spaces). Each word gets its exact terms and, beside them, alternatives that
//! are worth less: synonyms, the words its initials stand for (ㅂㅁㅂㅎ), typo
//! corrections (배숑 → 배송), and completions of the word still being typed
//! (비밀버 → 비밀번호). A word typed with the keyboard in English mode
//! (qothd) is read as the Hangul it was meant to be.

use std::sync::Arc;

use crate::korean::jamo::{from_dubeolsik, has_same_sounding_vowel, homophones, is_hangul_syllable, is_initials_query, is_jamo};
use crate::korean::{Analyzer, Role, Term, remember_word};

use super::synonyms::Synonyms;
use super::vocabulary::{Candidate, Vocabulary};

/// Where an alternative came from; each is worth less than an exact match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Exact,
    /// Two words the customer spaced apart that the help center writes as one
    /// (배송 지 → 배송지).
    Spacing,
    Synonym,
    Initials,
    Typo,
    Completion,
}

impl Origin {
    pub fn weight(self) -> f32 {
        match self {
            Origin::Exact => 1.0,
            Origin::Spacing => 0.9,
            Origin::Synonym => 0.8,
            Origin::Initials => 0.7,
            Origin::Typo => 0.6,
            Origin::Completion => 0.55,
        }
    }
}

/// One way to match a query word: its terms, any of which may match.
#[derive(Debug, Clone)]
pub struct Alternative {
    pub origin: Origin,
    /// The word or phrase these terms came from (비밀번호 for ㅂㅁㅂㅎ).
    pub text: String,
    pub terms: Vec<String>,
    /// The next word of the query, which this alternative answers too: a
    /// spacing join (배송 지 → 배송지) is scored once, on the first word, and
    /// counts as covering both.
    pub also_covers: Option<usize>,
}

impl Alternative {
    fn new(origin: Origin, text: String, terms: Vec<String>) -> Alternative {
        Alternative { origin, text, terms, also_covers: None }
    }
}

/// A word of the query with every way it may match.
#[derive(Debug, Clone)]
pub struct Slot {
    /// The word as typed (after a keyboard-layout fix).
    pub text: String,
    pub alternatives: Vec<Alternative>,
    /// How much the word says about what is wanted (idf of its best term).
    pub importance: f32,
}

#[derive(Debug, Clone)]
pub struct QueryPlan {
    pub slots: Vec<Slot>,
    /// The exact terms known to the index, in order, for phrase boosts.
    pub phrase: Vec<String>,
    /// The query with typos and keyboard layout corrected, if anything was.
    /// A typo correction is only shown when the hits matched through it
    /// (one of the first hits, see `Coverage::through_typo`); a keyboard-layout fix always is.
    pub suggestion: Option<String>,
    /// Whether the suggestion fixes the keyboard layout (qothd → 배송), which
    /// needs no evidence from the hits: the typed text was not Korean at all.
    pub layout_fixed: bool,
}

impl std::fmt::Display for QueryPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for slot in &self.slots {
            writeln!(f, "{} (importance {:.2})", slot.text, slot.importance)?;
            for a in &slot.alternatives {
                writeln!(f, "  {:<10} ×{:.2}  {}  → {}", format!("{:?}", a.origin), a.origin.weight(), a.text, a.terms.join(" · "))?;
            }
        }
        if self.phrase.len() >= 2 {
            writeln!(f, "phrase: {}", self.phrase.join(" "))?;
        }
        if let Some(s) = &self.suggestion {
            writeln!(f, "suggestion: {s}")?;
        }
        Ok(())
    }
}

/// A query word that asks nothing by itself (해요, 주세요, 됐어요, 뭐): every
/// term it has is grammar, by the role the analysis gave it. A noun with the
/// same spelling (the 해 of 해외) is content and stays.
fn is_filler(terms: &[Term]) -> bool {
    !terms.is_empty() && terms.iter().all(|t| t.role == Role::Function)
}

/// Whether a word is a bare noun, or nouns, with nothing grammatical attached:
/// 배송, 지, 비밀번호 — not 배송을, 바꿔요 or 내일도.
fn is_bare_noun(word: &str, terms: &[Term]) -> bool {
    let primary: String = terms.iter().filter(|t| t.primary).map(|t| t.text.as_str()).collect();
    !primary.is_empty() && primary == word.to_lowercase() && terms.iter().all(|t| t.role == Role::Topic)
}

/// How many alternatives of each kind a word may get.
const MAX_INITIALS: usize = 4;
const MAX_CORRECTIONS: usize = 2;
const MAX_COMPLETIONS: usize = 4;

/// What one word of a query becomes, whatever the words around it: its slot
/// (exact terms, initials, corrections, completions), the word as corrected,
/// and its analysis. Only whether it is the last word, which may still be
/// being typed, changes it; synonyms and spacing joins, which look across
/// words, come after.
#[derive(Debug)]
struct WordPlan {
    slot: Slot,
    /// The word as the suggestion spells it.
    correction: String,
    /// Whether `correction` corrects a typo or the keyboard layout.
    corrected: bool,
    /// Whether the word was typed with the keyboard in English mode.
    layout: bool,
    reading: Arc<Vec<Term>>,
    /// Whether it is a bare noun (see [`is_bare_noun`]), for spacing joins.
    bare_noun: bool,
    /// Its exact primary terms, for synonyms and phrases.
    primaries: Vec<String>,
}

/// Words remembered, for each of the two places (the last word or another).
const REMEMBERED_WORDS: usize = 8_192;

/// The words of earlier queries as this generation of the index read them.
/// Customers' questions differ, their words much less: in the distinct mix
/// of `benches/distinct_queries.py`, two words in three were in an earlier
/// query. A word's reading depends on the vocabulary, so an engine keeps
/// its own, and a new generation starts empty.
pub struct RememberedWords {
    last: quick_cache::sync::Cache<String, Arc<WordPlan>>,
    other: quick_cache::sync::Cache<String, Arc<WordPlan>>,
}

impl Default for RememberedWords {
    fn default() -> RememberedWords {
        RememberedWords { last: quick_cache::sync::Cache::new(REMEMBERED_WORDS), other: quick_cache::sync::Cache::new(REMEMBERED_WORDS) }
    }
}

impl RememberedWords {
    fn read(&self, typed: &str, last: bool, read: impl FnOnce() -> WordPlan) -> Arc<WordPlan> {
        remember_word(if last { &self.last } else { &self.other }, typed, || Arc::new(read()))
    }
}

/// The distinct terms `text` is analysed into, in order.
fn terms_of(analyzer: &Analyzer, text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for t in analyzer.analyze_word(text).iter() {
        if !terms.contains(&t.text) {
            terms.push(t.text.clone());
        }
    }
    terms
}

/// Reads `text` into a plan. `spaced_phrase_occurs` tells whether the help
/// center itself writes the given terms one after another, apart: then two
/// words the customer spaced are spaced rightly and are not joined. Words
/// are read through `remembered`, when given.
pub fn understand(
    text: &str,
    analyzer: &Analyzer,
    vocabulary: &Vocabulary,
    synonyms: &Synonyms,
    spaced_phrase_occurs: &dyn Fn(&[String]) -> bool,
    remembered: Option<&RememberedWords>,
) -> QueryPlan {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut slots = Vec::with_capacity(words.len());
    let mut corrected: Vec<String> = Vec::with_capacity(words.len());
    let mut any_correction = false;
    let mut layout_fixed = false;
    // Each word's analysis, for the spacing join below.
    let mut readings: Vec<Arc<Vec<Term>>> = Vec::with_capacity(words.len());
    let mut bare_nouns: Vec<bool> = Vec::with_capacity(words.len());
    // (slot index, term) for every exact primary term, for synonyms and phrases.
    let mut primaries: Vec<(usize, String)> = Vec::new();
    for (i, &typed) in words.iter().enumerate() {
        let last = i + 1 == words.len();
        let read = || read_word(typed, last, analyzer, vocabulary, synonyms);
        let word = match remembered {
            Some(remembered) => remembered.read(typed, last, read),
            None => Arc::new(read()),
        };
        any_correction |= word.corrected;
        layout_fixed |= word.layout;
        primaries.extend(word.primaries.iter().map(|t| (i, t.clone())));
        slots.push(word.slot.clone());
        corrected.push(word.correction.clone());
        readings.push(word.reading.clone());
        bare_nouns.push(word.bare_noun);
    }
    let terms_of = |s: &str| terms_of(analyzer, s);

    let terms: Vec<String> = primaries.iter().map(|(_, t)| t.clone()).collect();
    for found in synonyms.find(&terms) {
        let covered: Vec<usize> = primaries[found.start..found.end].iter().map(|(s, _)| *s).collect();
        let alt_terms = terms_of(&found.phrase);
        for &s in covered.iter().collect::<std::collections::BTreeSet<_>>() {
            let slot = &mut slots[s];
            if !slot.alternatives.iter().any(|a| a.terms == alt_terms) {
                slot.alternatives.push(Alternative::new(Origin::Synonym, found.phrase.clone(), alt_terms.clone()));
            }
        }
    }

    // 배송 지 → 배송지: two bare nouns split by a stray space, joined again when
    // the joined word is one the help center uses and neither word already
    // matches it, and the help center does not itself write them apart.
    let mut i = 1;
    while i < slots.len() {
        let (left, right) = (&slots[i - 1], &slots[i]);
        let joinable = !left.alternatives.is_empty()
            && !right.alternatives.is_empty()
            && bare_nouns[i - 1]
            && bare_nouns[i]
            && left.alternatives.iter().all(|a| a.also_covers.is_none());
        if joinable {
            let joined = format!("{}{}", left.text, right.text);
            let terms = terms_of(&joined);
            let lowered = joined.to_lowercase();
            let new_word = vocabulary.df(&lowered) > 0
                && ![left, right].iter().any(|s| s.alternatives.iter().any(|a| a.terms.contains(&lowered)));
            let spaced: Vec<String> = readings[i - 1].iter().chain(readings[i].iter()).filter(|t| t.primary).map(|t| t.text.clone()).collect();
            let spaced_known = spaced.iter().all(|t| vocabulary.df(t) > 0);
            if new_word && !(spaced_known && spaced_phrase_occurs(&spaced)) {
                slots[i - 1].alternatives.push(Alternative { also_covers: Some(i), ..Alternative::new(Origin::Spacing, joined, terms) });
                i += 1;
            }
        }
        i += 1;
    }
    for (slot, reading) in slots.iter_mut().zip(&readings) {
        slot.importance = importance(slot, reading, vocabulary);
    }
    let phrase = terms.into_iter().filter(|t| vocabulary.df(t) > 0).collect();
    let suggestion = any_correction.then(|| corrected.join(" ")).filter(|s| s.as_str() != text.trim());
    QueryPlan { slots, phrase, suggestion, layout_fixed }
}

/// Reads one word of a query, `last` if it ends the query (see [`WordPlan`]).
fn read_word(typed: &str, last: bool, analyzer: &Analyzer, vocabulary: &Vocabulary, synonyms: &Synonyms) -> WordPlan {
    let mut word = typed.to_string();
    let mut analysed = analyzer.analyze_word(&word);
    let mut layout = false;
    let mut corrected = false;
    // English-mode typing: a Latin word the help center never uses and that
    // is no known loanword, whose 두벌식 reading is whole syllables the help
    // center does use (qothd → 배송, but email stays email).
    if word.chars().all(|c| c.is_ascii_alphabetic())
        && !analysed.iter().any(|t| vocabulary.df(&t.text) > 0)
        && synonyms.find(&[word.to_lowercase()]).is_empty()
        && let Some(hangul) = from_dubeolsik(&word)
        && reads_as_hangul(&hangul, last)
    {
        let hangul_terms = analyzer.analyze_word(&hangul);
        let all_known = !hangul_terms.is_empty() && hangul_terms.iter().filter(|t| t.primary).all(|t| vocabulary.df(&t.text) > 0);
        if all_known || (last && !vocabulary.completions(&hangul, 1).is_empty()) {
            word = hangul;
            analysed = hangul_terms;
            corrected = true;
            layout = true;
        }
    }
    // A word that asks nothing by itself matches nothing and weighs nothing,
    // unless it is the last word and may still grow into one (해 → 해외).
    if is_filler(&analysed) && !(last && word.chars().count() < 2 && !vocabulary.completions(&word, 1).is_empty()) {
        let slot = Slot { text: word.clone(), alternatives: Vec::new(), importance: 0.0 };
        let bare_noun = is_bare_noun(&word, &analysed);
        return WordPlan { slot, correction: word, corrected, layout, reading: analysed, bare_noun, primaries: Vec::new() };
    }
    let mut exact: Vec<String> = Vec::new();
    let mut primaries: Vec<String> = Vec::new();
    for t in analysed.iter() {
        if !exact.contains(&t.text) {
            exact.push(t.text.clone());
        }
        if t.primary {
            primaries.push(t.text.clone());
        }
    }
    let mut slot = Slot { text: word.clone(), alternatives: Vec::new(), importance: 0.0 };
    let mut correction = word.clone();
    let all_known = analysed.iter().filter(|t| t.primary).all(|t| vocabulary.df(&t.text) > 0);
    if !exact.is_empty() {
        slot.alternatives.push(Alternative::new(Origin::Exact, word.clone(), exact.clone()));
    }
    let terms_of = |s: &str| terms_of(analyzer, s);
    let add = |origin: Origin, candidates: Vec<Candidate>, slot: &mut Slot| {
        for c in candidates {
            let terms = terms_of(&c.word);
            if terms.is_empty() || slot.alternatives.iter().any(|a| a.terms == terms) {
                continue;
            }
            slot.alternatives.push(Alternative::new(origin, c.word, terms));
        }
    };
    // The last word may be unfinished. If the help center has words it is
    // the beginning of (비밀버 → 비밀번호, 회원강 → 회원가입), it is being
    // typed, not mistyped. A last word of only particles or endings (돼요)
    // is finished; a known word of one syllable (법, 돈) is too short to guess.
    let typing = last && !exact.is_empty() && !(all_known && word.chars().count() < 2);
    let growing = if typing { vocabulary.completions(&word, MAX_COMPLETIONS) } else { Vec::new() };
    let mut corrected_typo = false;
    if is_initials_query(&word) && word.chars().count() >= 2 {
        let whole = vocabulary.by_initials(&word, MAX_INITIALS);
        if whole.is_empty() {
            // ㅎㅇㅌㅌ: initials of words the help center writes apart (회원 탈퇴).
            for part in split_initials(&word, vocabulary) {
                add(Origin::Initials, vocabulary.by_initials(&part, MAX_INITIALS), &mut slot);
            }
        } else {
            add(Origin::Initials, whole, &mut slot);
        }
    } else if growing.is_empty()
        && !layout
        && !word.chars().last().is_some_and(is_jamo)
        && word.chars().filter(|c| is_hangul_syllable(*c)).count() >= 2
        && let reading = analyzer.reading(&word)
        && let slips = vocabulary.slips(&word, MAX_CORRECTIONS)
        && (if all_known { reading.falls_apart } else { !reading.known || has_same_sounding_vowel(&word) } || !slips.is_empty())
    {
        // A word the dictionary knows (지원, 결재) is what the customer
        // meant, even if the help center never uses it: only a spelling
        // that sounds the same (결재 → 결제) is worth correcting it to.
        // A word the index knows only as loose pieces (변갱 → 변 · 갱) is
        // still a typo.
        let candidates: Vec<Candidate> = vocabulary
            .corrections(&word, MAX_CORRECTIONS)
            .into_iter()
            .filter(|c| !reading.known || sounds_the_same(&word, &c.word, c.covers_chars))
            // A "correction" to a term the word already has (빠른 → 빠르)
            // finds nothing new.
            .filter(|c| !terms_of(&c.word).iter().all(|t| exact.contains(t)))
            .collect();
        // A syllable typed twice or left out is a slip whatever the
        // dictionary makes of the pieces, and likelier than a jamo typo
        // that explains no more of the word.
        let slip_covers = slips.first().map(|c| c.covers_chars);
        let candidates = if slip_covers >= candidates.first().map(|c| c.covers_chars) { slips } else { candidates };
        if let Some(best) = candidates.first() {
            correction = format!("{}{}", best.word, word.chars().skip(best.covers_chars).collect::<String>());
            corrected = true;
            corrected_typo = true;
        }
        add(Origin::Typo, candidates, &mut slot);
    }
    if typing && !corrected_typo {
        let unfinished = !all_known || word.chars().last().is_some_and(is_jamo);
        let found = if growing.is_empty() { tail_completions(&word, vocabulary, unfinished) } else { growing };
        add(Origin::Completion, found, &mut slot);
    }
    let bare_noun = is_bare_noun(&slot.text, &analysed);
    WordPlan { slot, correction, corrected, layout, reading: analysed, bare_noun, primaries }
}

/// Whether a correction only changes vowels that sound the same in today's
/// Korean (ㅐ/ㅔ, ㅒ/ㅖ, ㅙ/ㅞ/ㅚ): 결재 → 결제 is the same word heard, 지원
/// → 지연 is another word.
fn sounds_the_same(typed: &str, candidate: &str, covers_chars: usize) -> bool {
    let typed: Vec<char> = typed.chars().take(covers_chars).collect();
    let candidate: Vec<char> = candidate.chars().collect();
    typed.len() == candidate.len()
        && typed.iter().zip(&candidate).all(|(a, b)| a == b || homophones(*a, *b))
}

/// When the word being typed completes to nothing as a whole, its end may be a
/// new word begun without a space (배송조ㅎ → 조회).
fn tail_completions(word: &str, vocabulary: &Vocabulary, unfinished: bool) -> Vec<Candidate> {
    if !unfinished {
        return Vec::new();
    }
    // The head must be a whole word the help center uses, of two syllables or
    // more: 배송 + 조ㅎ, not 변 + 갱.
    for (start, _) in word.char_indices().skip(2) {
        let (head, tail) = word.split_at(start);
        if vocabulary.df(head) > 0 {
            let found = vocabulary.completions(tail, MAX_COMPLETIONS);
            if !found.is_empty() {
                return found;
            }
        }
    }
    Vec::new()
}

/// Splits initials into the fewest runs (of two or more) that are each the
/// initials of a key word: ㅎㅇㅌㅌ → ㅎㅇ · ㅌㅌ. Empty if there is no such split.
fn split_initials(initials: &str, vocabulary: &Vocabulary) -> Vec<String> {
    let chars: Vec<char> = initials.chars().collect();
    let n = chars.len();
    // best[i]: fewest runs covering chars[..i], and where the last run starts.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 2..=n {
        for start in 0..=end - 2 {
            let Some((runs, _)) = best[start] else { continue };
            let run: String = chars[start..end].iter().collect();
            if !vocabulary.by_initials(&run, 1).is_empty() && best[end].is_none_or(|(r, _)| runs + 1 < r) {
                best[end] = Some((runs + 1, start));
            }
        }
    }
    let mut runs = Vec::new();
    let mut end = n;
    while end > 0 {
        let Some((_, start)) = best[end] else { return Vec::new() };
        runs.push(chars[start..end].iter().collect());
        end = start;
    }
    runs.reverse();
    runs
}

/// Whether a 두벌식 reading is Hangul a person would have typed: whole
/// syllables, except that the last word may end mid-syllable.
fn reads_as_hangul(hangul: &str, last: bool) -> bool {
    let chars: Vec<char> = hangul.chars().collect();
    let complete = |c: &char| is_hangul_syllable(*c) || c.is_whitespace();
    match chars.split_last() {
        Some((end, rest)) => rest.iter().all(complete) && (complete(end) || (last && is_jamo(*end))),
        None => false,
    }
}

/// The idf of the word's most telling term the index knows. A word the index
/// does not know and nothing could correct is as telling as a word can be when
/// it names a topic (채용, 중고: the help center has nothing about it); a
/// leftover verb, adverb or syllable that matches nothing says nothing.
fn importance(slot: &Slot, reading: &[Term], vocabulary: &Vocabulary) -> f32 {
    let best = |origin_filter: &dyn Fn(Origin) -> bool| {
        slot.alternatives
            .iter()
            .filter(|a| origin_filter(a.origin))
            .flat_map(|a| &a.terms)
            .filter(|t| vocabulary.df(t) > 0)
            .map(|t| vocabulary.idf(t))
            .fold(None, |m: Option<f32>, x| Some(m.map_or(x, |m| m.max(x))))
    };
    if let Some(idf) = best(&|o| o == Origin::Exact) {
        return idf;
    }
    if let Some(idf) = best(&|_| true) {
        return idf;
    }
    let names_a_topic = reading.iter().any(|t| t.role == Role::Topic && t.text.chars().count() >= 2);
    if names_a_topic { vocabulary.unseen_idf() } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every dev and holdout query, and every state of it while typed (each
    /// prefix, so a word is met both last and followed by more), planned
    /// from scratch and then twice through an engine's remembered words:
    /// the plans are the same, field for field.
    #[test]
    fn a_remembered_word_is_read_as_it_was_the_first_time() {
        let mut compared = 0;
        for (engine, queries, _, _dir) in crate::eval::labelled_help_centers() {
            let occurs = |terms: &[String]| super::super::query::phrase_occurs(&engine.searcher, &engine.index.fields, terms);
            for labelled in &queries {
                let chars: Vec<(usize, char)> = labelled.query.char_indices().collect();
                for (end, _) in chars.iter().skip(1).chain(std::iter::once(&(labelled.query.len(), ' '))) {
                    let typed = &labelled.query[..*end];
                    if typed.trim().is_empty() {
                        continue;
                    }
                    let fresh = understand(typed, &engine.index.analyzer, &engine.vocabulary, &engine.synonyms, &occurs, None);
                    for pass in ["first", "remembered"] {
                        assert_eq!(format!("{:?}", engine.plan(typed)), format!("{fresh:?}"), "{typed}, {pass}");
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 3000, "{compared} query states compared");
    }
}
