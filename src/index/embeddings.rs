//! Entry embeddings beside the search index: what of an entry is embedded,
//! and the vectors kept in `index/embeddings.bin` by content hash, so a
//! restart, a live reload or a rebuild embeds only entries whose text changed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::{Article, ArticleKind, Entry, Problem, Section};
use crate::semantic::{Embedded, EmbeddingStore, EntryVectors, Model, ASKED_TWICE, SemanticError, cosine};

/// The file under the index folder holding entry embeddings.
pub const EMBEDDINGS_FILE: &str = "embeddings.bin";

/// Characters of an answer embedded after its question: what a customer
/// would recognise in a result, within the model's reach (about 100 tokens
/// with the question). Measured against the question alone and 400
/// characters in BENCHMARKS.md ("Meaning").
pub const PASSAGE_ANSWER_CHARS: usize = 200;

/// The text embedded for an entry: its question (or heading) and the start of
/// its answer. Aliases are left out: they are the editors' work, and the dense
/// stage must find what the editors have not yet written down.
pub fn passage(entry: &Entry) -> String {
    let start: String = entry.body.chars().take(PASSAGE_ANSWER_CHARS).collect();
    format!("{}\n{}", entry.title, start)
}

/// The embeddings of the served entries, kept on disk between runs.
pub struct EntryEmbeddings {
    store: EmbeddingStore,
    path: PathBuf,
}

impl EntryEmbeddings {
    /// Opens the kept embeddings under `index_dir` for `model`; a missing or
    /// unreadable file, or one of another model, starts empty.
    pub fn open(index_dir: &Path, model: &Model) -> EntryEmbeddings {
        let path = index_dir.join(EMBEDDINGS_FILE);
        EntryEmbeddings { store: EmbeddingStore::open(&path, model), path }
    }

    /// Where they are kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The vectors of every entry of `articles`: kept ones reused, changed
    /// ones embedded now. Nothing is written; see [`EntryEmbeddings::save`].
    pub fn update(&mut self, model: &Model, articles: &[Arc<Article>]) -> Result<(EntryVectors, Embedded), SemanticError> {
        let entries: Vec<Entry> = articles.iter().flat_map(|a| a.entries()).collect();
        let passages: Vec<String> = entries.iter().map(passage).collect();
        let (vectors, embedded) = self.store.embed_all(model, &passages)?;
        let ids = entries.into_iter().map(|e| e.id).collect();
        Ok((EntryVectors::new(ids, vectors), embedded))
    }

    /// Keeps the vectors for the next run.
    pub fn save(&self) -> std::io::Result<()> {
        self.store.save()
    }
}

/// FAQ questions that ask the same thing in different words: each pair whose
/// embeddings as questions are [`ASKED_TWICE`] close or closer, as a warning
/// at the later of the two. Questions written the same way are left to
/// `content::check`, which names them already.
pub fn similar_questions(model: &Model, articles: &[Arc<Article>]) -> Result<Vec<Problem>, SemanticError> {
    let questions: Vec<(&Article, &Section)> = articles
        .iter()
        .filter(|a| a.kind == ArticleKind::Faq)
        .flat_map(|a| a.sections.iter().map(move |s| (&**a, s)))
        .filter(|(_, s)| !s.heading.trim().is_empty())
        .collect();
    let texts: Vec<String> = questions.iter().map(|(_, s)| s.heading.clone()).collect();
    let vectors = model.embed_queries(&texts)?;
    let written = |text: &str| -> String { text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect() };
    let mut problems: Vec<Problem> = (0..questions.len())
        .into_par_iter()
        .flat_map_iter(|j| {
            let (questions, vectors, written) = (&questions, &vectors, &written);
            (0..j).filter_map(move |i| {
                let similarity = cosine(&vectors[i], &vectors[j]);
                let ((first, earlier), (article, later)) = (questions[i], questions[j]);
                if similarity < ASKED_TWICE || written(&earlier.heading) == written(&later.heading) {
                    return None;
                }
                Some(Problem::warning(
                    &article.path,
                    later.line,
                    format!(
                        "question `{}` asks what `{}` at {}:{} asks, in other words (meaning {similarity:.2}); merge the answers or make the difference clear in both questions",
                        later.heading,
                        earlier.heading,
                        first.path.display(),
                        earlier.line
                    ),
                ))
            })
        })
        .collect();
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    Ok(problems)
}
