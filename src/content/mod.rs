//! Reading the help center's `content/` tree: Markdown articles → searchable entries.

mod article;
mod check;
mod dictionaries;
mod front_matter;
mod library;
mod markdown;
mod problem;
mod render;
mod slug;
mod source;

pub use article::{Article, ArticleKind, Entry, EntryKind, Section};
pub use check::check;
pub use dictionaries::{Dictionaries, SYNONYMS_FILE, SynonymKind, SynonymRule, USER_DICTIONARY_FILE, UserWord, parse_synonyms};
pub use library::{Library, LoadError, article_paths};
pub use markdown::percent_decode_bytes;
pub use problem::{Problem, Severity, did_you_mean};
pub use render::article_html;
pub use slug::slugify;
pub use source::{Fingerprint, SourceFile};
