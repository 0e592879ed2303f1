//! The YAML front matter between `---` lines at the top of an article.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Front matter as written. Every key is optional here; `validate` checks meaning
/// so that each complaint can name its key and line.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawFrontMatter {
    /// The article's title, shown in results and on the page. Required.
    pub title: Option<String>,
    /// Stable id used in URLs (`/articles/{id}`); defaults to the file stem.
    pub id: Option<String>,
    /// Category shown beside results and used by `category=` filters;
    /// defaults to the first folder under `content/`.
    pub category: Option<String>,
    pub tags: Vec<String>,
    /// Other ways customers ask this; indexed, never shown.
    pub aliases: Vec<String>,
    /// Last reviewed, `YYYY-MM-DD`.
    pub updated: Option<String>,
    /// `true` keeps the article out of the index.
    pub draft: bool,
    /// `faq` (one entry per `##` question) or `guide` (the default).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Keys we do not know; reported as warnings (likely typos such as `alias`).
    #[serde(flatten)]
    pub unknown: BTreeMap<String, serde_yaml_ng::Value>,
}

pub const KNOWN_KEYS: [&str; 8] = ["title", "id", "category", "tags", "aliases", "updated", "draft", "type"];

/// The front matter split from the Markdown body.
#[derive(Debug)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// Line of the opening `---` is 1; the YAML's first line is 2.
    pub yaml_first_line: usize,
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

/// Finds the `---` fences. Errors are `(line, message)`.
pub fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_line_end].trim_end() != "---" {
        return Err((
            1,
            "no front matter: start the file with a `---` line, then `title: ...`, then `---`".into(),
        ));
    }
    let mut offset = first_line_end;
    let mut line: usize = 2;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1);
        if text[offset..end].trim_end() == "---" {
            return Ok(Split {
                yaml: &text[first_line_end..offset],
                yaml_first_line: 2,
                body: &text[end..],
                body_offset: end,
            });
        }
        offset = end;
        line += 1;
    }
    Err((
        line.saturating_sub(1).max(1),
        "front matter is never closed: add a `---` line after the last key".into(),
    ))
}

/// Parses the YAML; errors are `(line in the file, message)`.
pub fn parse(split: &Split<'_>) -> Result<RawFrontMatter, (usize, String)> {
    if split.yaml.trim().is_empty() {
        return Ok(RawFrontMatter::default());
    }
    serde_yaml_ng::from_str::<RawFrontMatter>(split.yaml).map_err(|e| {
        let line = e
            .location()
            .map_or(split.yaml_first_line, |l| split.yaml_first_line + l.line() - 1);
        (line, format!("front matter is not valid YAML: {}", strip_location(&e.to_string())))
    })
}

/// The line on which `key:` is written, for messages about its value.
pub fn key_line(split: &Split<'_>, key: &str) -> usize {
    split
        .yaml
        .lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(1, |i| split.yaml_first_line + i)
}

/// serde_yaml appends "at line N column M"; we print our own file line instead.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_error_line_is_counted_from_the_top_of_the_file() {
        let text = "---\ntitle: 반품\ntags: [a, b\n---\n본문\n";
        let s = split(text).unwrap();
        let (line, message) = parse(&s).unwrap_err();
        assert!((3..=4).contains(&line), "line {line}: {message}");
        assert!(message.starts_with("front matter is not valid YAML"));
    }

    #[test]
    fn missing_fences_name_the_fix() {
        assert_eq!(split("# 제목\n").unwrap_err().0, 1);
        let (line, message) = split("---\ntitle: x\n본문\n").unwrap_err();
        assert_eq!(line, 3);
        assert!(message.contains("never closed"));
    }

    #[test]
    fn unknown_keys_are_collected() {
        let s = split("---\ntitle: x\nalias: [y]\n---\n").unwrap();
        let fm = parse(&s).unwrap();
        assert_eq!(fm.unknown.keys().collect::<Vec<_>>(), ["alias"]);
        assert_eq!(key_line(&s, "alias"), 3);
    }
}
