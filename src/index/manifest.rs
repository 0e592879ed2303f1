//! `index/search/doumi-manifest.json`: what the index was built from.
//!
//! The analyzer version and the editors' dictionaries (queries must be analysed
//! as the entries were), and the version of every file indexed, so that a start
//! or a save only re-reads what changed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::IndexError;
use crate::content::{Dictionaries, Fingerprint, Library};

pub const MANIFEST_FILE: &str = "doumi-manifest.json";

/// Bumped whenever the Korean analysis, the schema or a stored layout (such
/// as `snippet_terms`) changes what is indexed: an index built by another
/// version is rebuilt rather than searched wrongly.
pub const ANALYZER_VERSION: u32 = 7;

/// One file as indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedFile {
    pub fingerprint: Fingerprint,
    /// The article id its entries carry; `None` for a draft.
    pub article_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub analyzer_version: u32,
    pub dictionaries: Dictionaries,
    /// By path, as the content directory joined with the file.
    pub files: BTreeMap<PathBuf, IndexedFile>,
}

impl Manifest {
    /// The manifest of an index built from `library`.
    pub fn of(library: &Library) -> Manifest {
        let mut files = BTreeMap::new();
        for a in &library.articles {
            files.insert(a.path.clone(), IndexedFile { fingerprint: a.fingerprint.clone(), article_id: Some(a.id.clone()) });
        }
        for a in &library.drafts {
            files.insert(a.path.clone(), IndexedFile { fingerprint: a.fingerprint.clone(), article_id: None });
        }
        Manifest { analyzer_version: ANALYZER_VERSION, dictionaries: library.dictionaries.clone(), files }
    }

    /// Reads the manifest of the index in `dir`; `Stale` when it is missing,
    /// unreadable, or from another analyzer version.
    pub fn read(dir: &Path) -> Result<Manifest, IndexError> {
        let path = dir.join(MANIFEST_FILE);
        let manifest: Manifest = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|_| IndexError::Stale(dir.to_path_buf()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(IndexError::Stale(dir.to_path_buf())),
            Err(cause) => return Err(IndexError::Io { path, cause }),
        };
        if manifest.analyzer_version != ANALYZER_VERSION {
            return Err(IndexError::Stale(dir.to_path_buf()));
        }
        Ok(manifest)
    }

    /// Writes the manifest beside a commit, atomically (write, then rename), so
    /// a crash leaves either the old or the new one.
    pub fn write(&self, dir: &Path) -> Result<(), IndexError> {
        let path = dir.join(MANIFEST_FILE);
        let staging = dir.join(format!("{MANIFEST_FILE}.tmp"));
        let json = serde_json::to_vec(self).expect("the manifest is plain data");
        fs::write(&staging, json).map_err(|cause| IndexError::Io { path: staging.clone(), cause })?;
        fs::rename(&staging, &path).map_err(|cause| IndexError::Io { path, cause })
    }
}
