//! Gap clustering: unanswered searches that mean the same are grouped, and
//! each group becomes one gap with its evidence and what to do about it.
//!
//! Two phrasings join one gap when any of these holds:
//! - they are the same once spaces are removed (회원 가입 / 회원가입);
//! - one is a state of typing the other (회원가, 회원가ㅇ → 회원가입): their
//!   두벌식 keystrokes are a prefix of one another;
//! - their keystrokes are within a jamo edit or two (배숑비 / 배송비), for
//!   phrasings long enough that such a distance is a typo, not another word;
//! - their words overlap (Jaccard ≥ ½) once read the way search reads them:
//!   morphemes, the editors' synonyms, typo corrections against the index;
//! - they mean the same: their embeddings are at least
//!   [`SAME_QUESTION`](crate::semantic::SAME_QUESTION) apart in cosine, when
//!   search ranks by meaning (계정 없애고 싶어요 / 회원 탈퇴하려면).
//!
//! Groups are the connected components of that relation.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::outcome::{Outcome, compact};
use crate::korean::jamo::keystrokes;
use crate::search::{CONFIDENT, Engine, Origin, SearchRequest};

/// Distinct phrasings clustered at most (the most frequent): pairwise
/// comparison is quadratic.
const MAX_PHRASES: usize = 3000;
/// Example phrasings kept per gap.
const EXAMPLES: usize = 5;
/// Word overlap that makes two phrasings one question.
const MIN_OVERLAP: f64 = 0.5;
/// Distinct phrasings compared by meaning at most (the most frequent): each
/// is embedded, a few milliseconds apiece in batches.
const MAX_MEANING_PHRASES: usize = 500;

/// A customer phrasing and how often it was searched unanswered.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Example {
    pub query: String,
    pub count: usize,
}

/// How many of a gap's searches showed each signal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Breakdown {
    pub zero_results: usize,
    pub low_confidence: usize,
    pub no_click: usize,
    pub not_helpful: usize,
    pub contact_support: usize,
    pub reformulated: usize,
}

/// The entry search ranks first for a gap's representative query today.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Closest {
    pub id: String,
    pub article_id: String,
    pub title: String,
    pub url: String,
    pub score: f32,
    pub confidence: f32,
}

/// What an editor should do about a gap.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Nothing answers it: write an article.
    WriteArticle { title: String },
    /// Customers who rephrased found this article: teach search their words.
    AddAlias { article_id: String, alias: String },
    /// One word of theirs stands for one of the help center's.
    AddSynonym { from: String, to: String },
    /// Customers found this article and it did not help them.
    ImproveArticle { article_id: String, why: Why, customers: usize },
}

/// Why an article should be improved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// Customers opened it and voted 아니오.
    VotedNotHelpful,
    /// Customers opened it and still contacted support.
    ContactedSupportAfter,
    /// Search ranks it first now, yet customers did not take it as an answer.
    FoundButNotChosen,
}

impl Action {
    /// The action in Korean, for the report page.
    pub fn korean(&self) -> String {
        match self {
            Action::WriteArticle { title } => format!("새 도움말 작성: 「{title}」"),
            Action::AddAlias { article_id, alias } => format!("{article_id}의 aliases에 「{alias}」 추가"),
            Action::AddSynonym { from, to } => format!("synonyms.txt에 {from} => {to} 추가"),
            Action::ImproveArticle { article_id, why, customers } => match why {
                Why::VotedNotHelpful => format!("{article_id} 개선: 고객 {customers}명이 읽고 '아니오'를 눌렀습니다"),
                Why::ContactedSupportAfter => format!("{article_id} 개선: 고객 {customers}명이 읽고도 문의했습니다"),
                Why::FoundButNotChosen => format!("{article_id} 개선: 지금 첫 결과로 나오지만 고객이 답으로 고르지 않았습니다"),
            },
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::WriteArticle { title } => write!(f, "write a new article: 「{title}」"),
            Action::AddAlias { article_id, alias } => write!(f, "add the alias 「{alias}」 to {article_id}"),
            Action::AddSynonym { from, to } => write!(f, "add the synonym {from} => {to}"),
            Action::ImproveArticle { article_id, why, customers } => match why {
                Why::VotedNotHelpful => write!(f, "improve {article_id}: {customers} customers found it and voted 아니오 (not helpful)"),
                Why::ContactedSupportAfter => write!(f, "improve {article_id}: {customers} customers opened it and still contacted support"),
                Why::FoundButNotChosen => write!(f, "improve {article_id}: search ranks it first now, but customers did not take it as an answer"),
            },
        }
    }
}

/// The gap's size against the previous period of the same length.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Trend {
    pub previous: usize,
    /// `new`, `rising`, `falling` or `steady`.
    pub direction: &'static str,
    /// Relative change, e.g. 0.5 for +50 %; absent when the gap is new.
    pub change: Option<f64>,
}

impl Trend {
    fn new(current: usize, previous: usize) -> Trend {
        if previous == 0 {
            return Trend { previous, direction: "new", change: None };
        }
        let change = current as f64 / previous as f64 - 1.0;
        let direction = if change >= 0.25 {
            "rising"
        } else if change <= -0.25 {
            "falling"
        } else {
            "steady"
        };
        Trend { previous, direction, change: Some((change * 1000.0).round() / 1000.0) }
    }
}

/// A gap replayed against today's index (`--recheck`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Recheck {
    /// Search now answers the gap confidently with an entry customers were
    /// not already shown: new or edited content closed it.
    pub answered_now: bool,
    /// Example phrasings replayed, and how many of them are answered now.
    pub replayed: usize,
    pub answered: usize,
}

/// A cluster of unanswered searches.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Gap {
    /// The phrasing that stands for the gap: the most searched, counting
    /// the half-typed states that led to it.
    pub representative: String,
    /// Unanswered searches in the gap.
    pub count: usize,
    /// Distinct customers (sessions) behind them.
    pub sessions: usize,
    pub examples: Vec<Example>,
    pub outcomes: Breakdown,
    pub closest: Option<Closest>,
    pub action: Action,
    pub trend: Trend,
    /// Sum of the searches' severities: the order gaps are listed in.
    pub severity: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recheck: Option<Recheck>,
}

/// A failed search followed by a successful rewording, mined as a suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reformulation {
    pub from: String,
    pub to: String,
    /// The article the rewording found.
    pub article_id: String,
    pub count: usize,
    pub suggestion: Action,
}

/// One distinct phrasing (queries equal without spaces).
struct Phrase {
    key: String,
    keys: String,
    words: Vec<Word>,
    /// Its embedding as a question, when search ranks by meaning.
    meaning: Option<std::sync::Arc<[f32]>>,
    forms: BTreeMap<String, usize>,
    members: Vec<usize>,
}

impl Phrase {
    fn count(&self) -> usize {
        self.members.len()
    }

    fn display(&self) -> &str {
        // The most frequent spelling; ties go to the first in sort order.
        self.forms.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map_or("", |(q, _)| q.as_str())
    }
}

/// The words of `query` as search reads them, each as the set of terms it
/// may match: exact morphemes, spacing joins, synonyms and the best typo
/// correction. Words that ask nothing (해요, 어떻게) are left out.
fn words(engine: &Engine, query: &str) -> Vec<Word> {
    let mut out = Vec::new();
    for slot in engine.plan(query).slots {
        let mut terms = HashSet::new();
        let mut typo_taken = false;
        for alternative in slot.alternatives {
            let take = match alternative.origin {
                Origin::Exact | Origin::Spacing | Origin::Synonym => true,
                Origin::Typo if !typo_taken => {
                    typo_taken = true;
                    true
                }
                _ => false,
            };
            if take {
                terms.extend(alternative.terms);
            }
        }
        if !terms.is_empty() {
            let unknown = terms.iter().all(|t| engine.vocabulary().df(t) == 0);
            out.push(Word { text: slot.text, terms, importance: slot.importance, unknown });
        }
    }
    out
}

/// A word of a phrasing: as typed, and the terms search matches it with.
struct Word {
    text: String,
    terms: HashSet<String>,
    /// How telling the word is (its idf in the index).
    importance: f32,
    /// The help center uses none of its terms: a word customers say and the
    /// content does not.
    unknown: bool,
}

impl Word {
    fn matches(&self, others: &[Word]) -> bool {
        others.iter().any(|o| !self.terms.is_disjoint(&o.terms))
    }
}

/// Whether the customer stopped in the middle of a syllable (선물포ㅈ).
fn ends_mid_syllable(text: &str) -> bool {
    text.chars().next_back().is_some_and(crate::korean::jamo::is_jamo)
}

fn is_prefix_state(a: &str, b: &str) -> bool {
    let (short, long) = if a.chars().count() <= b.chars().count() { (a, b) } else { (b, a) };
    let (s, l) = (short.chars().count(), long.chars().count());
    s >= 4 && 2 * s >= l && long.starts_with(short)
}

fn within_typo(a: &str, b: &str) -> bool {
    let longest = a.chars().count().max(b.chars().count());
    // Under 7 keys (about two syllables) one jamo turns a word into another
    // word (배송/배상); leave those to the index-aware typo correction.
    let allowed = match longest {
        0..=6 => return false,
        7..=12 => 1,
        _ => 2,
    };
    strsim::levenshtein(a, b) <= allowed
}

/// Word overlap of two phrasings: words that share a term count as one
/// (so 비번 and 비밀번호 match through the synonym), divided by the words of
/// both — a Jaccard index over words rather than terms, so that one word
/// read as several terms cannot outweigh the rest.
fn overlap(a: &[Word], b: &[Word]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let matched = |x: &[Word], y: &[Word]| x.iter().filter(|w| w.matches(y)).count();
    let shared = matched(a, b).min(matched(b, a));
    shared as f64 / (a.len() + b.len() - shared) as f64
}

fn same_gap(a: &Phrase, b: &Phrase) -> bool {
    a.key == b.key
        || is_prefix_state(&a.keys, &b.keys)
        || within_typo(&a.keys, &b.keys)
        || overlap(&a.words, &b.words) >= MIN_OVERLAP
        || same_meaning(a, b)
}

fn same_meaning(a: &Phrase, b: &Phrase) -> bool {
    match (&a.meaning, &b.meaning) {
        (Some(x), Some(y)) => crate::semantic::cosine(x, y) >= crate::semantic::SAME_QUESTION,
        _ => false,
    }
}

fn phrases(engine: &Engine, outcomes: &[Outcome], members: impl Iterator<Item = usize>) -> Vec<Phrase> {
    let mut by_key: HashMap<String, Phrase> = HashMap::new();
    for i in members {
        let search = &outcomes[i].logged.search;
        let key = compact(&search.normalized);
        if key.is_empty() {
            continue;
        }
        let phrase = by_key.entry(key.clone()).or_insert_with(|| Phrase {
            keys: keystrokes(&key),
            key,
            words: Vec::new(),
            meaning: None,
            forms: BTreeMap::new(),
            members: Vec::new(),
        });
        *phrase.forms.entry(search.query.trim().to_string()).or_default() += 1;
        phrase.members.push(i);
    }
    let mut phrases: Vec<Phrase> = by_key.into_values().collect();
    phrases.sort_by(|a, b| b.count().cmp(&a.count()).then_with(|| a.key.cmp(&b.key)));
    phrases.truncate(MAX_PHRASES);
    for phrase in &mut phrases {
        phrase.words = words(engine, phrase.display());
    }
    // Half-typed states (선물포ㅈ) mean nothing yet to the model.
    let by_meaning: Vec<usize> = (0..phrases.len()).filter(|&i| !ends_mid_syllable(&phrases[i].key)).take(MAX_MEANING_PHRASES).collect();
    let texts: Vec<String> = by_meaning.iter().map(|&i| phrases[i].display().to_string()).collect();
    if let Some(vectors) = engine.embed_questions(&texts) {
        for (i, vector) in by_meaning.into_iter().zip(vectors) {
            phrases[i].meaning = Some(vector);
        }
    }
    phrases
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Clusters the unanswered searches of `current` into gaps, compares them
/// with `previous` (the period before, of the same length), and looks up
/// what the index offers for each today. Best first.
pub fn gaps(engine: &Engine, current: &[Outcome], previous: &[Outcome], reformulations: &[Reformulation], recheck: bool) -> Vec<Gap> {
    let unanswered = |outcomes: &[Outcome]| -> Vec<usize> {
        outcomes.iter().enumerate().filter(|(_, o)| !o.fragment && o.signals.unanswered()).map(|(i, _)| i).collect()
    };
    let phrases = self::phrases(engine, current, unanswered(current).into_iter());
    let mut parent: Vec<usize> = (0..phrases.len()).collect();
    for i in 0..phrases.len() {
        for j in i + 1..phrases.len() {
            if same_gap(&phrases[i], &phrases[j]) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                if a != b {
                    parent[b] = a;
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..phrases.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }

    let earlier = self::phrases(engine, previous, unanswered(previous).into_iter());
    let mut gaps: Vec<Gap> = groups
        .values()
        .map(|group| {
            let members: Vec<&Phrase> = group.iter().map(|&i| &phrases[i]).collect();
            gap(engine, current, &members, &earlier, reformulations, recheck)
        })
        .collect();
    gaps.sort_by(|a, b| b.severity.total_cmp(&a.severity).then(b.count.cmp(&a.count)).then_with(|| a.representative.cmp(&b.representative)));
    gaps
}

fn gap(
    engine: &Engine,
    outcomes: &[Outcome],
    members: &[&Phrase],
    earlier: &[Phrase],
    reformulations: &[Reformulation],
    recheck: bool,
) -> Gap {
    // The representative: the phrasing searched most, counting the
    // half-typed states (ending in a lone jamo: 선물포ㅈ) that lead to it;
    // ties go to the shorter, more general phrasing.
    let representative = members
        .iter()
        .filter(|p| !ends_mid_syllable(&p.key) || members.iter().all(|q| ends_mid_syllable(&q.key)))
        .max_by_key(|p| {
            let led_here: usize = members
                .iter()
                .filter(|q| q.key != p.key && ends_mid_syllable(&q.key) && p.keys.starts_with(&q.keys))
                .map(|q| q.count())
                .sum();
            (p.count() + led_here, std::cmp::Reverse(p.keys.chars().count()))
        })
        .map(|p| p.display().to_string())
        .unwrap_or_default();

    let indices: Vec<usize> = members.iter().flat_map(|p| p.members.iter().copied()).collect();
    let mut outcomes_breakdown = Breakdown::default();
    let mut sessions = HashSet::new();
    let mut severity = 0.0;
    let mut not_helpful: BTreeMap<&str, usize> = BTreeMap::new();
    let mut escalated_after: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in &indices {
        let o = &outcomes[i];
        let s = o.signals;
        sessions.insert(o.logged.search.session.as_str());
        severity += s.severity();
        outcomes_breakdown.zero_results += usize::from(s.zero_results);
        outcomes_breakdown.low_confidence += usize::from(s.low_confidence);
        outcomes_breakdown.no_click += usize::from(s.no_click);
        outcomes_breakdown.not_helpful += usize::from(s.not_helpful);
        outcomes_breakdown.contact_support += usize::from(s.contact_support);
        outcomes_breakdown.reformulated += usize::from(s.reformulated);
        for event in &o.logged.events {
            if event.kind == super::record::EventKind::NotHelpful
                && let Some(article) = event.article_id.as_deref().or(o.clicked)
            {
                *not_helpful.entry(article).or_default() += 1;
            }
        }
        if s.contact_support
            && let Some(article) = o.clicked
        {
            *escalated_after.entry(article).or_default() += 1;
        }
    }

    let mut examples: Vec<Example> = members
        .iter()
        .flat_map(|p| p.forms.iter().map(|(q, &count)| Example { query: q.clone(), count }))
        .collect();
    examples.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.query.cmp(&b.query)));
    examples.truncate(EXAMPLES);

    let closest = closest(engine, &representative);
    let keys: HashSet<&str> = members.iter().map(|p| p.key.as_str()).collect();
    let rewording = reformulations.iter().find(|r| keys.contains(compact(&r.from).as_str()));
    let action = action(&representative, indices.len(), &not_helpful, &escalated_after, rewording, closest.as_ref());

    // The previous period's phrasings that would have joined this gap.
    let previous: usize = earlier.iter().filter(|e| members.iter().any(|p| same_gap(p, e))).map(|e| e.count()).sum();

    let recheck = recheck.then(|| replay(engine, outcomes, &indices, &examples));
    Gap {
        representative,
        count: indices.len(),
        sessions: sessions.len(),
        examples,
        outcomes: outcomes_breakdown,
        closest,
        action,
        trend: Trend::new(indices.len(), previous),
        severity: (severity * 100.0).round() / 100.0,
        recheck,
    }
}

/// Replays a gap's phrasings: answered now when search finds, confidently,
/// an entry that was not already confidently offered when customers asked.
fn replay(engine: &Engine, outcomes: &[Outcome], indices: &[usize], examples: &[Example]) -> Recheck {
    let offered: HashSet<&str> = indices
        .iter()
        .map(|&i| &outcomes[i].logged.search)
        .filter(|s| s.confidence >= CONFIDENT)
        .filter_map(|s| s.hits.first().map(|h| h.id.as_str()))
        .collect();
    let answered = examples
        .iter()
        .filter(|e| closest(engine, &e.query).is_some_and(|c| c.confidence >= CONFIDENT && !offered.contains(c.id.as_str())))
        .count();
    Recheck { answered_now: 2 * answered > examples.len(), replayed: examples.len(), answered }
}

/// What search offers for `query` today.
pub fn closest(engine: &Engine, query: &str) -> Option<Closest> {
    let mut request = SearchRequest::new(query);
    request.limit = 1;
    let response = engine.search(&request).ok()?;
    let hit = response.hits.into_iter().next()?;
    Some(Closest {
        id: hit.id,
        article_id: hit.article_id,
        title: hit.title,
        url: hit.url,
        score: (hit.score * 1000.0).round() / 1000.0,
        confidence: (response.confidence * 1000.0).round() / 1000.0,
    })
}

fn action(
    representative: &str,
    count: usize,
    not_helpful: &BTreeMap<&str, usize>,
    escalated_after: &BTreeMap<&str, usize>,
    rewording: Option<&Reformulation>,
    closest: Option<&Closest>,
) -> Action {
    // Customers reached an article and it failed them: fix that article.
    let most = |counts: &BTreeMap<&str, usize>| counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(a, n)| (a.to_string(), *n));
    if let Some((article_id, n)) = most(not_helpful)
        && 4 * n >= count
    {
        return Action::ImproveArticle { article_id, why: Why::VotedNotHelpful, customers: n };
    }
    if let Some((article_id, n)) = most(escalated_after)
        && 4 * n >= count
    {
        return Action::ImproveArticle { article_id, why: Why::ContactedSupportAfter, customers: n };
    }
    // Customers who reworded found the answer: teach search their words.
    if let Some(r) = rewording {
        return r.suggestion.clone();
    }
    match closest {
        Some(c) if c.confidence >= CONFIDENT => {
            Action::ImproveArticle { article_id: c.article_id.clone(), why: Why::FoundButNotChosen, customers: count }
        }
        _ => Action::WriteArticle { title: representative.to_string() },
    }
}

/// Customers who must have reworded a search the same way before it is
/// suggested as a synonym or an alias, counted by client address (by session
/// where the log has none): one person, or one script however many sessions
/// it invents, does not write the help center's dictionary.
pub const MIN_REWORDING_CUSTOMERS: usize = 2;

/// Whether a wording could be markup once it reaches an article or a
/// dictionary: brackets, angle brackets, backticks, emphasis, pipes, braces,
/// or control characters. Customers do not type these into a search box.
fn looks_like_markup(text: &str) -> bool {
    text.chars().any(|c| c.is_control() || matches!(c, '<' | '>' | '[' | ']' | '(' | ')' | '`' | '*' | '|' | '{' | '}' | '#' | '='))
}

/// Failed searches that a reworded search in the same session answered,
/// aggregated, with the dictionary change each suggests: a synonym when the
/// two differ by one word, otherwise an alias on the article found. Only
/// rewordings made by [`MIN_REWORDING_CUSTOMERS`] customers or more, and
/// free of markup, are suggested.
pub fn reformulations(engine: &Engine, outcomes: &[Outcome]) -> Vec<Reformulation> {
    /// One rewording as first seen, how often it was made and by whom.
    struct Rewording<'a> {
        from: String,
        to: String,
        count: usize,
        customers: HashSet<&'a str>,
    }
    // By (failed query, reworded query, article found), compacted.
    let mut pairs: BTreeMap<(String, String, String), Rewording> = BTreeMap::new();
    for o in outcomes.iter().filter(|o| !o.fragment) {
        let Some(j) = o.reformulated_as else { continue };
        let Some(article) = outcomes[j].clicked.or_else(|| outcomes[j].logged.events.iter().find_map(|e| e.article_id.as_deref())) else {
            continue;
        };
        let (from, to) = (&o.logged.search, &outcomes[j].logged.search);
        let key = (compact(&from.normalized), compact(&to.normalized), article.to_string());
        let entry = pairs.entry(key).or_insert_with(|| Rewording {
            from: from.query.trim().to_string(),
            to: to.query.trim().to_string(),
            count: 0,
            customers: HashSet::new(),
        });
        entry.count += 1;
        entry.customers.insert(if from.client.is_empty() { from.session.as_str() } else { from.client.as_str() });
    }
    let mut out: Vec<Reformulation> = pairs
        .into_iter()
        .filter(|(_, r)| r.customers.len() >= MIN_REWORDING_CUSTOMERS && !looks_like_markup(&r.from) && !looks_like_markup(&r.to))
        .map(|((_, _, article_id), Rewording { from, to, count, .. })| {
            let (a, b) = (words(engine, &from), words(engine, &to));
            let only_a: Vec<&Word> = a.iter().filter(|w| !w.matches(&b)).collect();
            let only_b: Vec<&Word> = b.iter().filter(|w| !w.matches(&a)).collect();
            // A synonym only when the one word that differs is the word that
            // carried the failed query (its most telling one, or one the help
            // center does not use at all); otherwise the whole phrasing
            // becomes an alias of the article found.
            let carried = |word: &Word, all: &[Word]| word.unknown || all.iter().all(|w| w.importance <= word.importance);
            let suggestion = if only_a.len() == 1 && only_b.len() == 1 && carried(only_a[0], &a) {
                Action::AddSynonym { from: only_a[0].text.clone(), to: only_b[0].text.clone() }
            } else {
                Action::AddAlias { article_id: article_id.clone(), alias: from.clone() }
            };
            Reformulation { from, to, article_id, count, suggestion }
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.from.cmp(&b.from)));
    out
}
