//! `doumi index`: rebuild `index/search/` from the content tree, atomically.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use tantivy::{Index, TantivyDocument};

use std::sync::Arc;

use super::schema::{Fields, schema};
use super::{IndexError, Manifest, SearchIndex, search_dir};
use crate::korean::Analyzer;
use crate::content::{Entry, Library, Problem};

/// What `doumi index --json` prints.
#[derive(Debug, Serialize)]
pub struct BuildReport {
    /// `.md` files seen, broken ones included.
    pub files: usize,
    /// Entries now searchable.
    pub entries: usize,
    /// Files (or parts) that could not be indexed, with path, line and reason.
    pub errors: Vec<Problem>,
    pub took_ms: u64,
}

/// Heap for the single indexing thread; tantivy's floor is 15 MB.
pub(super) const WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;

/// Builds a fresh index of `library` beside the live one, then swaps it in. A
/// failure at any point leaves the previous index untouched.
pub fn build(library: &Library, index_dir: &Path, started: Instant) -> Result<BuildReport, IndexError> {
    fs::create_dir_all(index_dir).map_err(io_error(index_dir))?;
    recover_interrupted_swap(index_dir);
    let staging = index_dir.join(format!("search.new-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    }
    fs::create_dir_all(&staging).map_err(io_error(&staging))?;
    let entries = match write_entries(library, &staging) {
        Ok(n) => n,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    swap_in(index_dir, &staging)?;
    Ok(BuildReport {
        files: library.files,
        entries,
        errors: library.errors().cloned().collect(),
        took_ms: started.elapsed().as_millis() as u64,
    })
}

fn write_entries(library: &Library, dir: &Path) -> Result<usize, IndexError> {
    let (schema, fields) = schema();
    let index = Index::builder().schema(schema).settings(super::schema::settings()).create_in_dir(dir)?;
    let dictionaries = Arc::new(library.dictionaries.clone());
    let analyzer = Arc::new(Analyzer::new(&dictionaries.user_words)?);
    Manifest::of(library).write(dir)?;
    let SearchIndex { index, analyzer, .. } = SearchIndex::with_reader(index, fields, analyzer, dictionaries)?;
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, WRITER_HEAP_BYTES)?;
    let mut count = 0;
    for entry in library.entries() {
        writer.add_document(document(&fields, &analyzer, &entry))?;
        count += 1;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(count)
}

/// The one place an entry becomes a tantivy document.
pub fn document(fields: &Fields, analyzer: &Analyzer, entry: &Entry) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &entry.id);
    doc.add_text(fields.article_id, &entry.article_id);
    doc.add_text(fields.article_title, &entry.article_title);
    doc.add_text(fields.title, &entry.title);
    for alias in &entry.aliases {
        doc.add_text(fields.aliases, alias);
    }
    for alias in &entry.article_aliases {
        doc.add_text(fields.article_aliases, alias);
    }
    doc.add_text(fields.body, &entry.body);
    doc.add_bytes(fields.snippet_source, super::snippet_terms::source(&entry.body).as_bytes());
    doc.add_bytes(fields.snippet_terms, &super::snippet_terms::encode(analyzer, &entry.body));
    for tag in &entry.tags {
        doc.add_text(fields.tags, tag);
    }
    if let Some(category) = &entry.category {
        doc.add_text(fields.category, category);
    }
    if let Some(anchor) = &entry.anchor {
        doc.add_text(fields.anchor, anchor);
    }
    doc.add_text(fields.url, entry.url());
    doc.add_text(fields.kind, entry.kind.as_str());
    doc
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError {
    let path = path.to_path_buf();
    move |cause| IndexError::Io { path, cause }
}

fn old_dir(index_dir: &Path) -> PathBuf {
    index_dir.join("search.old")
}

/// Two renames: live → old, staging → live. Between them there is no live index
/// for an instant; `recover_interrupted_swap` puts the old one back if we die there.
fn swap_in(index_dir: &Path, staging: &Path) -> Result<(), IndexError> {
    let live = search_dir(index_dir);
    let old = old_dir(index_dir);
    if old.exists() {
        fs::remove_dir_all(&old).map_err(io_error(&old))?;
    }
    if live.exists() {
        fs::rename(&live, &old).map_err(io_error(&live))?;
    }
    if let Err(cause) = fs::rename(staging, &live) {
        let _ = fs::rename(&old, &live);
        let _ = fs::remove_dir_all(staging);
        return Err(IndexError::Io { path: live, cause });
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

/// If a build died between its two renames, the previous index is still whole
/// in `search.old`: put it back.
pub(super) fn recover_interrupted_swap(index_dir: &Path) {
    let live = search_dir(index_dir);
    let old = old_dir(index_dir);
    if !live.join("meta.json").exists() && old.join("meta.json").exists() {
        let _ = fs::remove_dir_all(&live);
        let _ = fs::rename(&old, &live);
    }
}
