//! Loading multilingual-e5-small and embedding text with it.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::Config;

use super::encoder::{Encoder, Precision};
use tokenizers::{PaddingParams, Tokenizer};

/// Length of every embedding.
pub const DIM: usize = 384;

/// Passages embedded per forward pass: padding to the longest of a larger
/// batch wastes more than the batch saves.
const BATCH: usize = 16;

/// The three files the model folder must hold.
const FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// Why the model could not be used. The help center still serves lexical
/// search; the message says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum SemanticError {
    #[error("no embedding model at `{}` (missing {file}); set model_dir or DOUMI_MODEL_DIR to the multilingual-e5-small folder", dir.display())]
    Missing { dir: PathBuf, file: &'static str },
    #[error("the embedding model at `{}` cannot be read: {cause}", dir.display())]
    Unreadable { dir: PathBuf, cause: String },
    #[error("embedding failed: {0}")]
    Embed(String),
}

/// The loaded model and its tokenizer. Embedding only reads it, so one model
/// serves every thread.
pub struct Model {
    encoder: Encoder,
    tokenizer: Tokenizer,
    /// Tells this model's vectors from another's (see `fingerprint`).
    fingerprint: [u8; 32],
}

impl Model {
    /// Loads the model from `dir`: about half a second, and 300 MB of memory.
    pub fn load(dir: &Path) -> Result<Model, SemanticError> {
        Model::load_with(dir, Precision::default())
    }

    /// Loads the model from `dir` with its linear layers at `precision`.
    pub fn load_with(dir: &Path, precision: Precision) -> Result<Model, SemanticError> {
        for file in FILES {
            if !dir.join(file).is_file() {
                return Err(SemanticError::Missing { dir: dir.to_path_buf(), file });
            }
        }
        let unreadable = |cause: String| SemanticError::Unreadable { dir: dir.to_path_buf(), cause };
        let config = std::fs::read_to_string(dir.join("config.json")).map_err(|e| unreadable(format!("config.json: {e}")))?;
        let parsed: Config = serde_json::from_str(&config).map_err(|e| unreadable(format!("config.json: {e}")))?;
        let tokenizer_bytes = std::fs::read(dir.join("tokenizer.json")).map_err(|e| unreadable(format!("tokenizer.json: {e}")))?;
        let weights_len = std::fs::metadata(dir.join("model.safetensors")).map_err(|e| unreadable(format!("model.safetensors: {e}")))?.len();
        let mut hasher = blake3::Hasher::new();
        hasher.update(config.as_bytes()).update(&tokenizer_bytes).update(&weights_len.to_le_bytes()).update(format!("{precision:?}").as_bytes());
        let fingerprint = *hasher.finalize().as_bytes();
        let config = parsed;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json")).map_err(|e| unreadable(format!("tokenizer.json: {e}")))?;
        // A batch is padded to its longest text; the mask keeps the padding
        // out of the mean.
        tokenizer.with_padding(Some(PaddingParams { pad_id: config.pad_token_id as u32, pad_token: "<pad>".into(), ..PaddingParams::default() }));
        // SAFETY: the weights file is mapped read-only and not modified while
        // doumi runs; candle copies every tensor into its own f32 buffer here.
        let weights = unsafe { VarBuilder::from_mmaped_safetensors(&[dir.join("model.safetensors")], DType::F32, &Device::Cpu) }
            .map_err(|e| unreadable(format!("model.safetensors: {e}")))?;
        let encoder = Encoder::load(weights, &config, precision).map_err(|e| unreadable(format!("model.safetensors: {e}")))?;
        Ok(Model { encoder, tokenizer, fingerprint })
    }

    /// A hash of the model's configuration, vocabulary, weights size and
    /// precision: vectors kept for one model are never read for another.
    pub fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    /// The embedding of a customer's question.
    pub fn embed_query(&self, text: &str) -> Result<Vec<f32>, SemanticError> {
        Ok(self.embed(&[format!("query: {text}")])?.remove(0))
    }

    /// The embeddings of many customers' questions, in order, a batch at a time.
    pub fn embed_queries(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, SemanticError> {
        let prefixed: Vec<String> = texts.iter().map(|t| format!("query: {t}")).collect();
        self.embed(&prefixed)
    }

    /// The embeddings of entries, in order, a batch at a time.
    pub fn embed_passages(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, SemanticError> {
        let prefixed: Vec<String> = texts.iter().map(|t| format!("passage: {t}")).collect();
        self.embed(&prefixed)
    }

    /// Embeds `texts` in batches of similar length (a batch is padded to its
    /// longest text, and padding costs as much as text), returned in order:
    /// mean of the last hidden states over the attention mask, L2-normalised.
    fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, SemanticError> {
        let failed = |e: &dyn std::fmt::Display| SemanticError::Embed(e.to_string());
        let encodings = self.tokenizer.encode_batch(texts.to_vec(), true).map_err(|e| failed(&e))?;
        let length = |i: usize| encodings[i].get_attention_mask().iter().filter(|&&m| m == 1).count();
        let mut order: Vec<usize> = (0..encodings.len()).collect();
        order.sort_by_key(|&i| length(i));
        let mut vectors = vec![Vec::new(); encodings.len()];
        for batch in order.chunks(BATCH) {
            let width = batch.iter().map(|&i| length(i)).max().unwrap_or(0);
            let mut ids = Vec::with_capacity(batch.len() * width);
            let mut mask = Vec::with_capacity(batch.len() * width);
            for &i in batch {
                // Padding is on the right: the first `width` positions hold
                // every token of the text.
                ids.extend_from_slice(&encodings[i].get_ids()[..width]);
                mask.extend_from_slice(&encodings[i].get_attention_mask()[..width]);
            }
            let embedded = self.run(ids, mask, (batch.len(), width)).map_err(|e| failed(&e))?;
            for (&i, vector) in batch.iter().zip(embedded) {
                vectors[i] = vector;
            }
        }
        Ok(vectors)
    }

    /// One padded batch of `shape` (texts, tokens) through the encoder, pooled.
    fn run(&self, ids: Vec<u32>, mask: Vec<u32>, shape: (usize, usize)) -> candle_core::Result<Vec<Vec<f32>>> {
        let device = &Device::Cpu;
        let ids = Tensor::from_vec(ids, shape, device)?;
        let mask = Tensor::from_vec(mask, shape, device)?;
        let hidden = self.encoder.forward(&ids, &mask)?;
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        let mean = summed.broadcast_div(&mask.sum(1)?)?;
        let normalised = mean.broadcast_div(&mean.sqr()?.sum_keepdim(1)?.sqrt()?)?;
        normalised.to_vec2::<f32>()
    }
}
