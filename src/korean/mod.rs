//! Korean text analysis: normalization, morphemes, and the tantivy tokenizer.

mod analyzer;
pub mod jamo;
mod normalize;
mod tokenizer;

pub use analyzer::{Analyzer, AnalyzerError, Reading, Role, Term, analyze, warm_up};
pub(crate) use analyzer::remember_word;
pub use normalize::Normalized;
pub use tokenizer::{KOREAN, KoreanTokenizer};
