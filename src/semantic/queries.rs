//! Query embeddings, remembered: customers ask the same questions over and
//! over, and one embedding costs more than the whole lexical search.

use std::sync::Arc;

use super::model::{Model, SemanticError};

/// The model with the embeddings of recent queries.
pub struct QueryEmbedder {
    model: Arc<Model>,
    cache: Option<quick_cache::sync::Cache<String, Arc<[f32]>>>,
}

impl QueryEmbedder {
    /// Remembers up to `entries` query embeddings (0 remembers none).
    pub fn new(model: Arc<Model>, entries: usize) -> QueryEmbedder {
        QueryEmbedder { model, cache: (entries > 0).then(|| quick_cache::sync::Cache::new(entries)) }
    }

    /// The embedding of `text` as a customer's question.
    pub fn embed(&self, text: &str) -> Result<Arc<[f32]>, SemanticError> {
        let Some(cache) = &self.cache else {
            return Ok(self.model.embed_query(text)?.into());
        };
        if let Some(vector) = cache.get(text) {
            return Ok(vector);
        }
        let vector: Arc<[f32]> = self.model.embed_query(text)?.into();
        cache.insert(text.to_string(), vector.clone());
        Ok(vector)
    }

    /// The embeddings of many questions, in order: remembered ones reused,
    /// the rest embedded together in batches.
    pub fn embed_many(&self, texts: &[String]) -> Result<Vec<Arc<[f32]>>, SemanticError> {
        let mut vectors: Vec<Option<Arc<[f32]>>> = texts.iter().map(|t| self.cache.as_ref().and_then(|c| c.get(t.as_str()))).collect();
        let missing: Vec<usize> = (0..texts.len()).filter(|&i| vectors[i].is_none()).collect();
        let batch: Vec<String> = missing.iter().map(|&i| texts[i].clone()).collect();
        for (&i, vector) in missing.iter().zip(self.model.embed_queries(&batch)?) {
            let vector: Arc<[f32]> = vector.into();
            if let Some(cache) = &self.cache {
                cache.insert(texts[i].clone(), vector.clone());
            }
            vectors[i] = Some(vector);
        }
        Ok(vectors.into_iter().flatten().collect())
    }
}
