//! The BERT encoder of multilingual-e5-small, written with candle's tensors
//! so that its linear layers can run quantized.
//!
//! Each linear layer is a `QMatMul`: in f32 exactly as candle's `bert` model
//! computes it, or in 8-bit blocks (ggml's Q8_0, 34 bytes per 32 weights).
//! The three attention projections are one matrix, so a layer runs four
//! multiplications instead of six. Layer norms, embeddings and biases stay
//! f32. `tests/semantic.rs` checks both against candle's `bert` model.
//!
//! f32 is the default: on this 2-core machine candle 0.11.1's Q8_0 kernel
//! embeds a 14-token query no faster than its f32 matrix product (19.5 against
//! 19.8 ms on 2 threads, 32 against 25 ms on one) and a passage slower (115
//! against 71 ms), for a cosine of 0.9996–0.9999 to f32 (BENCHMARKS.md,
//! "Meaning"). The time goes to arithmetic on few rows, not to reading weights.

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{DType, Module, Result, Tensor};
use candle_nn::{Embedding, LayerNorm, VarBuilder, embedding, layer_norm};
use candle_transformers::models::bert::Config;

/// How the encoder's linear layers hold their weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    /// 32-bit floats: exactly candle's `bert` model.
    #[default]
    F32,
    /// 8-bit blocks of 32 weights with one f16 scale (ggml Q8_0).
    Q8,
}

/// A linear layer: `x · Wᵀ + b`.
struct Dense {
    weight: QMatMul,
    bias: Tensor,
}

impl Dense {
    fn new(weight: Tensor, bias: Tensor, precision: Precision) -> Result<Dense> {
        let weight = match precision {
            Precision::F32 => QMatMul::Tensor(weight),
            Precision::Q8 => QMatMul::from_qtensor(QTensor::quantize(&weight, GgmlDType::Q8_0)?)?,
        };
        Ok(Dense { weight, bias })
    }

    fn load(vb: VarBuilder, inputs: usize, outputs: usize, precision: Precision) -> Result<Dense> {
        Dense::new(vb.get((outputs, inputs), "weight")?, vb.get(outputs, "bias")?, precision)
    }

    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        self.weight.forward(xs)?.broadcast_add(&self.bias)
    }
}

struct Layer {
    /// Query, key and value projections stacked: one multiplication.
    qkv: Dense,
    attention_out: Dense,
    attention_norm: LayerNorm,
    intermediate: Dense,
    output: Dense,
    output_norm: LayerNorm,
}

impl Layer {
    fn load(vb: VarBuilder, config: &Config, precision: Precision) -> Result<Layer> {
        let hidden = config.hidden_size;
        let attention = vb.pp("attention");
        let projection = |name: &str| -> Result<(Tensor, Tensor)> {
            let vb = attention.pp("self").pp(name);
            Ok((vb.get((hidden, hidden), "weight")?, vb.get(hidden, "bias")?))
        };
        let (q, k, v) = (projection("query")?, projection("key")?, projection("value")?);
        let qkv = Dense::new(Tensor::cat(&[&q.0, &k.0, &v.0], 0)?, Tensor::cat(&[&q.1, &k.1, &v.1], 0)?, precision)?;
        Ok(Layer {
            qkv,
            attention_out: Dense::load(attention.pp("output").pp("dense"), hidden, hidden, precision)?,
            attention_norm: layer_norm(hidden, config.layer_norm_eps, attention.pp("output").pp("LayerNorm"))?,
            intermediate: Dense::load(vb.pp("intermediate").pp("dense"), hidden, config.intermediate_size, precision)?,
            output: Dense::load(vb.pp("output").pp("dense"), config.intermediate_size, hidden, precision)?,
            output_norm: layer_norm(hidden, config.layer_norm_eps, vb.pp("output").pp("LayerNorm"))?,
        })
    }

    /// `xs` is (batch, tokens, hidden); `mask` is added to the attention
    /// scores (0 for a token, a large negative number for padding).
    fn forward(&self, xs: &Tensor, mask: &Tensor, heads: usize) -> Result<Tensor> {
        let (batch, tokens, hidden) = xs.dims3()?;
        let head = hidden / heads;
        let qkv = self.qkv.forward(xs)?.reshape((batch, tokens, 3, heads, head))?;
        let split = |i: usize| qkv.narrow(2, i, 1)?.squeeze(2)?.transpose(1, 2)?.contiguous();
        let (q, k, v) = (split(0)?, split(1)?, split(2)?);
        let scores = (q.matmul(&k.t()?)? / (head as f64).sqrt())?.broadcast_add(mask)?;
        let probabilities = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = probabilities.matmul(&v)?.transpose(1, 2)?.reshape((batch, tokens, hidden))?;
        let attended = self.attention_norm.forward(&(self.attention_out.forward(&context)? + xs)?)?;
        let intermediate = self.intermediate.forward(&attended)?.gelu_erf()?;
        self.output_norm.forward(&(self.output.forward(&intermediate)? + attended)?)
    }
}

/// Embeddings, then the layers; returns the last hidden states.
pub struct Encoder {
    words: Embedding,
    positions: Embedding,
    token_types: Embedding,
    norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
}

impl Encoder {
    pub fn load(vb: VarBuilder, config: &Config, precision: Precision) -> Result<Encoder> {
        let vb = if vb.contains_tensor("bert.embeddings.word_embeddings.weight") { vb.pp("bert") } else { vb };
        let e = vb.pp("embeddings");
        let hidden = config.hidden_size;
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(vb.pp("encoder").pp("layer").pp(i), config, precision))
            .collect::<Result<Vec<_>>>()?;
        Ok(Encoder {
            words: embedding(config.vocab_size, hidden, e.pp("word_embeddings"))?,
            positions: embedding(config.max_position_embeddings, hidden, e.pp("position_embeddings"))?,
            token_types: embedding(config.type_vocab_size, hidden, e.pp("token_type_embeddings"))?,
            norm: layer_norm(hidden, config.layer_norm_eps, e.pp("LayerNorm"))?,
            layers,
            heads: config.num_attention_heads,
        })
    }

    /// Hidden states of `ids` (batch, tokens), `mask` 1 for tokens, 0 for padding.
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (_, tokens) = ids.dims2()?;
        let positions = Tensor::arange(0u32, tokens as u32, ids.device())?;
        let embedded = self
            .words
            .forward(ids)?
            .broadcast_add(&self.positions.forward(&positions)?)?
            .broadcast_add(&self.token_types.forward(&ids.zeros_like()?)?)?;
        let mut xs = self.norm.forward(&embedded)?;
        // Padding gets a score so low that softmax gives it nothing.
        let mask = ((mask.to_dtype(DType::F32)?.affine(1.0, -1.0)?) * 1e9)?.unsqueeze(1)?.unsqueeze(1)?;
        for layer in &self.layers {
            xs = layer.forward(&xs, &mask, self.heads)?;
        }
        Ok(xs)
    }
}
