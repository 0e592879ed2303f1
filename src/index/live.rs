//! The index kept up to date while doumi serves: every save of an article is
//! re-read, its entries replaced, and the change committed, without a rebuild.
//!
//! One writer, owned here (tantivy allows one). A broken save leaves the last
//! good version of that file in the index. Editing the user dictionary changes
//! how every text is analysed, so it rebuilds the index beside the live one and
//! swaps it in.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::build::{document, WRITER_HEAP_BYTES};
use super::manifest::{IndexedFile, Manifest};
use super::{IndexError, SearchIndex, build, search_dir};
use crate::content::{Article, Dictionaries, Fingerprint, Library, Problem, SourceFile, article_paths};

pub struct LiveIndex {
    content_dir: PathBuf,
    index_dir: PathBuf,
    search: SearchIndex,
    /// The one writer; `None` after one died (a full disk kills its worker),
    /// until the next sync opens another.
    writer: Option<IndexWriter<TantivyDocument>>,
    manifest: Manifest,
    /// The last good version of every file that has one, by path.
    good: BTreeMap<PathBuf, Arc<Article>>,
    /// Files whose current version does not load: the stat that was read, and why.
    broken: BTreeMap<PathBuf, ((u64, u128), Problem)>,
    /// Warnings of the good versions, by path.
    warnings: BTreeMap<PathBuf, Vec<Problem>>,
    /// What is served: the good versions, drafts aside, duplicate ids rejected.
    library: Library,
    generation: u64,
}

/// What one sync changed.
#[derive(Debug, Default, Clone)]
pub struct SyncReport {
    /// Files whose entries were replaced or added.
    pub updated: Vec<PathBuf>,
    /// Files whose entries were removed (deleted, renamed away, or now a draft).
    pub removed: Vec<PathBuf>,
    /// Whether the index was rebuilt (the user dictionary changed).
    pub rebuilt: bool,
    /// Whether anything served changed (entries, synonyms, or problems).
    pub changed: bool,
    pub took_ms: u64,
}

impl LiveIndex {
    /// Opens the index under `index_dir`, building it first if there is none or
    /// it is stale, then brings it up to date with the content directory.
    pub fn open(content_dir: &Path, index_dir: &Path) -> Result<(LiveIndex, SyncReport), IndexError> {
        let search = SearchIndex::open_or_build(content_dir, index_dir, |_, _| {})?;
        let manifest = Manifest::read(&search_dir(index_dir))?;
        let writer = search.index.writer_with_num_threads(1, WRITER_HEAP_BYTES)?;
        let mut live = LiveIndex {
            content_dir: content_dir.to_path_buf(),
            index_dir: index_dir.to_path_buf(),
            search,
            writer: Some(writer),
            manifest,
            good: BTreeMap::new(),
            broken: BTreeMap::new(),
            warnings: BTreeMap::new(),
            library: Library::default(),
            generation: 0,
        };
        let report = live.sync()?;
        Ok((live, report))
    }

    /// The index as it is now, for searching.
    pub fn search_index(&self) -> &SearchIndex {
        &self.search
    }

    /// The articles served now.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Bumped by every sync that changed what is served.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Every problem now: broken files (whose last good version is served),
    /// warnings, duplicate ids, dictionary errors.
    pub fn problems(&self) -> &[Problem] {
        &self.library.problems
    }

    /// Re-reads what changed in the content directory and applies it.
    pub fn sync(&mut self) -> Result<SyncReport, IndexError> {
        let started = Instant::now();
        let (paths, mut problems) = article_paths(&self.content_dir)?;
        let on_disk: HashSet<&PathBuf> = paths.iter().collect();
        // Reading and parsing are most of a start (every file is new then):
        // done on every core, and recorded in path order.
        let stale: Vec<(&PathBuf, (u64, u128))> = paths.iter().filter_map(|p| Some((p, self.changed_since_read(p)?))).collect();
        let content_dir = &self.content_dir;
        let read: Vec<_> = stale.into_par_iter().map(|(path, stat)| (path, stat, SourceFile::read(content_dir, path).and_then(|s| Article::parse(&s)))).collect();
        for (path, stat, result) in read {
            self.record_read(path, stat, result);
        }
        self.good.retain(|p, _| on_disk.contains(p));
        self.broken.retain(|p, _| on_disk.contains(p));
        self.warnings.retain(|p, _| on_disk.contains(p));

        let (dictionaries, dictionary_problems) = Dictionaries::load(&self.content_dir);
        problems.extend(self.broken.values().map(|(_, p)| p.clone()));
        problems.extend(self.warnings.values().flatten().cloned());
        problems.extend(dictionary_problems);
        let library = Library::assemble(self.good.values().cloned().collect(), problems, paths.len(), dictionaries);

        let mut report = SyncReport::default();
        if library.dictionaries.user_words != self.search.dictionaries.user_words {
            self.rebuild(&library)?;
            report.rebuilt = true;
            report.changed = true;
            report.updated = library.articles.iter().map(|a| a.path.clone()).collect();
        } else {
            if let Err(e) = self.apply(&library, &mut report) {
                // What was added before the failure is dropped: the next sync
                // starts again from the last commit, with a new writer if this
                // one died (a full disk kills its worker thread).
                if self.writer.as_mut().is_none_or(|w| w.rollback().is_err()) {
                    self.writer = None;
                }
                let dir = search_dir(&self.index_dir);
                return Err(disk_trouble(&dir).map_or(e, |cause| IndexError::Io { path: dir, cause }));
            }
            if library.dictionaries != *self.search.dictionaries {
                self.search.dictionaries = Arc::new(library.dictionaries.clone());
                report.changed = true;
            }
            if report.changed {
                self.manifest = self.manifest_of(&library);
                self.manifest.write(&search_dir(&self.index_dir))?;
            }
        }
        // A broken save changes no entry, but what /healthz reports.
        report.changed |= library.problems != self.library.problems;
        if report.changed || self.generation == 0 {
            self.generation += 1;
        }
        self.library = library;
        report.took_ms = started.elapsed().as_millis() as u64;
        Ok(report)
    }

    /// The stat of `path` unless its size and modification time show the
    /// version already known (good or broken).
    fn changed_since_read(&self, path: &Path) -> Option<(u64, u128)> {
        let stat = Fingerprint::stat(path).ok()?;
        if self.good.get(path).is_some_and(|a| a.fingerprint.same_stat(stat) && !self.broken.contains_key(path)) {
            return None;
        }
        if self.broken.get(path).is_some_and(|(s, _)| *s == stat) {
            return None;
        }
        Some(stat)
    }

    /// Keeps what reading `path` (at `stat`) gave: its new good version, or
    /// why it is broken beside the last good one.
    fn record_read(&mut self, path: &Path, stat: (u64, u128), result: Result<(Article, Vec<Problem>), Problem>) {
        match result {
            Ok((article, warnings)) => {
                self.broken.remove(path);
                self.warnings.insert(path.to_path_buf(), warnings);
                self.good.insert(path.to_path_buf(), Arc::new(article));
            }
            Err(problem) => {
                self.broken.insert(path.to_path_buf(), (stat, problem));
            }
        }
    }

    /// Replaces the entries of every article whose indexed version differs from
    /// the one to serve, and removes those no longer served.
    fn apply(&mut self, library: &Library, report: &mut SyncReport) -> Result<(), IndexError> {
        let fields = self.search.fields;
        if self.writer.is_none() {
            self.writer = Some(self.search.index.writer_with_num_threads(1, WRITER_HEAP_BYTES)?);
        }
        let writer = self.writer.as_mut().expect("opened just above");
        // Looked up by the path's bytes: comparing paths component by
        // component was most of a start's check of 10,000 unchanged files.
        let serving: HashMap<&OsStr, &Article> = library.articles.iter().map(|a| (a.path.as_os_str(), &**a)).collect();
        let indexed: HashMap<&OsStr, &IndexedFile> = self.manifest.files.iter().map(|(p, f)| (p.as_os_str(), f)).collect();
        let is_current = |article: &Article| {
            indexed.get(article.path.as_os_str()).is_some_and(|f| f.fingerprint.hash == article.fingerprint.hash && f.article_id.as_deref() == Some(&article.id))
        };
        // Deletions first: an id that moved to another file is re-added after.
        for (path, file) in &self.manifest.files {
            let Some(id) = &file.article_id else { continue };
            let served = serving.get(path.as_os_str());
            let kept = served.is_some_and(|a| is_current(a));
            // A file broken since it was indexed keeps its last good entries,
            // even across restarts, when its good version is no longer in memory.
            let broken_unknown = self.broken.contains_key(path) && !self.good.contains_key(path);
            if !kept && !broken_unknown {
                writer.delete_term(Term::from_field_text(fields.article_id, id));
                if served.is_none() {
                    report.removed.push(path.clone());
                }
            }
        }
        for article in &library.articles {
            if is_current(article) {
                continue;
            }
            // Whatever the manifest says, no other version of this id stays:
            // the delete is ordered before the adds of the same commit.
            writer.delete_term(Term::from_field_text(fields.article_id, &article.id));
            for entry in article.entries() {
                writer.add_document(document(&fields, &self.search.analyzer, &entry))?;
            }
            report.updated.push(article.path.clone());
        }
        // A draft's file state changes the manifest but not the index.
        let drafts_changed = library.drafts.iter().any(|d| {
            self.manifest.files.get(&d.path).is_none_or(|f| f.fingerprint.hash != d.fingerprint.hash || f.article_id.is_some())
        });
        if !report.updated.is_empty() || !report.removed.is_empty() {
            writer.commit()?;
            self.search.reader.reload()?;
            report.changed = true;
        } else if drafts_changed {
            report.changed = true;
        }
        Ok(())
    }

    /// The manifest after a sync: what is served, plus broken files whose
    /// indexed good version stays.
    fn manifest_of(&self, library: &Library) -> Manifest {
        let mut manifest = Manifest::of(library);
        for path in self.broken.keys().filter(|p| !self.good.contains_key(*p)) {
            if let Some(file) = self.manifest.files.get(path) {
                manifest.files.insert(path.clone(), file.clone());
            }
        }
        manifest
    }

    /// Builds a fresh index of `library` beside the live one and swaps it in;
    /// searches in flight keep the old one until they finish.
    fn rebuild(&mut self, library: &Library) -> Result<(), IndexError> {
        build(library, &self.index_dir, Instant::now())?;
        let search = SearchIndex::open(&self.index_dir)?;
        self.writer = Some(search.index.writer_with_num_threads(1, WRITER_HEAP_BYTES)?);
        self.manifest = Manifest::read(&search_dir(&self.index_dir))?;
        self.search = search;
        Ok(())
    }
}

/// Why `dir` cannot be written, if it cannot: a failed commit reports only that
/// the writer's thread died, so a small probe file finds the cause (a full or
/// read-only disk) to name in the error.
fn disk_trouble(dir: &Path) -> Option<std::io::Error> {
    let probe = dir.join(".doumi-write-probe");
    let result = std::fs::write(&probe, [0u8; 64 * 1024]);
    let _ = std::fs::remove_file(&probe);
    result.err()
}
