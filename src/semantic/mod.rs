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

/// Cosine at or above which two customers' questions (embedded as queries)
/// ask the same thing. On the dev set's 41,616 pairs of labelled questions
/// (`cargo bench --bench meaning`, BENCHMARKS.md "Meaning"), 0.12 % of the
/// pairs with different answers are this close, and 9.8 % of those with the
/// same answer: e5-small puts paraphrases that share no word (계정 삭제 /
/// 회원 탈퇴, 0.88) below unrelated questions on one topic (0.91), so only
/// close rewordings are joined. A false join merges two gaps, or warns an
/// editor about two different questions; a miss only leaves them apart.
/// Used to cluster unanswered searches.
pub const SAME_QUESTION: f32 = 0.94;

/// Cosine at or above which two FAQ questions of the help center ask the same
/// thing (`doumi check`). Stricter than [`SAME_QUESTION`]: a help center's
/// questions are all about one shop, and neighbours on one topic reach 0.97
/// (휴면계정이 뭔가요? / 휴면계정은 어떻게 해제하나요?), while a rewording of one
/// question reaches 0.98 (회원 탈퇴는 어떻게 하나요? / 회원 탈퇴하는 방법이 궁금해요).
/// At 0.98 the bundled help center and the holdout show no warning; see
/// BENCHMARKS.md "Meaning" for the dev set's labelled pairs above it.
pub const ASKED_TWICE: f32 = 0.98;

/// Cosine similarity of two L2-normalised vectors: their dot product, summed
/// in eight lanes so the compiler can use vector instructions (one running
/// sum cannot be reordered, and ran three times slower).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (chunks_a, chunks_b) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = chunks_a.remainder().iter().zip(chunks_b.remainder()).map(|(x, y)| x * y).sum();
    let mut lanes = [0.0f32; 8];
    for (x, y) in chunks_a.zip(chunks_b) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}
