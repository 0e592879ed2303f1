//! The whole content tree: every article, and every problem found while reading it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use walkdir::WalkDir;

use super::article::{Article, Entry};
use super::dictionaries::Dictionaries;
use super::problem::Problem;
use super::source::SourceFile;

/// Problems with the content directory itself, which stop a run.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("content directory `{}` does not exist; pass --content DIR or create it", .0.display())]
    Missing(PathBuf),
    #[error("`{}` is not a directory; --content expects the folder holding the .md articles", .0.display())]
    NotADirectory(PathBuf),
    #[error("content directory `{}` holds no .md articles; write one (see README: content format)", .0.display())]
    Empty(PathBuf),
    #[error("cannot read content directory `{}`: {cause}", path.display())]
    Unreadable { path: PathBuf, cause: std::io::Error },
}

/// Every published article under the content directory.
#[derive(Debug, Default)]
pub struct Library {
    /// Published (non-draft) articles, in path order.
    pub articles: Vec<Arc<Article>>,
    /// Drafts, kept for `doumi check`, never indexed.
    pub drafts: Vec<Arc<Article>>,
    /// Errors (the file is not served) and warnings, in path order.
    pub problems: Vec<Problem>,
    /// `.md` files seen, including broken ones and drafts.
    pub files: usize,
    /// The editors' synonyms and user dictionary.
    pub dictionaries: Dictionaries,
}

impl Library {
    /// What the help center is made of, as 16 hex digits: the same for every
    /// replica serving the same content, wherever its checkout is (paths are
    /// taken relative to `root`, the content directory), and different as
    /// soon as one file, dictionary line or problem differs.
    pub fn fingerprint(&self, root: &Path) -> String {
        let mut hasher = blake3::Hasher::new();
        let relative = |path: &Path| path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/");
        for (kind, articles) in [("article", &self.articles), ("draft", &self.drafts)] {
            for a in articles.iter() {
                hasher.update(format!("{kind}\0{}\0{}\n", relative(&a.path), a.fingerprint.hash).as_bytes());
            }
        }
        for p in &self.problems {
            hasher.update(format!("problem\0{}\0{}\0{}\n", relative(&p.path), p.line, p.message).as_bytes());
        }
        hasher.update(serde_json::to_string(&self.dictionaries).unwrap_or_default().as_bytes());
        hasher.finalize().to_hex()[..16].to_string()
    }

    /// Reads every `.md` file under `dir`, recursively, skipping hidden files and
    /// folders. A broken file becomes a problem; the rest still load.
    pub fn load(dir: &Path) -> Result<Library, LoadError> {
        let (paths, mut problems) = article_paths(dir)?;
        if paths.is_empty() && problems.is_empty() {
            return Err(LoadError::Empty(dir.to_path_buf()));
        }
        let read: Vec<_> = paths.par_iter().map(|path| SourceFile::read(dir, path).and_then(|s| Article::parse(&s))).collect();
        let mut parsed = Vec::with_capacity(paths.len());
        for result in read {
            match result {
                Ok((article, warnings)) => {
                    problems.extend(warnings);
                    parsed.push(Arc::new(article));
                }
                Err(problem) => problems.push(problem),
            }
        }
        let (dictionaries, dictionary_problems) = Dictionaries::load(dir);
        problems.extend(dictionary_problems);
        Ok(Library::assemble(parsed, problems, paths.len(), dictionaries))
    }

    /// A library from articles already read (in path order): drafts set aside,
    /// duplicate ids rejected, problems sorted.
    pub fn assemble(parsed: Vec<Arc<Article>>, problems: Vec<Problem>, files: usize, dictionaries: Dictionaries) -> Library {
        let (drafts, articles) = parsed.into_iter().partition(|a| a.draft);
        let mut library = Library { articles, drafts, problems, files, dictionaries };
        library.reject_duplicate_ids();
        library
    }

    /// Two articles cannot share an id (it is their URL): the first in path order
    /// keeps it, the later one is reported and not served.
    fn reject_duplicate_ids(&mut self) {
        let mut first: HashMap<String, PathBuf> = HashMap::new();
        let mut kept = Vec::with_capacity(self.articles.len());
        for article in std::mem::take(&mut self.articles) {
            if let Some(owner) = first.get(&article.id) {
                self.problems.push(Problem::error(
                    &article.path,
                    article.id_line,
                    format!(
                        "article id `{}` is already used by {}; set a different `id:`",
                        article.id,
                        owner.display()
                    ),
                ));
            } else {
                first.insert(article.id.clone(), article.path.clone());
                kept.push(article);
            }
        }
        self.articles = kept;
        self.problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    }

    pub fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        self.articles.iter().flat_map(|a| a.entries())
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }
}

/// Every `.md` file under `dir` in path order, skipping hidden files and
/// folders, and a problem for each entry that could not be read.
pub fn article_paths(dir: &Path) -> Result<(Vec<PathBuf>, Vec<Problem>), LoadError> {
    if !dir.exists() {
        return Err(LoadError::Missing(dir.to_path_buf()));
    }
    if !dir.is_dir() {
        return Err(LoadError::NotADirectory(dir.to_path_buf()));
    }
    let mut paths = Vec::new();
    let mut problems = Vec::new();
    let walker = WalkDir::new(dir).sort_by_file_name().into_iter().filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for item in walker {
        match item {
            Ok(e) if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md") => {
                paths.push(e.into_path());
            }
            Ok(_) => {}
            Err(e) if e.depth() == 0 => {
                let cause = e.into_io_error().unwrap_or_else(|| std::io::Error::other("walk failed"));
                return Err(LoadError::Unreadable { path: dir.to_path_buf(), cause });
            }
            Err(e) => {
                let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| dir.to_path_buf());
                problems.push(Problem::error(path, 1, format!("cannot read: {e}")));
            }
        }
    }
    Ok((paths, problems))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|s| s.starts_with('.'))
}
