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

    pub fn model(&self) -> &Arc<Model> {
        &self.model
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
}
