//! The dense stage kept up to date beside the lexical index: a thread that
//! loads the embedding model once, embeds the entries of every version of the
//! content the indexing thread publishes (only the changed ones; the rest come
//! from `index/embeddings.bin`), and hands the vectors back to be published.
//!
//! It runs after the lexical commit, never before: a save is searchable by its
//! words within the reload budget, and by its meaning once embedded, which
//! `/healthz` reports as `semantic.status = "embedding"` meanwhile.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use serde::Serialize;
use utoipa::ToSchema;

use super::state::AppState;
use crate::content::Article;
use crate::index::EntryEmbeddings;
use crate::search::Meaning;
use crate::semantic::{Model, QueryEmbedder};

/// What the dense stage is doing, for `/healthz`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SemanticStatus {
    /// `off` (turned off by `semantic = false`), `loading` (the model),
    /// `embedding` (entries changed; they are found by their words meanwhile),
    /// `ready`, or `unavailable` (no usable model: lexical search only, see
    /// `message`).
    pub status: String,
    /// Entries that have an embedding.
    pub entries: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl SemanticStatus {
    pub fn off() -> SemanticStatus {
        SemanticStatus { status: "off".into(), entries: 0, message: None }
    }

    fn set(state: &AppState, status: &str, entries: usize, message: Option<String>) {
        *state.semantic.lock().unwrap_or_else(|e| e.into_inner()) = SemanticStatus { status: status.into(), entries, message };
    }
}

enum Job {
    Embed(Vec<Arc<Article>>),
    Stop,
}

/// The running embedding thread.
pub struct Embedder {
    sender: Sender<Job>,
}

impl Embedder {
    /// Starts the thread, which loads the model; `on_ready` is called each
    /// time new vectors are in `state.meaning`, and returns once a snapshot
    /// using them is published. `None` when `semantic` is off.
    pub fn start(state: AppState, on_ready: impl Fn() + Send + 'static) -> Option<Embedder> {
        if !state.config.semantic {
            return None;
        }
        SemanticStatus::set(&state, "loading", 0, None);
        let (sender, receiver) = channel();
        std::thread::Builder::new()
            .name("doumi-embedder".into())
            .spawn(move || run(state, receiver, on_ready))
            .expect("the embedding thread starts");
        Some(Embedder { sender })
    }

    /// Embeds the entries of `articles` when the thread is free; a newer call
    /// replaces an older one still waiting.
    pub fn embed(&self, articles: Vec<Arc<Article>>) {
        let _ = self.sender.send(Job::Embed(articles));
    }

    /// Asks the thread to stop after the batch it is embedding. Not waited
    /// for: a first embedding of many entries takes minutes, and the kept
    /// vectors are only ever replaced whole (written beside, then renamed).
    pub fn stop(self) {
        let _ = self.sender.send(Job::Stop);
    }
}

fn run(state: AppState, receiver: Receiver<Job>, on_ready: impl Fn()) {
    let config = state.config.clone();
    let dir = config.model_dir();
    let started = std::time::Instant::now();
    let model = match Model::load(&dir) {
        Ok(model) => Arc::new(model),
        Err(e) => {
            tracing::warn!(error = %e, "semantic search is unavailable; serving lexical search only");
            SemanticStatus::set(&state, "unavailable", 0, Some(e.to_string()));
            return;
        }
    };
    tracing::info!(dir = %dir.display(), took_ms = started.elapsed().as_millis() as u64, "embedding model loaded");
    let queries = Arc::new(QueryEmbedder::new(model.clone(), config.query_embedding_cache));
    let mut embeddings = EntryEmbeddings::open(&config.index, &model);
    let mut embedded_entries = 0;
    while let Ok(job) = receiver.recv() {
        // Only the latest version of the content is worth embedding.
        let mut latest = job;
        while let Ok(next) = receiver.try_recv() {
            if matches!(latest, Job::Stop) {
                break;
            }
            latest = next;
        }
        let Job::Embed(articles) = latest else { return };
        SemanticStatus::set(&state, "embedding", embedded_entries, None);
        let started = std::time::Instant::now();
        match embeddings.update(&model, &articles) {
            Ok((vectors, embedded)) => {
                if embedded.computed > 0
                    && let Err(e) = embeddings.save()
                {
                    tracing::warn!(error = %e, path = %embeddings.path().display(), "cannot keep the entry embeddings; they will be worked out again at the next start");
                }
                embedded_entries = vectors.len();
                tracing::info!(computed = embedded.computed, reused = embedded.reused, took_ms = started.elapsed().as_millis() as u64, "entries embedded");
                state.meaning.store(Some(Arc::new(Meaning { queries: queries.clone(), vectors: Arc::new(vectors), weight: config.semantic_weight })));
                // Ready once searches use them, not before.
                on_ready();
                SemanticStatus::set(&state, "ready", embedded_entries, None);
            }
            Err(e) => {
                // The previous vectors stay; changed entries are found by
                // their words until the next edit embeds them.
                tracing::warn!(error = %e, "embedding entries failed; changed entries are found by their words only");
                SemanticStatus::set(&state, "ready", embedded_entries, Some(e.to_string()));
            }
        }
    }
}
