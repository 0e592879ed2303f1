//! Meaning, not only words: the embedding model (multilingual-e5-small) that
//! turns a customer's question and an entry into vectors whose cosine says how
//! close their meanings are, on CPU and offline.
//!
//! The model lives outside the project, in `../shared/models/multilingual-e5-small`
//! beside the crate (resolved when the binary is built, so `doumi` finds it from
//! any working directory) or wherever `model_dir` points. Its README is the
//! recipe followed here: `query: ` / `passage: ` prefixes, candle's plain BERT
//! (position ids 0..L-1), mean pooling over the attention mask, L2
//! normalisation. This module calls nothing of `index` or `search`.

mod encoder;
mod model;
mod queries;
mod store;
mod vectors;

pub use encoder::Precision;
pub use model::{DIM, Model, SemanticError};
pub use queries::QueryEmbedder;
pub use store::{Embedded, EmbeddingStore};
pub use vectors::EntryVectors;

use std::path::PathBuf;

/// Where the model is looked for when `model_dir` is not set: the shared
/// folder beside this crate, as it was when the binary was built.
pub fn default_model_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/models/multilingual-e5-small"))
}

/// Cosine similarity of two L2-normalised vectors: their dot product.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
