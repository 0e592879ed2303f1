//! Search over the index: query understanding, ranking, confidence, snippets.

mod cards;
mod coverage;
mod eight_bytes;
mod fusion;
mod peaks;
mod postings;
mod query;
mod response_json;
mod snippet;
mod spellings;
mod statistics;
mod synonyms;
mod top_entries;
mod understand;
mod vocabulary;

pub use query::field_boosts;
pub(crate) use response_json::{number as write_json_number, string as write_json_string};
pub use snippet::{SNIPPET_CHARS, escape};
pub use synonyms::Synonyms;
pub use understand::{Origin, QueryPlan, understand};
use understand::RememberedWords;
pub use vocabulary::Vocabulary;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tantivy::DocAddress;

use crate::content::{EntryKind, Problem};
use crate::index::{SearchIndex, Stores};
use crate::semantic::{EntryVectors, QueryEmbedder};

/// Longest query accepted, in characters. Customers type questions, not essays;
/// longer input is almost always a paste accident or abuse.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 50;
pub const DEFAULT_LIMIT: usize = 10;
/// Deepest page one request may reach.
pub const MAX_OFFSET: usize = 1000;
/// Matching entries are counted up to this many; past it the answer says
/// "1,000 or more" (`total_is_lower_bound`). Counting every match of a common
/// word in a large help center cost as much as ranking them, and nobody
/// pages that far (see [`MAX_OFFSET`]).
pub const TOTAL_CAP: usize = 1000;
/// Entries read from the dense ranking for fusion.
const DENSE_DEPTH: usize = 30;
/// Candidates reranked by how much of the query they cover.
const RERANK_DEPTH: usize = 30;
/// An entry covering none of the query's weight keeps this share of its score;
/// one covering all of it keeps all.
const COVERAGE_FLOOR: f32 = 0.7;
/// A correction is suggested when it matched one of this many first hits.
const SUGGESTION_EVIDENCE_HITS: usize = 3;
/// Below this confidence a result list is not an answer: the customer is shown
/// the way to support, and the search counts as unanswered.
pub const CONFIDENT: f32 = 0.5;

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub q: String,
    pub limit: usize,
    pub offset: usize,
    pub category: Option<String>,
    /// Whether the dense stage may run: the settled question does; a keystroke
    /// of a customer still typing, and completions, stay lexical and fast.
    pub semantic: bool,
}

impl SearchRequest {
    pub fn new(q: impl Into<String>) -> SearchRequest {
        SearchRequest { q: q.into(), limit: DEFAULT_LIMIT, offset: 0, category: None, semantic: true }
    }
}

/// The body of `GET /api/search` and of `doumi search --json`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub query_id: String,
    pub query: String,
    /// Entries matching at all, of which `hits` is one page; counted up to
    /// 1,000 (see `total_is_lower_bound`).
    pub total: usize,
    /// Present, and true, when more entries than `total` match: shown as
    /// "1,000개 이상".
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub total_is_lower_bound: bool,
    pub took_ms: f64,
    /// How surely the first hit answers the query, 0–1: the share of the
    /// query's meaning (its words weighted by how telling they are) that the
    /// first hit matches, less for matches through typos or completions.
    /// Below 0.5 the list is not an answer.
    pub confidence: f32,
    pub hits: Vec<Hit>,
    /// The query with typos or keyboard layout corrected, when that was needed
    /// to find these hits: shown as 「…」을(를) 찾으셨나요?
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// Whether the dense stage ran for this answer (for `/metrics`).
    #[serde(skip)]
    pub ranked_by_meaning: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub id: String,
    pub url: String,
    /// The entry's own heading: the question, the section, or the guide's title.
    pub title: String,
    pub article_id: String,
    pub article_title: String,
    pub category: Option<String>,
    /// HTML-escaped text with matches in `<mark>`.
    pub snippet: String,
    pub score: f32,
    /// The card these fields were copied from, whose JSON the response
    /// reuses while they still agree with it (see [`cards`]).
    #[serde(skip)]
    pub(crate) card: Option<Arc<cards::Card>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the query is empty; type a question, e.g. 비밀번호를 잊어버렸어요")]
    EmptyQuery,
    #[error("the query is {chars} characters long; the limit is {MAX_QUERY_CHARS}")]
    QueryTooLong { chars: usize },
    #[error("limit must be between 1 and {MAX_LIMIT}, got {0}")]
    BadLimit(usize),
    #[error("offset must be at most {MAX_OFFSET}, got {0}")]
    BadOffset(usize),
    #[error("search failed")]
    Index(#[from] tantivy::TantivyError),
}

impl SearchRequest {
    /// Checks the request's bounds; each failure names the parameter.
    pub fn validate(&self) -> Result<(), SearchError> {
        let chars = self.q.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(SearchError::QueryTooLong { chars });
        }
        if self.q.trim().is_empty() {
            return Err(SearchError::EmptyQuery);
        }
        if !(1..=MAX_LIMIT).contains(&self.limit) {
            return Err(SearchError::BadLimit(self.limit));
        }
        if self.offset > MAX_OFFSET {
            return Err(SearchError::BadOffset(self.offset));
        }
        Ok(())
    }
}

/// The index with what query understanding needs: its vocabulary and synonyms.
/// Built once per index generation; searching only reads it. It holds one
/// searcher, so every search through it sees the same generation, whatever
/// commits happen meanwhile.
pub struct Engine {
    pub index: SearchIndex,
    searcher: tantivy::Searcher,
    /// What BM25 asks of the whole generation, read once.
    totals: statistics::IndexTotals,
    /// Where the hits' stored values are read from.
    stores: Stores,
    /// What the hits show of their entries, kept once read.
    cards: cards::Cards,
    vocabulary: Vocabulary,
    synonyms: Synonyms,
    /// Query words as this generation read them (see [`RememberedWords`]).
    words: RememberedWords,
    /// The postings of terms searched before (see [`postings`]).
    postings: postings::TermPostings,
    /// Answers already worked out in this generation, by request. Customers
    /// ask the same few questions, and the widget sends the same half-typed
    /// states, over and over. The engine is rebuilt with every change to the
    /// index, so an answer can never outlive the entries it was computed from.
    answers: Option<quick_cache::sync::Cache<AnswerKey, Arc<SearchResponse>>>,
    /// Ranking by meaning, when the model is loaded and entries embedded.
    dense: Option<DenseStage>,
}

/// What an answer depends on besides the index: the request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AnswerKey {
    q: String,
    limit: usize,
    offset: usize,
    category: Option<String>,
    semantic: bool,
}

impl Engine {
    /// Reads the vocabulary from the index and compiles the synonyms. Returns
    /// the problems found in the editors' synonyms beside the engine.
    pub fn new(index: SearchIndex, content_dir: &Path) -> Result<(Engine, Vec<Problem>), SearchError> {
        let searcher = index.reader.searcher();
        let vocabulary = Vocabulary::build(&searcher, &index.fields)?;
        let (synonyms, problems) = Synonyms::compile(&index.analyzer, &index.dictionaries, content_dir);
        let totals = statistics::IndexTotals::read(&searcher);
        let stores = Stores::open(&searcher)?;
        let cards = cards::Cards::new(&searcher);
        Ok((Engine { index, searcher, totals, stores, cards, vocabulary, synonyms, words: RememberedWords::default(), postings: postings::TermPostings::default(), answers: None, dense: None }, problems))
    }

    /// Keeps up to `entries` answers for requests asked again (0 keeps none).
    /// A served engine does; a one-off search or a benchmark of the search
    /// itself does not.
    pub fn remember_answers(mut self, entries: usize) -> Engine {
        self.answers = (entries > 0).then(|| quick_cache::sync::Cache::new(entries));
        self
    }

    /// Ranks by meaning too, fused with the lexical ranking (see `fusion`).
    pub fn with_meaning(mut self, meaning: Meaning) -> Engine {
        self.dense = Some(DenseStage::new(meaning, &self.searcher, self.index.fields.id));
        self
    }

    /// Whether answering `request` may embed the question (tens of
    /// milliseconds of CPU), so a server can move it off its async workers.
    pub fn may_embed(&self, request: &SearchRequest) -> bool {
        request.semantic && self.dense.is_some()
    }

    /// The embeddings of `texts` as customers' questions, when this engine
    /// ranks by meaning and the model embeds them.
    pub fn embed_questions(&self, texts: &[String]) -> Option<Vec<Arc<[f32]>>> {
        let stage = self.dense.as_ref()?;
        stage.meaning.queries.embed_many(texts).inspect_err(|e| tracing::warn!(error = %e, "questions could not be embedded")).ok()
    }

    /// Entries in the generation this engine searches.
    pub fn entries(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// The terms this generation of the index holds, with their frequencies.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    pub fn plan(&self, text: &str) -> QueryPlan {
        let spaced_phrase_occurs = |terms: &[String]| query::phrase_occurs(&self.searcher, &self.index.fields, terms);
        understand(text, &self.index.analyzer, &self.vocabulary, &self.synonyms, &spaced_phrase_occurs, Some(&self.words))
    }

    /// Answers `request` from this engine's generation of the index. Every
    /// answer has a query id of its own, remembered or not.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        request.validate()?;
        let Some(answers) = &self.answers else {
            return self.work_out(request, started);
        };
        let key = AnswerKey {
            q: request.q.trim().to_string(),
            limit: request.limit,
            offset: request.offset,
            category: request.category.clone(),
            semantic: request.semantic,
        };
        if let Some(answer) = answers.get(&key) {
            return Ok(SearchResponse { query_id: uuid::Uuid::now_v7().to_string(), took_ms: elapsed_ms(started), ..(*answer).clone() });
        }
        let answer = self.work_out(request, started)?;
        answers.insert(key, Arc::new(answer.clone()));
        Ok(answer)
    }

    /// Runs `request` against the index: analysis, ranking, snippets.
    fn work_out(&self, request: &SearchRequest, started: Instant) -> Result<SearchResponse, SearchError> {
        Ok(self.rank(request, started, false)?.0)
    }

    /// [`Engine::search`], never remembered, with how each hit was ranked:
    /// for `doumi search --explain`.
    pub fn explain(&self, request: &SearchRequest) -> Result<(SearchResponse, Explanation), SearchError> {
        let started = Instant::now();
        request.validate()?;
        self.rank(request, started, true)
    }

    /// Answers `request`; with how each hit was ranked when `explain`.
    fn rank(&self, request: &SearchRequest, started: Instant, explain: bool) -> Result<(SearchResponse, Explanation), SearchError> {
        let query_text = request.q.trim().to_string();
        let query_id = uuid::Uuid::now_v7().to_string();
        let plan = self.plan(&query_text);
        let fields = &self.index.fields;
        let searcher = &self.searcher;
        let ranking = query::ranking(fields, &self.vocabulary, &plan, request.category.as_deref());
        let mut ranked: Vec<Candidate> = Vec::new();
        let mut total = 0;
        let mut total_is_lower_bound = false;
        if let Some(ranking) = &ranking {
            let statistics = statistics::GlobalStatistics { searcher, totals: &self.totals, vocabulary: &self.vocabulary };
            // Rerank more than the page: an entry answering more of the query
            // may rise from below it.
            let depth = (request.offset + request.limit).max(RERANK_DEPTH);
            let top = top_entries::top_entries(searcher, &statistics, &self.postings, ranking, depth, TOTAL_CAP as u32)?;
            total = (top.count as usize).min(TOTAL_CAP);
            total_is_lower_bound = top.count as usize > TOTAL_CAP;
            let covered = coverage::coverage(fields, &plan, &top);
            ranked = top
                .entries
                .iter()
                .zip(&covered)
                .map(|(found, c)| Candidate::lexical(found.address, found.score * (COVERAGE_FLOOR + (1.0 - COVERAGE_FLOOR) * c.share), *c))
                .collect();
            ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
        }
        let lexical_confidence = ranked.first().map_or(0.0, |r| r.coverage.share);
        // A typo correction is offered only when it found one of the answers
        // the customer sees first; a correct word the help center does not
        // use is left alone.
        let suggestion = plan.suggestion.clone().filter(|_| plan.layout_fixed || ranked.iter().take(SUGGESTION_EVIDENCE_HITS).any(|r| r.coverage.through_typo));
        let mut explanation = Explanation::default();
        let mut confidence = lexical_confidence;
        if let Some(stage) = self.dense.as_ref().filter(|_| request.semantic) {
            // What the customer meant, as doumi understood it: a decoded
            // keyboard mistype or a correction the hits confirmed, not the
            // string as typed.
            let meant = suggestion.as_deref().unwrap_or(&query_text);
            let weight = fusion::dense_weight(&plan, lexical_confidence, stage.meaning.weight);
            if fusion::doubt(&plan, lexical_confidence) >= fusion::MIN_DOUBT && weight > 0.0 {
                explanation.dense_weight = weight;
                match stage.meaning.queries.embed(meant) {
                    Ok(vector) => {
                        explanation.embedded = Some(meant.to_string());
                        total += stage.fuse(&mut ranked, &vector, weight);
                        let readable = fusion::readable_share(&plan);
                        confidence = ranked.first().map_or(0.0, |top| {
                            let by_meaning = top.cosine.map_or(0.0, fusion::dense_confidence) * readable;
                            top.coverage.share.max(by_meaning)
                        });
                    }
                    // The lexical answer stands; the failure is the model's,
                    // not the customer's.
                    Err(e) => tracing::warn!(error = %e, "the query could not be embedded; answering by words only"),
                }
            }
        }
        if ranked.is_empty() {
            let response = SearchResponse {
                query_id,
                query: query_text,
                total: 0,
                total_is_lower_bound: false,
                took_ms: elapsed_ms(started),
                confidence: 0.0,
                hits: Vec::new(),
                suggestion: None,
                ranked_by_meaning: explanation.embedded.is_some(),
            };
            return Ok((response, explanation));
        }
        let highlighter = match &ranking {
            Some(ranking) => snippet::Highlighter::new(ranking.terms_in(fields.body), |term| self.vocabulary.df_in_answers(term)),
            None => snippet::Highlighter::nothing(),
        };
        let fused = explanation.embedded.is_some();
        let mut hits = Vec::with_capacity(request.limit);
        // A guide's section that ranks above the guide as a whole is the more
        // precise answer, on the same page: the whole guide below it is left out.
        let mut sections_shown: Vec<String> = Vec::new();
        let mut skipped = 0;
        for candidate in &ranked {
            if hits.len() == request.limit {
                break;
            }
            // The stored values are read for the snippet; the card, once.
            let mut doc = None;
            let card = match self.cards.get(candidate.address) {
                Some(card) => card,
                None => {
                    let entry = self.stores.entry(candidate.address)?;
                    let card = self.cards.keep(candidate.address, cards::Card::read(&entry, fields));
                    doc = Some(entry);
                    card
                }
            };
            let category = card.category.as_str();
            let kind = card.kind.as_str();
            // The lexical query filters by category itself; an entry found
            // by meaning is filtered here.
            if request.category.as_ref().is_some_and(|c| c != category) {
                continue;
            }
            let article_id = card.article_id.as_str();
            if kind == EntryKind::Guide.as_str() && sections_shown.iter().any(|shown| shown == article_id) {
                continue;
            }
            if kind == EntryKind::Section.as_str() {
                sections_shown.push(article_id.to_string());
            }
            if skipped < request.offset {
                skipped += 1;
                continue;
            }
            let doc = match doc {
                Some(doc) => doc,
                None => self.stores.entry(candidate.address)?,
            };
            let text = doc.bytes(fields.snippet_source);
            let snippet = highlighter.snippet(text, doc.bytes(fields.snippet_terms)).unwrap_or_else(|| card.opening(text).to_string());
            let id = card.id.clone();
            let score = if fused { candidate.fused } else { candidate.score };
            if explain {
                explanation.hits.push(Ranking {
                    id: id.clone(),
                    lexical_rank: candidate.lexical_rank.map(|r| r + 1),
                    dense_rank: candidate.dense_rank.map(|r| r + 1),
                    cosine: candidate.cosine,
                    score,
                });
            }
            hits.push(Hit {
                id,
                url: card.url.clone(),
                title: card.title.clone(),
                article_id: card.article_id.clone(),
                article_title: card.article_title.clone(),
                category: (!category.is_empty()).then(|| category.to_string()),
                snippet,
                score,
                card: Some(card.clone()),
            });
        }
        let response = SearchResponse {
            query_id,
            query: query_text,
            total,
            total_is_lower_bound,
            took_ms: elapsed_ms(started),
            confidence,
            hits,
            suggestion,
            ranked_by_meaning: fused,
        };
        Ok((response, explanation))
    }
}

/// An entry on its way to the result list, as each ranking placed it.
struct Candidate {
    address: DocAddress,
    /// The lexical score, reweighed by coverage; 0 for an entry found by
    /// meaning alone.
    score: f32,
    coverage: coverage::Coverage,
    lexical_rank: Option<usize>,
    dense_rank: Option<usize>,
    cosine: Option<f32>,
    /// Both rankings' scores combined (see `fusion::fuse`).
    fused: f32,
}

impl Candidate {
    fn lexical(address: DocAddress, score: f32, coverage: coverage::Coverage) -> Candidate {
        Candidate { address, score, coverage, lexical_rank: None, dense_rank: None, cosine: None, fused: 0.0 }
    }
}

/// How a search was ranked, for `doumi search --explain`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Explanation {
    /// How much the dense ranking counted beside the lexical one (weight 1);
    /// 0 when the dense stage did not run.
    pub dense_weight: f32,
    /// The text that was embedded, when the dense stage ran.
    pub embedded: Option<String>,
    /// Each hit shown, in order.
    pub hits: Vec<Ranking>,
}

/// Where one hit stood in each ranking (1 = first).
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub id: String,
    pub lexical_rank: Option<usize>,
    pub dense_rank: Option<usize>,
    pub cosine: Option<f32>,
    pub score: f32,
}

/// The dense stage of an engine: what it needs to rank by meaning, and where
/// each entry with a vector is in this generation of the index.
struct DenseStage {
    meaning: Meaning,
    /// The index address of each vector's entry; `None` for an entry the index
    /// no longer (or not yet) holds.
    addresses: Vec<Option<DocAddress>>,
    /// The vector of each entry, by its address.
    rows: std::collections::HashMap<DocAddress, usize>,
}

/// What the dense stage is given: the query embedder, every entry's vector,
/// and how much it may count.
#[derive(Clone)]
pub struct Meaning {
    pub queries: Arc<QueryEmbedder>,
    pub vectors: Arc<EntryVectors>,
    /// The most the dense ranking counts beside the lexical one (weight 1).
    pub weight: f32,
}

impl DenseStage {
    fn new(meaning: Meaning, searcher: &tantivy::Searcher, id_field: tantivy::schema::Field) -> DenseStage {
        let addresses: Vec<Option<DocAddress>> = (0..meaning.vectors.len()).map(|row| address_of(searcher, id_field, meaning.vectors.id(row))).collect();
        let rows = addresses.iter().enumerate().filter_map(|(row, a)| Some(((*a)?, row))).collect();
        DenseStage { meaning, addresses, rows }
    }

    /// Adds the entries nearest `query` to `ranked`, fuses both rankings and
    /// sorts by the fused score (see [`fusion::fuse`]). Returns how many
    /// entries only the dense ranking found.
    fn fuse(&self, ranked: &mut Vec<Candidate>, query: &[f32], weight: f32) -> usize {
        let vectors = &self.meaning.vectors;
        for (rank, candidate) in ranked.iter_mut().enumerate() {
            candidate.lexical_rank = Some(rank);
            candidate.cosine = self.rows.get(&candidate.address).map(|&row| crate::semantic::cosine(query, vectors.vector(row)));
        }
        let mut added = 0;
        let nearest = vectors.nearest(query, DENSE_DEPTH);
        let found = nearest.into_iter().filter_map(|(row, cosine)| Some((self.addresses[row]?, cosine)));
        for (rank, (address, cosine)) in found.enumerate() {
            match ranked.iter_mut().find(|c| c.address == address) {
                Some(c) => c.dense_rank = Some(rank),
                None => {
                    let mut c = Candidate::lexical(address, 0.0, coverage::Coverage::default());
                    (c.dense_rank, c.cosine) = (Some(rank), Some(cosine));
                    ranked.push(c);
                    added += 1;
                }
            }
        }
        let top_lexical = ranked.iter().map(|c| c.score).fold(0.0, f32::max);
        let top_cosine = ranked.iter().filter_map(|c| c.cosine).fold(f32::MIN, f32::max);
        for c in ranked.iter_mut() {
            c.fused = fusion::fuse(c.score, top_lexical, c.cosine, top_cosine, weight);
        }
        ranked.sort_by(|a, b| b.fused.total_cmp(&a.fused));
        added
    }
}

/// Where the live entry `id` is in the index, if it is there.
fn address_of(searcher: &tantivy::Searcher, field: tantivy::schema::Field, id: &str) -> Option<DocAddress> {
    use tantivy::{DocSet, TERMINATED};
    let term = tantivy::Term::from_field_text(field, id);
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        let inverted = segment.inverted_index(field).ok()?;
        let Some(mut postings) = inverted.read_postings(&term, tantivy::schema::IndexRecordOption::Basic).ok()? else { continue };
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if !segment.is_deleted(doc) {
                return Some(DocAddress::new(ordinal as u32, doc));
            }
            doc = postings.advance();
        }
    }
    None
}

/// Problems in the editors' dictionaries that only analysis can find: a user
/// dictionary lindera cannot compile, a synonym with no searchable words.
pub fn lint_dictionaries(dictionaries: &crate::content::Dictionaries, content_dir: &Path) -> Vec<Problem> {
    match crate::korean::Analyzer::new(&dictionaries.user_words) {
        Ok(analyzer) => Synonyms::compile(&analyzer, dictionaries, content_dir).1,
        Err(e) => vec![Problem::error(content_dir.join(crate::content::USER_DICTIONARY_FILE), 1, e.to_string())],
    }
}

fn elapsed_ms(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}
