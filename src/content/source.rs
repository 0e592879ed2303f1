//! Reading one article file from disk: size limit, UTF-8, BOM.

use std::fs;
use std::path::{Path, PathBuf};

use super::problem::Problem;

/// Larger than any article an editor writes by hand; a bigger file is almost
/// certainly an export or a paste accident, and would bloat every snippet.
pub const MAX_ARTICLE_BYTES: u64 = 1024 * 1024;

/// What identifies one version of a file: a change of content changes the
/// hash; size and modification time let an unchanged file be skipped unread.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fingerprint {
    pub hash: String,
    pub size: u64,
    pub modified_ns: u128,
}

impl Fingerprint {
    /// Size and modification time, without reading the file.
    pub fn stat(path: &Path) -> std::io::Result<(u64, u128)> {
        let meta = fs::metadata(path)?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        Ok((meta.len(), modified))
    }

    /// Whether a stat of the file still matches this version.
    pub fn same_stat(&self, stat: (u64, u128)) -> bool {
        (self.size, self.modified_ns) == stat
    }
}

/// One Markdown file under the content directory.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the editor knows it (content directory joined with the file).
    pub path: PathBuf,
    /// The file stem, the article's id unless the front matter sets one.
    pub stem: String,
    /// The first folder under the content directory, the default category.
    pub folder: Option<String>,
    pub text: String,
    pub fingerprint: Fingerprint,
}

impl SourceFile {
    pub fn read(content_dir: &Path, path: &Path) -> Result<SourceFile, Problem> {
        let (size, modified_ns) =
            Fingerprint::stat(path).map_err(|e| Problem::error(path, 1, format!("cannot read file: {e}")))?;
        if size > MAX_ARTICLE_BYTES {
            return Err(Problem::error(
                path,
                1,
                format!(
                    "file is {:.1} MB, over the {} KB limit for one article; split it into several articles",
                    size as f64 / 1_000_000.0,
                    MAX_ARTICLE_BYTES / 1024
                ),
            ));
        }
        let bytes = fs::read(path).map_err(|e| Problem::error(path, 1, format!("cannot read file: {e}")))?;
        let fingerprint = Fingerprint { hash: blake3::hash(&bytes).to_hex().to_string(), size, modified_ns };
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let line = 1 + e.as_bytes()[..valid].iter().filter(|&&b| b == b'\n').count();
            Problem::error(
                path,
                line,
                format!("not valid UTF-8 (byte {valid}); save the file as UTF-8"),
            )
        })?;
        let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let folder = path
            .strip_prefix(content_dir)
            .ok()
            .and_then(|rel| rel.parent())
            .and_then(|parent| parent.components().next())
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        Ok(SourceFile { path: path.to_path_buf(), stem, folder, text, fingerprint })
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count()
}
