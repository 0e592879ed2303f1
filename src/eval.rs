//! `doumi eval`: search quality on a labelled query set, beside a naive baseline.
//!
//! Each line of the query file is `{"query": "...", "expected": ["article#anchor"
//! | "article", ...], "class": "typo"}`. A query is answered at k when any expected
//! entry is among the first k hits (a bare article id accepts any of its
//! entries). `expected: []` means the help center has no answer: doumi is right
//! when it returns no confident hit, the baseline when it returns no hit at all.
//!
//! Two baselines run beside doumi on the same index content: whitespace tokens
//! (what a generic engine does with Korean) and lindera's ko-dic morphemes with
//! plain BM25 (what a MeCab-based engine does, with none of doumi's query
//! understanding). Every set is measured twice: as written, and without the
//! editors' synonyms, user dictionary and aliases — what the engine does on
//! its own, since an alias can be written from how an eval query is phrased.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer, WhitespaceTokenizer};
use tantivy::{Index, TantivyDocument, Term, doc};

use std::sync::Arc;

use crate::content::{Article, Dictionaries, Library};
use crate::korean::Analyzer;
use crate::semantic::{EntryVectors, Model, QueryEmbedder};
use crate::index::{self, SearchIndex};
use crate::search::{CONFIDENT, Engine, Meaning, SearchRequest};

/// How deep the ranking is read (MRR@10).
const DEPTH: usize = 10;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledQuery {
    pub query: String,
    pub expected: Vec<String>,
    #[serde(default = "unclassified")]
    pub class: String,
}

fn unclassified() -> String {
    "unclassified".to_string()
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read query file `{}`: {cause}", path.display())]
    Read { path: PathBuf, cause: std::io::Error },
    #[error("{}:{line}: {message}", path.display())]
    Line { path: PathBuf, line: usize, message: String },
    #[error("{what} file `{}` holds no {what} lines", path.display())]
    Empty { path: PathBuf, what: &'static str },
    #[error(transparent)]
    Index(#[from] index::IndexError),
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
    #[error("baseline index failed")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("cannot create a scratch directory: {0}")]
    Scratch(std::io::Error),
    #[error(transparent)]
    Semantic(crate::semantic::SemanticError),
}

/// Reads the JSON-lines query file; a bad line is an error naming its number.
pub fn read_queries(path: &Path) -> Result<Vec<LabelledQuery>, EvalError> {
    read_lines(path, "query", "{\"query\": \"...\", \"expected\": [\"article#anchor\"], \"class\": \"...\"}", |q: &LabelledQuery| {
        if q.query.trim().is_empty() { Err("`query` is empty") } else { Ok(()) }
    })
}

/// One labelled item a line, each checked by `check`; a bad line is an error
/// naming its number and showing the line expected. Blank lines are skipped.
fn read_lines<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &'static str,
    example: &str,
    check: impl Fn(&T) -> Result<(), &'static str>,
) -> Result<Vec<T>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|cause| EvalError::Read { path: path.to_path_buf(), cause })?;
    let mut items = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = |message: String| EvalError::Line { path: path.to_path_buf(), line: i + 1, message };
        let item: T = serde_json::from_str(line).map_err(|e| bad(format!("not a {what} line ({e}); expected {example}")))?;
        check(&item).map_err(|message| bad(message.to_string()))?;
        items.push(item);
    }
    if items.is_empty() {
        return Err(EvalError::Empty { path: path.to_path_buf(), what });
    }
    Ok(items)
}

/// Recall@1, Recall@3 and MRR@10 over the queries that have an answer, and the
/// share of no-answer queries correctly left unanswered.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Scores {
    /// Queries with an expected answer.
    pub answerable: usize,
    pub recall_at_1: f64,
    pub recall_at_3: f64,
    pub mrr_at_10: f64,
    /// Queries with `expected: []`.
    pub unanswerable: usize,
    /// Share of those answered with no confident hit (`null` when there are none).
    pub no_answer_correct: Option<f64>,
    /// Share of answerable queries whose result list was confident (doumi
    /// only): the rest would show the customer the way to support.
    pub confident: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub doumi: Scores,
    /// Whitespace tokens, BM25.
    pub baseline: Scores,
    /// ko-dic morphemes, BM25, no query understanding.
    pub morphemes: Scores,
    /// The embedding model alone: entries ranked by cosine to the query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dense: Option<Scores>,
    /// doumi's hybrid search: its ranking and the dense one fused, weighed by
    /// the query's own evidence (see `search::fusion`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hybrid: Option<Scores>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub query: String,
    pub class: String,
    pub expected: Vec<String>,
    /// doumi's first three hits.
    pub got: Vec<String>,
    pub confidence: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub queries: usize,
    pub overall: Comparison,
    pub classes: BTreeMap<String, Comparison>,
    /// Queries of five words or more: sentences, where analysis matters most.
    pub long_queries: Comparison,
    /// Answerable queries not in doumi's top 3, and unanswerable ones it
    /// answered confidently.
    pub misses: Vec<Miss>,
    /// The same queries on the same content without the editors' synonyms,
    /// user dictionary and aliases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub without_editors: Option<Box<Report>>,
    /// How often doumi's "did you mean" is right, when a list was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<SuggestionScores>,
    /// Every query's ranks and confidences in each ranking, when the dense
    /// stage ran: what fusion weights and thresholds are chosen from.
    #[serde(skip)]
    pub traces: Vec<Trace>,
    pub took_ms: u64,
}

/// One query through the lexical, dense and hybrid rankings (ranks from 1).
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub query: String,
    pub class: String,
    pub expected: Vec<String>,
    pub lexical_rank: Option<usize>,
    pub lexical_confidence: f32,
    pub dense_rank: Option<usize>,
    pub dense_top_cosine: Option<f32>,
    pub dense_weight: f32,
    pub hybrid_rank: Option<usize>,
    pub hybrid_confidence: f32,
    /// Cosine of the hybrid ranking's first hit, when the dense stage ran.
    pub hybrid_top_cosine: Option<f32>,
}

/// Queries typed wrong or right, labelled, for measuring suggestions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledSuggestion {
    pub query: String,
    pub misspelled: bool,
    /// The query as meant, when misspelled.
    #[serde(default)]
    pub expected: Option<String>,
    /// Which help center the query was written for (informative).
    #[serde(default)]
    pub content: Option<String>,
}

/// Precision and recall of the "did you mean" suggestion.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SuggestionScores {
    pub queries: usize,
    pub misspelled: usize,
    /// Suggestions offered at all.
    pub offered: usize,
    /// Offered for a misspelled query and equal to the query as meant.
    pub right: usize,
    /// Offered for a correctly typed query: a correct word "corrected".
    pub for_correct_queries: usize,
    /// right / offered
    pub precision: Option<f64>,
    /// right / misspelled
    pub recall: Option<f64>,
    /// Suggestions that were wrong, with the query.
    pub wrong: Vec<WrongSuggestion>,
    /// Misspelled queries that got no suggestion.
    pub missed: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WrongSuggestion {
    pub query: String,
    pub expected: Option<String>,
    pub got: String,
}

/// One query's outcome for one engine.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    /// Rank of the first expected hit, if any in the first `DEPTH`.
    rank: Option<usize>,
    /// Whether the engine gave no (confident) answer.
    abstained: bool,
    /// Whether the engine tells confident lists from others at all.
    rates_confidence: bool,
}

impl Report {
    /// The per-class table, doumi beside the baselines, as Markdown.
    pub fn to_markdown(&self) -> String {
        let f = |x: f64| format!("{x:.3}");
        let o = |x: Option<f64>| x.map_or("–".to_string(), f);
        let mut md = String::new();
        md.push_str("| class | queries | R@1 doumi | whitespace | morphemes | R@3 doumi | whitespace | morphemes | MRR@10 doumi | whitespace | morphemes | no answer doumi | whitespace |\n");
        md.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        let rows = std::iter::once(("**overall**", &self.overall))
            .chain(self.classes.iter().map(|(k, v)| (k.as_str(), v)))
            .chain(std::iter::once(("*5+ words*", &self.long_queries)));
        for (name, c) in rows {
            let (d, b, m) = (&c.doumi, &c.baseline, &c.morphemes);
            if d.answerable + d.unanswerable == 0 {
                continue;
            }
            let answerable = |x: f64| if d.answerable > 0 { f(x) } else { "–".to_string() };
            md.push_str(&format!(
                "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                d.answerable + d.unanswerable,
                answerable(d.recall_at_1),
                answerable(b.recall_at_1),
                answerable(m.recall_at_1),
                answerable(d.recall_at_3),
                answerable(b.recall_at_3),
                answerable(m.recall_at_3),
                answerable(d.mrr_at_10),
                answerable(b.mrr_at_10),
                answerable(m.mrr_at_10),
                o(d.no_answer_correct),
                o(b.no_answer_correct),
            ));
        }
        if self.overall.dense.is_some() {
            md.push_str("\nBy meaning (multilingual-e5-small): doumi's lexical ranking alone, the dense ranking alone, and doumi's hybrid search (both fused, weighed by the query's own evidence).\n\n");
            md.push_str("| class | queries | R@1 lexical | dense | hybrid | R@3 lexical | dense | hybrid | MRR@10 lexical | dense | hybrid | no answer lexical | hybrid |\n");
            md.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            let rows = std::iter::once(("**overall**", &self.overall))
                .chain(self.classes.iter().map(|(k, v)| (k.as_str(), v)))
                .chain(std::iter::once(("*5+ words*", &self.long_queries)));
            for (name, c) in rows.filter(|(_, c)| c.doumi.answerable + c.doumi.unanswerable > 0) {
                let (Some(d), Some(h)) = (&c.dense, &c.hybrid) else { continue };
                let l = &c.doumi;
                let answerable = |x: f64| if l.answerable > 0 { f(x) } else { "–".to_string() };
                md.push_str(&format!(
                    "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                    l.answerable + l.unanswerable,
                    answerable(l.recall_at_1),
                    answerable(d.recall_at_1),
                    answerable(h.recall_at_1),
                    answerable(l.recall_at_3),
                    answerable(d.recall_at_3),
                    answerable(h.recall_at_3),
                    answerable(l.mrr_at_10),
                    answerable(d.mrr_at_10),
                    answerable(h.mrr_at_10),
                    o(l.no_answer_correct),
                    o(h.no_answer_correct),
                ));
            }
        }
        md
    }
}

/// A help center ready to search, with its labelled queries, its categories
/// (and none), and the scratch folder its index lives in.
#[cfg(test)]
pub type LabelledHelpCenter = (Engine, Vec<LabelledQuery>, Vec<Option<String>>, tempfile::TempDir);

/// For tests: the bundled help center and the holdout's, each indexed into
/// a scratch folder, with its labelled queries and its categories (and none).
#[cfg(test)]
pub fn labelled_help_centers() -> Vec<LabelledHelpCenter> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [("content", "tests/eval/queries.jsonl"), ("tests/eval/holdout/content", "tests/eval/holdout/queries.jsonl")]
        .into_iter()
        .map(|(content, queries)| {
            let content = root.join(content);
            let library = Library::load(&content).unwrap();
            let (engine, _, dir) = scratch_engine(&library, &content).unwrap();
            (engine, read_queries(&root.join(queries)).unwrap(), categories(&library), dir)
        })
        .collect()
}

/// For tests: the bundled help center indexed into a scratch folder, and
/// the folder.
#[cfg(test)]
pub fn bundled_help_center() -> (Engine, tempfile::TempDir) {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = Library::load(&content).unwrap();
    let (engine, _, dir) = scratch_engine(&library, &content).unwrap();
    (engine, dir)
}

/// For tests: the categories of `library`'s entries, each once (none among
/// them if an entry has none).
#[cfg(test)]
pub fn categories(library: &Library) -> Vec<Option<String>> {
    let mut categories: Vec<Option<String>> = library.entries().map(|e| e.category).collect();
    categories.sort();
    categories.dedup();
    categories
}

/// `library` indexed into a scratch folder (removed when the returned guard
/// drops), ready to search, with the problems found in its synonyms; the
/// live index is never touched.
pub fn scratch_engine(library: &Library, content_dir: &Path) -> Result<(Engine, Vec<crate::content::Problem>, tempfile::TempDir), EvalError> {
    let scratch = tempfile::tempdir().map_err(EvalError::Scratch)?;
    index::build(library, scratch.path(), Instant::now())?;
    let (engine, problems) = Engine::new(SearchIndex::open(scratch.path())?, content_dir)?;
    Ok((engine, problems, scratch))
}

/// Measures `queries` on `library` as written and without the editors'
/// dictionaries and aliases, and the suggestions on `suggestions` if given.
pub fn run(
    library: &Library,
    content_dir: &Path,
    queries: &[LabelledQuery],
    suggestions: Option<&[LabelledSuggestion]>,
) -> Result<Report, EvalError> {
    run_with(library, content_dir, queries, suggestions, None)
}

/// [`run`], with the dense ranking alone and doumi's hybrid search beside its
/// lexical ranking, when `semantic` gives the model and the most the dense
/// ranking may count (`semantic_weight`).
pub fn run_with(
    library: &Library,
    content_dir: &Path,
    queries: &[LabelledQuery],
    suggestions: Option<&[LabelledSuggestion]>,
    semantic: Option<(Arc<Model>, f32)>,
) -> Result<Report, EvalError> {
    let started = Instant::now();
    // Entries are embedded from their questions and answers, which the
    // editors' aliases and dictionaries do not touch: once serves both runs,
    // and so do the query embeddings, remembered.
    let dense = semantic.map(|(model, weight)| meaning_of(model, weight, library)).transpose()?;
    let mut report = measure(library, content_dir, queries, suggestions, dense.as_ref())?;
    let has_editors = library.dictionaries != Dictionaries::default()
        || library.articles.iter().any(|a| !a.aliases.is_empty() || a.sections.iter().any(|s| !s.aliases.is_empty()));
    // Without anything of the editors' to take away, the second run is the first.
    let bare = if has_editors {
        measure(&without_editors(library), content_dir, queries, None, dense.as_ref())?
    } else {
        Report { suggestions: None, ..report.clone() }
    };
    report.without_editors = Some(Box::new(bare));
    report.took_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// The library as the engine alone would serve it: no article or question
/// aliases, no synonyms, no user dictionary.
pub fn without_editors(library: &Library) -> Library {
    let strip = |article: &Arc<Article>| {
        let mut a = (**article).clone();
        a.aliases.clear();
        for section in &mut a.sections {
            section.aliases.clear();
        }
        Arc::new(a)
    };
    Library {
        articles: library.articles.iter().map(strip).collect(),
        drafts: library.drafts.iter().map(strip).collect(),
        problems: library.problems.clone(),
        files: library.files,
        dictionaries: Dictionaries::default(),
    }
}

fn measure(
    library: &Library,
    content_dir: &Path,
    queries: &[LabelledQuery],
    suggestions: Option<&[LabelledSuggestion]>,
    dense: Option<&Meaning>,
) -> Result<Report, EvalError> {
    let started = Instant::now();
    let (engine, _, _scratch) = scratch_engine(library, content_dir)?;
    let engine = match dense {
        Some(meaning) => engine.with_meaning(meaning.clone()),
        None => engine,
    };
    let mut traces = Vec::new();
    let mut dense_outcomes = Vec::new();
    let mut hybrid_outcomes = Vec::new();
    let whitespace = Baseline::build(library, Tokens::Whitespace)?;
    let morphemes = Baseline::build(library, Tokens::Morphemes(engine.index.analyzer.clone()))?;

    let mut doumi_outcomes = Vec::new();
    let mut whitespace_outcomes = Vec::new();
    let mut morpheme_outcomes = Vec::new();
    let mut misses = Vec::new();
    for q in queries {
        let mut request = SearchRequest::new(q.query.clone());
        request.limit = DEPTH;
        request.semantic = false;
        let response = match engine.search(&request) {
            Ok(r) => r,
            // A query the API would refuse (too long) finds nothing.
            Err(crate::search::SearchError::QueryTooLong { .. } | crate::search::SearchError::EmptyQuery) => {
                doumi_outcomes.push(Outcome { rank: None, abstained: true, rates_confidence: true });
                for outcomes in [&mut whitespace_outcomes, &mut morpheme_outcomes, &mut dense_outcomes, &mut hybrid_outcomes] {
                    outcomes.push(Outcome { rank: None, abstained: true, rates_confidence: false });
                }
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let ids: Vec<(String, String)> = response.hits.iter().map(|h| (h.id.clone(), h.article_id.clone())).collect();
        let outcome = Outcome {
            rank: first_expected(&ids, &q.expected),
            abstained: response.hits.is_empty() || response.confidence < CONFIDENT,
            rates_confidence: true,
        };
        let missed = if q.expected.is_empty() { !outcome.abstained } else { outcome.rank.is_none_or(|r| r >= 3) };
        if missed {
            misses.push(Miss {
                query: q.query.clone(),
                class: q.class.clone(),
                expected: q.expected.clone(),
                got: ids.iter().take(3).map(|(id, _)| id.clone()).collect(),
                confidence: response.confidence,
            });
        }
        doumi_outcomes.push(outcome);
        if let Some(meaning) = dense {
            let vector = meaning.queries.embed(&q.query).map_err(EvalError::Semantic)?;
            let nearest = meaning.vectors.nearest(&vector, DEPTH);
            let by_meaning: Vec<(String, String)> = nearest
                .iter()
                .map(|&(row, _)| {
                    let id = meaning.vectors.id(row);
                    (id.to_string(), id.split('#').next().unwrap_or(id).to_string())
                })
                .collect();
            let dense_outcome = Outcome { rank: first_expected(&by_meaning, &q.expected), abstained: by_meaning.is_empty(), rates_confidence: false };
            request.semantic = true;
            let (hybrid, explanation) = engine.explain(&request)?;
            let fused: Vec<(String, String)> = hybrid.hits.iter().map(|h| (h.id.clone(), h.article_id.clone())).collect();
            let hybrid_outcome = Outcome {
                rank: first_expected(&fused, &q.expected),
                abstained: fused.is_empty() || hybrid.confidence < CONFIDENT,
                rates_confidence: true,
            };
            traces.push(Trace {
                query: q.query.clone(),
                class: q.class.clone(),
                expected: q.expected.clone(),
                lexical_rank: outcome.rank.map(|r| r + 1),
                lexical_confidence: response.confidence,
                dense_rank: dense_outcome.rank.map(|r| r + 1),
                dense_top_cosine: nearest.first().map(|&(_, c)| c),
                dense_weight: explanation.dense_weight,
                hybrid_rank: hybrid_outcome.rank.map(|r| r + 1),
                hybrid_confidence: hybrid.confidence,
                hybrid_top_cosine: explanation.hits.first().and_then(|h| h.cosine),
            });
            dense_outcomes.push(dense_outcome);
            hybrid_outcomes.push(hybrid_outcome);
        }
        for (baseline, outcomes) in [(&whitespace, &mut whitespace_outcomes), (&morphemes, &mut morpheme_outcomes)] {
            let ids = baseline.search(&q.query)?;
            outcomes.push(Outcome { rank: first_expected(&ids, &q.expected), abstained: ids.is_empty(), rates_confidence: false });
        }
    }

    let compare = |filter: &dyn Fn(&LabelledQuery) -> bool| Comparison {
        doumi: score(queries, &doumi_outcomes, filter),
        baseline: score(queries, &whitespace_outcomes, filter),
        morphemes: score(queries, &morpheme_outcomes, filter),
        dense: dense.as_ref().map(|_| score(queries, &dense_outcomes, filter)),
        hybrid: dense.as_ref().map(|_| score(queries, &hybrid_outcomes, filter)),
    };
    let mut classes = BTreeMap::new();
    for class in queries.iter().map(|q| q.class.clone()).collect::<std::collections::BTreeSet<_>>() {
        classes.insert(class.clone(), compare(&|q| q.class == class));
    }
    let suggestions = suggestions.map(|list| score_suggestions(&engine, list)).transpose()?;
    Ok(Report {
        queries: queries.len(),
        overall: compare(&|_| true),
        classes,
        long_queries: compare(&|q| q.query.split_whitespace().count() >= 5),
        misses,
        without_editors: None,
        suggestions,
        traces,
        took_ms: started.elapsed().as_millis() as u64,
    })
}

/// Reads a JSON-lines list of labelled suggestions; a bad line names its number.
pub fn read_suggestions(path: &Path) -> Result<Vec<LabelledSuggestion>, EvalError> {
    read_lines(path, "suggestion", "{\"query\": \"...\", \"misspelled\": true, \"expected\": \"...\"}", |s: &LabelledSuggestion| {
        if s.misspelled == s.expected.is_some() { Ok(()) } else { Err("`expected` is given exactly when `misspelled` is true") }
    })
}

fn score_suggestions(engine: &Engine, list: &[LabelledSuggestion]) -> Result<SuggestionScores, EvalError> {
    let mut s = SuggestionScores { queries: list.len(), ..SuggestionScores::default() };
    for item in list {
        s.misspelled += usize::from(item.misspelled);
        let mut request = SearchRequest::new(item.query.clone());
        request.limit = 3;
        let Some(got) = engine.search(&request)?.suggestion else {
            if item.misspelled {
                s.missed.push(item.query.clone());
            }
            continue;
        };
        s.offered += 1;
        if item.expected.as_deref() == Some(got.as_str()) {
            s.right += 1;
        } else {
            s.for_correct_queries += usize::from(!item.misspelled);
            s.wrong.push(WrongSuggestion { query: item.query.clone(), expected: item.expected.clone(), got });
        }
    }
    s.precision = (s.offered > 0).then(|| round3(s.right as f64 / s.offered as f64));
    s.recall = (s.misspelled > 0).then(|| round3(s.right as f64 / s.misspelled as f64));
    Ok(s)
}

/// Every entry of `library` embedded as the index embeds it, with a query
/// embedder that remembers every query (both runs ask the same ones).
fn meaning_of(model: Arc<Model>, weight: f32, library: &Library) -> Result<Meaning, EvalError> {
    let entries: Vec<_> = library.entries().collect();
    let passages: Vec<String> = entries.iter().map(index::passage).collect();
    let vectors = model.embed_passages(&passages).map_err(EvalError::Semantic)?;
    let vectors = EntryVectors::new(entries.into_iter().map(|e| e.id).collect(), vectors);
    let queries = Arc::new(QueryEmbedder::new(model, 1 << 16));
    Ok(Meaning { queries, vectors: Arc::new(vectors), weight })
}

fn first_expected(hits: &[(String, String)], expected: &[String]) -> Option<usize> {
    hits.iter().take(DEPTH).position(|(id, article)| {
        expected.iter().any(|e| e == id || (!e.contains('#') && e == article))
    })
}

/// A share as reported: three decimals.
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn score(queries: &[LabelledQuery], outcomes: &[Outcome], filter: &dyn Fn(&LabelledQuery) -> bool) -> Scores {
    let mut s = Scores::default();
    let mut abstained = 0usize;
    let mut confident = 0usize;
    let mut rates_confidence = false;
    for (q, o) in queries.iter().zip(outcomes).filter(|(q, _)| filter(q)) {
        rates_confidence |= o.rates_confidence;
        if q.expected.is_empty() {
            s.unanswerable += 1;
            abstained += usize::from(o.abstained);
            continue;
        }
        s.answerable += 1;
        confident += usize::from(!o.abstained);
        if let Some(rank) = o.rank {
            s.recall_at_1 += f64::from(u8::from(rank < 1));
            s.recall_at_3 += f64::from(u8::from(rank < 3));
            s.mrr_at_10 += 1.0 / (rank as f64 + 1.0);
        }
    }
    if s.answerable > 0 {
        let n = s.answerable as f64;
        s.recall_at_1 = round3(s.recall_at_1 / n);
        s.recall_at_3 = round3(s.recall_at_3 / n);
        s.mrr_at_10 = round3(s.mrr_at_10 / n);
    }
    s.no_answer_correct = (s.unanswerable > 0).then(|| round3(abstained as f64 / s.unanswerable as f64));
    s.confident = (rates_confidence && s.answerable > 0).then(|| round3(confident as f64 / s.answerable as f64));
    s
}

/// How a baseline cuts text into terms.
enum Tokens {
    /// Whitespace tokens, lowercased: no Korean handling at all.
    Whitespace,
    /// ko-dic morphemes less particles and endings: a MeCab-style engine.
    Morphemes(Arc<Analyzer>),
}

impl Tokens {
    fn of(&self, text: &str) -> String {
        match self {
            Tokens::Whitespace => text.to_string(),
            Tokens::Morphemes(analyzer) => analyzer.plain_morphemes(text).join(" "),
        }
    }
}

/// A baseline: terms from `Tokens`, BM25 over the same fields with the same
/// boosts, every query term optional. No query understanding.
struct Baseline {
    index: Index,
    tokens: Tokens,
    fields: [(tantivy::schema::Field, f32); 6],
    id: tantivy::schema::Field,
    article_id: tantivy::schema::Field,
}

const WHITESPACE: &str = "whitespace_lower";

impl Baseline {
    fn build(library: &Library, tokens: Tokens) -> tantivy::Result<Baseline> {
        let mut builder = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(WHITESPACE).set_index_option(IndexRecordOption::WithFreqs),
        );
        let id = builder.add_text_field("id", STRING | STORED);
        let article_id = builder.add_text_field("article_id", STRING | STORED);
        let title = builder.add_text_field("title", text.clone());
        let aliases = builder.add_text_field("aliases", text.clone());
        let article_aliases = builder.add_text_field("article_aliases", text.clone());
        let tags = builder.add_text_field("tags", text.clone());
        let article_title = builder.add_text_field("article_title", text.clone());
        let body = builder.add_text_field("body", text);
        let index = Index::create_in_ram(builder.build());
        index
            .tokenizers()
            .register(WHITESPACE, TextAnalyzer::builder(WhitespaceTokenizer::default()).filter(LowerCaser).build());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 32 * 1024 * 1024)?;
        for e in library.entries() {
            let t = |text: &str| tokens.of(text);
            writer.add_document(doc!(
                id => e.id.clone(),
                article_id => e.article_id.clone(),
                title => t(&e.title),
                aliases => t(&e.aliases.join("\n")),
                article_aliases => t(&e.article_aliases.join("\n")),
                tags => t(&e.tags.join(" ")),
                article_title => t(&e.article_title),
                body => t(&e.body),
            ))?;
        }
        writer.commit()?;
        // Same boosts as doumi's fields, so the comparison is about analysis.
        let fields = [(title, 3.0), (aliases, 3.0), (tags, 1.5), (article_title, 1.2), (article_aliases, 1.2), (body, 1.0)];
        Ok(Baseline { index, tokens, fields, id, article_id })
    }

    fn search(&self, query: &str) -> tantivy::Result<Vec<(String, String)>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for token in self.tokens.of(query).split_whitespace().map(str::to_lowercase) {
            for (field, boost) in self.fields {
                let term = TermQuery::new(Term::from_field_text(field, &token), IndexRecordOption::WithFreqs);
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(term), boost))));
            }
        }
        let searcher = self.index.reader()?.searcher();
        let top = searcher.search(&BooleanQuery::new(clauses), &TopDocs::with_limit(DEPTH).order_by_score())?;
        top.into_iter()
            .map(|(_, address)| {
                let doc: TantivyDocument = searcher.doc(address)?;
                let get = |f| doc.get_first(f).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                Ok((get(self.id), get(self.article_id)))
            })
            .collect()
    }
}
