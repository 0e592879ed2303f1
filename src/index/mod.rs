//! The tantivy index under `index/search/`: schema, building, opening.

mod build;
mod embeddings;
mod live;
mod manifest;
mod read_only;
mod schema;
pub mod snippet_terms;
mod stored;

pub use build::{BuildReport, build};
pub use embeddings::{EMBEDDINGS_FILE, EntryEmbeddings, PASSAGE_ANSWER_CHARS, passage, similar_questions};
pub use live::{LiveIndex, SyncReport};
pub use manifest::{ANALYZER_VERSION, IndexedFile, MANIFEST_FILE, Manifest};
pub use schema::{Fields, fields_of, schema};
pub use stored::{StoredEntry, Stores};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::content::{Dictionaries, Library};
use crate::korean::{Analyzer, AnalyzerError, KOREAN, KoreanTokenizer};

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no search index at `{}`; run `doumi index` first", .0.display())]
    NotBuilt(PathBuf),
    #[error("the search index at `{}` was built by another version of doumi; run `doumi index` to rebuild it", .0.display())]
    Stale(PathBuf),
    #[error("search index at `{}` cannot be opened ({cause}); rebuild it with `doumi index`", path.display())]
    Corrupt { path: PathBuf, cause: tantivy::TantivyError },
    #[error("cannot write the index under `{}`: {cause}", path.display())]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("indexing failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Analyzer(#[from] AnalyzerError),
    #[error(transparent)]
    Content(#[from] crate::content::LoadError),
    #[error("the index at `{}` is in use by a running `doumi serve`, which keeps it up to date by itself; stop the server first or pass another --index", .0.display())]
    InUse(PathBuf),
}

/// An opened index with its one long-lived reader and the analyzer its entries
/// were indexed with.
#[derive(Clone)]
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub analyzer: Arc<Analyzer>,
    pub dictionaries: Arc<Dictionaries>,
}

/// `index/search`, where the live index lives.
pub fn search_dir(index_dir: &Path) -> PathBuf {
    index_dir.join("search")
}

/// Fails with `InUse` if another process (a running server) holds the writer
/// of the index under `index_dir`: rebuilding under it would swap its files away.
pub fn ensure_not_in_use(index_dir: &Path) -> Result<(), IndexError> {
    let dir = search_dir(index_dir);
    let Ok(index) = Index::open_in_dir(&dir) else { return Ok(()) };
    match index.writer_with_num_threads::<tantivy::TantivyDocument>(1, 15_000_000) {
        Err(tantivy::TantivyError::LockFailure(..)) => Err(IndexError::InUse(dir)),
        _ => Ok(()),
    }
}

impl SearchIndex {
    /// Opens the index under `index_dir`, first building it from
    /// `content_dir` if there is none or it is stale; `on_build` hears why and
    /// sees what is built.
    pub fn open_or_build(
        content_dir: &Path,
        index_dir: &Path,
        on_build: impl FnOnce(&IndexError, &Library),
    ) -> Result<SearchIndex, IndexError> {
        match SearchIndex::open(index_dir) {
            Err(why @ (IndexError::NotBuilt(_) | IndexError::Stale(_))) => {
                let library = Library::load(content_dir)?;
                on_build(&why, &library);
                build::build(&library, index_dir, std::time::Instant::now())?;
                SearchIndex::open(index_dir)
            }
            opened => opened,
        }
    }

    /// Opens the index built by `doumi index` under `index_dir`.
    pub fn open(index_dir: &Path) -> Result<SearchIndex, IndexError> {
        build::recover_interrupted_swap(index_dir);
        Self::open_with(index_dir, |dir| Index::open_in_dir(dir))
    }

    /// Opens the index under `index_dir` for searching only, in a folder that
    /// cannot be written.
    pub fn open_read_only(index_dir: &Path) -> Result<SearchIndex, IndexError> {
        Self::open_with(index_dir, |dir| Index::open(read_only::ReadOnlyDirectory::open(dir)?))
    }

    fn open_with(index_dir: &Path, open: impl FnOnce(&Path) -> tantivy::Result<Index>) -> Result<SearchIndex, IndexError> {
        let dir = search_dir(index_dir);
        if !dir.join("meta.json").exists() {
            return Err(IndexError::NotBuilt(dir));
        }
        let manifest = Manifest::read(&dir)?;
        let corrupt = |cause| IndexError::Corrupt { path: dir.clone(), cause };
        let index = open(&dir).map_err(corrupt)?;
        let fields = fields_of(&index.schema()).map_err(corrupt)?;
        let dictionaries = manifest.dictionaries;
        let dictionaries = Arc::new(dictionaries);
        let analyzer = Arc::new(Analyzer::new(&dictionaries.user_words)?);
        Self::with_reader(index, fields, analyzer, dictionaries).map_err(corrupt)
    }

    fn with_reader(
        index: Index,
        fields: Fields,
        analyzer: Arc<Analyzer>,
        dictionaries: Arc<Dictionaries>,
    ) -> tantivy::Result<SearchIndex> {
        index.tokenizers().register(KOREAN, KoreanTokenizer::new(analyzer.clone()));
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, reader, fields, analyzer, dictionaries })
    }
}
