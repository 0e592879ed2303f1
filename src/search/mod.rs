//! Search over the index: query understanding, ranking, confidence, snippets.

mod coverage;
mod query;
mod snippet;
mod statistics;
mod synonyms;
mod understand;
mod vocabulary;

pub use query::field_boosts;
pub use snippet::{SNIPPET_CHARS, escape, encode_terms as encode_snippet_terms};
pub use synonyms::Synonyms;
pub use understand::{Origin, QueryPlan, understand};
pub use vocabulary::Vocabulary;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

use crate::content::{EntryKind, Problem};
use crate::index::SearchIndex;

/// Longest query accepted, in characters. Customers type questions, not essays;
/// longer input is almost always a paste accident or abuse.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 50;
pub const DEFAULT_LIMIT: usize = 10;
/// Deepest page one request may reach.
pub const MAX_OFFSET: usize = 1000;
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
}

impl SearchRequest {
    pub fn new(q: impl Into<String>) -> SearchRequest {
        SearchRequest { q: q.into(), limit: DEFAULT_LIMIT, offset: 0, category: None }
    }
}

/// The body of `GET /api/search` and of `doumi search --json`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub query_id: String,
    pub query: String,
    /// Entries matching at all, of which `hits` is one page.
    pub total: usize,
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
    vocabulary: Vocabulary,
    synonyms: Synonyms,
    /// Answers already worked out in this generation, by request. Customers
    /// ask the same few questions, and the widget sends the same half-typed
    /// states, over and over. The engine is rebuilt with every change to the
    /// index, so an answer can never outlive the entries it was computed from.
    answers: Option<quick_cache::sync::Cache<AnswerKey, Arc<SearchResponse>>>,
}

/// What an answer depends on besides the index: the request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AnswerKey {
    q: String,
    limit: usize,
    offset: usize,
    category: Option<String>,
}

impl Engine {
    /// Reads the vocabulary from the index and compiles the synonyms. Returns
    /// the problems found in the editors' synonyms beside the engine.
    pub fn new(index: SearchIndex, content_dir: &Path) -> Result<(Engine, Vec<Problem>), SearchError> {
        let searcher = index.reader.searcher();
        let vocabulary = Vocabulary::build(&searcher, &index.fields)?;
        let (synonyms, problems) = Synonyms::compile(&index.analyzer, &index.dictionaries, content_dir);
        Ok((Engine { index, searcher, vocabulary, synonyms, answers: None }, problems))
    }

    /// Keeps up to `entries` answers for requests asked again (0 keeps none).
    /// A served engine does; a one-off search or a benchmark of the search
    /// itself does not.
    pub fn remember_answers(mut self, entries: usize) -> Engine {
        self.answers = (entries > 0).then(|| quick_cache::sync::Cache::new(entries));
        self
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
        understand(text, &self.index.analyzer, &self.vocabulary, &self.synonyms, &spaced_phrase_occurs)
    }

    /// Answers `request` from this engine's generation of the index. Every
    /// answer has a query id of its own, remembered or not.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        request.validate()?;
        let Some(answers) = &self.answers else {
            return self.work_out(request, started);
        };
        let key = AnswerKey { q: request.q.trim().to_string(), limit: request.limit, offset: request.offset, category: request.category.clone() };
        if let Some(answer) = answers.get(&key) {
            return Ok(SearchResponse { query_id: uuid::Uuid::now_v7().to_string(), took_ms: elapsed_ms(started), ..(*answer).clone() });
        }
        let answer = self.work_out(request, started)?;
        answers.insert(key, Arc::new(answer.clone()));
        Ok(answer)
    }

    /// Runs `request` against the index: analysis, ranking, snippets.
    fn work_out(&self, request: &SearchRequest, started: Instant) -> Result<SearchResponse, SearchError> {
        let query_text = request.q.trim().to_string();
        let query_id = uuid::Uuid::now_v7().to_string();
        let plan = self.plan(&query_text);
        let fields = &self.index.fields;
        let empty = |suggestion| SearchResponse {
            query_id: query_id.clone(),
            query: query_text.clone(),
            total: 0,
            took_ms: elapsed_ms(started),
            confidence: 0.0,
            hits: Vec::new(),
            suggestion,
        };
        let Some(query) = query::build(fields, &plan, request.category.as_deref()) else {
            return Ok(empty(None));
        };
        let searcher = &self.searcher;
        let statistics = statistics::GlobalStatistics { searcher, vocabulary: &self.vocabulary };
        // Rerank more than the page: an entry answering more of the query may
        // rise from below it.
        let depth = (request.offset + request.limit).max(RERANK_DEPTH);
        let collector = (TopDocs::with_limit(depth).order_by_score(), Count);
        let (candidates, total) = searcher.search_with_statistics_provider(&query, &collector, &statistics)?;
        if total == 0 {
            return Ok(empty(None));
        }
        let addresses: Vec<DocAddress> = candidates.iter().map(|(_, a)| *a).collect();
        let covered = coverage::coverage(searcher, fields, &plan, &addresses)?;
        let mut ranked: Vec<(f32, coverage::Coverage, DocAddress)> = candidates
            .iter()
            .zip(&covered)
            .map(|((score, address), c)| (score * (COVERAGE_FLOOR + (1.0 - COVERAGE_FLOOR) * c.share), *c, *address))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let confidence = ranked.first().map_or(0.0, |r| r.1.share);
        // A typo correction is offered only when it found one of the answers
        // the customer sees first; a correct word the help center does not
        // use is left alone.
        let suggestion = plan.suggestion.clone().filter(|_| plan.layout_fixed || ranked.iter().take(SUGGESTION_EVIDENCE_HITS).any(|r| r.1.through_typo));
        let highlighter = snippet::Highlighter::new(searcher, &*query, fields.body)?;
        let mut hits = Vec::with_capacity(request.limit);
        // A guide's section that ranks above the guide as a whole is the more
        // precise answer, on the same page: the whole guide below it is left out.
        let mut sections_shown: Vec<String> = Vec::new();
        let mut skipped = 0;
        for (score, _, address) in ranked {
            if hits.len() == request.limit {
                break;
            }
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let (kind, article_id) = (text(fields.kind), text(fields.article_id));
            if kind == EntryKind::Guide.as_str() && sections_shown.contains(&article_id) {
                continue;
            }
            if kind == EntryKind::Section.as_str() {
                sections_shown.push(article_id.clone());
            }
            if skipped < request.offset {
                skipped += 1;
                continue;
            }
            let body = doc.get_first(fields.body).and_then(|v| v.as_str()).unwrap_or_default();
            let snippet_terms = doc.get_first(fields.snippet_terms).and_then(|v| v.as_bytes()).unwrap_or_default();
            let category = text(fields.category);
            hits.push(Hit {
                id: text(fields.id),
                url: text(fields.url),
                title: text(fields.title),
                article_id,
                article_title: text(fields.article_title),
                category: (!category.is_empty()).then_some(category),
                snippet: highlighter.snippet(snippet::source(body), snippet_terms),
                score,
            });
        }
        Ok(SearchResponse {
            query_id,
            query: query_text,
            total,
            took_ms: elapsed_ms(started),
            confidence,
            hits,
            suggestion,
        })
    }

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
