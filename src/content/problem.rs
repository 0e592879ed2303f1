//! A problem found in one content file, located by path and line.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth fixing, but the article is still served.
    Warning,
    /// The file (or the part named) cannot be served as written.
    Error,
}

/// `content/배송/반품.md:4: ...` — what editors see in `doumi index`, `doumi check`
/// and, later, in `/healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Path as the editor knows it: the content directory joined with the file.
    pub path: PathBuf,
    /// 1-based line in the file; 1 for problems with the file as a whole.
    pub line: usize,
    pub message: String,
    #[serde(skip)]
    pub severity: Severity,
}

impl Problem {
    pub fn error(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Problem {
        Problem { path: path.into(), line, message: message.into(), severity: Severity::Error }
    }

    pub fn warning(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Problem {
        Problem { path: path.into(), line, message: message.into(), severity: Severity::Warning }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Warning => "warning: ",
            Severity::Error => "",
        };
        write!(f, "{}:{}: {label}{}", self.path.display(), self.line, self.message)
    }
}

/// The candidate closest to a misspelt `word`, if it is close enough to be the
/// likely intent (`alias` → `aliases`, `refnd` → `refund`).
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.chars().count() / 3))
        .min()
        .map(|(_, c)| c)
}
