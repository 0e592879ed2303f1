//! Entry embeddings kept on disk by content hash, so a restart, a live reload
//! or a rebuild embeds only the entries whose text changed.
//!
//! The file is `DOUMIEMB` + a version byte, the model's fingerprint (32 bytes),
//! the number of vectors (u32), then per vector the blake3 hash of the
//! embedded text (32 bytes) and its `DIM` floats, little-endian. It is
//! written beside and renamed over the old one, so a crash leaves either.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::model::{DIM, Model, SemanticError};

const MAGIC: &[u8; 8] = b"DOUMIEMB";
const VERSION: u8 = 1;

type Key = [u8; 32];

/// Embeddings by the hash of the text they were computed from.
pub struct EmbeddingStore {
    path: PathBuf,
    model: Key,
    vectors: HashMap<Key, Vec<f32>>,
}

/// What one [`EmbeddingStore::embed_all`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Embedded {
    /// Texts whose vector was already kept.
    pub reused: usize,
    /// Texts run through the model now.
    pub computed: usize,
}

impl EmbeddingStore {
    /// Opens the store at `path` for vectors of `model`. A missing file, one
    /// written for another model, or an unreadable one starts empty: the
    /// vectors are worked out again, never read wrongly.
    pub fn open(path: &Path, model: &Model) -> EmbeddingStore {
        let fingerprint = model.fingerprint();
        let vectors = std::fs::read(path).ok().and_then(|bytes| parse(&bytes, &fingerprint)).unwrap_or_default();
        EmbeddingStore { path: path.to_path_buf(), model: fingerprint, vectors }
    }

    /// Vectors kept.
    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// The passage embedding of each text, in order: kept ones reused, the
    /// rest computed. Vectors of texts not asked for are dropped, so the store
    /// holds exactly the current entries.
    pub fn embed_all(&mut self, model: &Model, texts: &[String]) -> Result<(Vec<Vec<f32>>, Embedded), SemanticError> {
        let keys: Vec<Key> = texts.iter().map(|t| *blake3::hash(t.as_bytes()).as_bytes()).collect();
        let missing: Vec<usize> = (0..texts.len()).filter(|&i| !self.vectors.contains_key(&keys[i])).collect();
        let batch: Vec<String> = missing.iter().map(|&i| texts[i].clone()).collect();
        for (&i, vector) in missing.iter().zip(model.embed_passages(&batch)?) {
            self.vectors.insert(keys[i], vector);
        }
        let wanted: std::collections::HashSet<&Key> = keys.iter().collect();
        self.vectors.retain(|k, _| wanted.contains(k));
        let vectors = keys.iter().map(|k| self.vectors[k].clone()).collect();
        Ok((vectors, Embedded { reused: texts.len() - missing.len(), computed: missing.len() }))
    }

    /// Writes the store: to a file beside it, then renamed over it.
    pub fn save(&self) -> std::io::Result<()> {
        let mut bytes = Vec::with_capacity(8 + 1 + 32 + 4 + self.vectors.len() * (32 + DIM * 4));
        bytes.extend_from_slice(MAGIC);
        bytes.push(VERSION);
        bytes.extend_from_slice(&self.model);
        bytes.extend_from_slice(&(self.vectors.len() as u32).to_le_bytes());
        for (key, vector) in &self.vectors {
            bytes.extend_from_slice(key);
            for x in vector {
                bytes.extend_from_slice(&x.to_le_bytes());
            }
        }
        let partial = self.path.with_extension("partial");
        let mut file = std::fs::File::create(&partial)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&partial, &self.path)
    }
}

/// The vectors of a store file, if it is whole and for this model.
fn parse(bytes: &[u8], model: &Key) -> Option<HashMap<Key, Vec<f32>>> {
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let (&version, rest) = rest.split_first()?;
    if version != VERSION || rest.get(..32)? != model.as_slice() {
        return None;
    }
    let count = u32::from_le_bytes(rest.get(32..36)?.try_into().ok()?) as usize;
    let records = &rest[36..];
    let record = 32 + DIM * 4;
    if records.len() != count.checked_mul(record)? {
        return None;
    }
    let mut vectors = HashMap::with_capacity(count);
    for chunk in records.chunks_exact(record) {
        let key: Key = chunk[..32].try_into().ok()?;
        let vector = chunk[32..].chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        vectors.insert(key, vector);
    }
    Some(vectors)
}
