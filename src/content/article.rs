//! An article (one Markdown file) and the entries it is searched as.

use std::collections::HashSet;
use std::path::PathBuf;

use super::front_matter::{self, KNOWN_KEYS};
use super::markdown::{self, InternalLink};
use super::problem::{Problem, did_you_mean};
use super::slug::slugify;
use super::source::{Fingerprint, SourceFile, line_of};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleKind {
    /// Every `##` heading is a customer question, the text under it its answer.
    Faq,
    /// One result for the whole article, and one per `##` section.
    Guide,
}

/// A `##` section of an article, with its resolved anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub anchor: String,
    pub line: usize,
    pub text: String,
    /// This question's or section's own aliases.
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub updated: Option<String>,
    pub draft: bool,
    pub kind: ArticleKind,
    pub path: PathBuf,
    /// The version of the file this article was read from.
    pub fingerprint: Fingerprint,
    /// Line of the `id:` key, or 1 when the id comes from the file name.
    pub id_line: usize,
    pub intro: String,
    pub sections: Vec<Section>,
    pub links: Vec<InternalLink>,
    /// The Markdown body, for rendering the article page.
    pub markdown: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A question of a FAQ article.
    Question,
    /// A guide as a whole.
    Guide,
    /// A `##` section of a guide.
    Section,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Question => "question",
            EntryKind::Guide => "guide",
            EntryKind::Section => "section",
        }
    }
}

/// One search result: a FAQ question, a guide, or a guide's section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `article_id#anchor`, or `article_id` for a whole guide.
    pub id: String,
    pub article_id: String,
    pub article_title: String,
    /// The question, the section heading, or the guide's title.
    pub title: String,
    pub anchor: Option<String>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    /// Other ways customers ask for this entry: a question's own aliases, or a
    /// whole guide's (the article's) aliases.
    pub aliases: Vec<String>,
    /// The article's aliases, for a question or section: they say which
    /// article this is, not which of its questions, so they weigh less.
    pub article_aliases: Vec<String>,
    /// Plain text of the answer or section.
    pub body: String,
    pub kind: EntryKind,
}

impl Entry {
    pub fn url(&self) -> String {
        match &self.anchor {
            Some(anchor) => format!("/articles/{}#{}", self.article_id, anchor),
            None => format!("/articles/{}", self.article_id),
        }
    }
}

impl Article {
    /// Parses one file. `Err` is the problem that keeps the file from being
    /// served; `Ok` carries warnings beside the article.
    pub fn parse(source: &SourceFile) -> Result<(Article, Vec<Problem>), Problem> {
        let path = &source.path;
        let fail = |line: usize, message: String| Problem::error(path, line, message);
        let split = front_matter::split(&source.text).map_err(|(l, m)| fail(l, m))?;
        let raw = front_matter::parse(&split).map_err(|(l, m)| fail(l, m))?;
        let mut warnings = Vec::new();

        let title = raw.title.as_deref().map(str::trim).unwrap_or_default();
        if title.is_empty() {
            let line = if raw.title.is_some() { front_matter::key_line(&split, "title") } else { 1 };
            return Err(fail(line, "`title` is missing or empty: add `title: 질문이나 안내의 제목`".into()));
        }
        let kind = match raw.kind.as_deref().map(str::trim) {
            None | Some("guide") => ArticleKind::Guide,
            Some("faq") => ArticleKind::Faq,
            Some(other) => {
                return Err(fail(
                    front_matter::key_line(&split, "type"),
                    format!("`type: {other}` is not a type: write `type: faq` or `type: guide`"),
                ));
            }
        };
        let (id, id_line) = match raw.id.as_deref().map(str::trim) {
            Some(id) => (id.to_string(), front_matter::key_line(&split, "id")),
            None => (source.stem.clone(), 1),
        };
        if let Some(reason) = invalid_id(&id) {
            let hint = if raw.id.is_some() { "fix `id:`" } else { "rename the file or set `id:`" };
            return Err(fail(id_line, format!("article id `{id}` {reason}; {hint}")));
        }
        if let Some(updated) = &raw.updated
            && !is_date(updated)
        {
            warnings.push(Problem::warning(
                path,
                front_matter::key_line(&split, "updated"),
                format!("`updated: {updated}` is not a date: write YYYY-MM-DD"),
            ));
        }
        for key in raw.unknown.keys() {
            let hint = did_you_mean(key, &KNOWN_KEYS).map(|k| format!(" (did you mean `{k}`?)")).unwrap_or_default();
            warnings.push(Problem::warning(
                path,
                front_matter::key_line(&split, key),
                format!("unknown front-matter key `{key}` is ignored{hint}"),
            ));
        }
        let aliases: Vec<String> = raw.aliases.iter().map(|a| a.trim().to_string()).collect();
        if aliases.iter().any(String::is_empty) {
            warnings.push(Problem::warning(
                path,
                front_matter::key_line(&split, "aliases"),
                "an alias is empty; remove it or write how customers ask".to_string(),
            ));
        }

        let first_body_line = line_of(&source.text, split.body_offset);
        let body = markdown::parse(split.body, first_body_line);
        if kind == ArticleKind::Faq && body.sections.is_empty() {
            return Err(fail(
                first_body_line,
                "`type: faq` but no `## 질문` headings: write each question as a `##` heading".into(),
            ));
        }
        let sections = resolve_anchors(body.sections, path, &mut warnings);
        let article = Article {
            id,
            title: title.to_string(),
            category: raw
                .category
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .or_else(|| source.folder.clone()),
            tags: raw.tags.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect(),
            aliases: aliases.into_iter().filter(|a| !a.is_empty()).collect(),
            updated: raw.updated,
            draft: raw.draft,
            kind,
            path: path.clone(),
            fingerprint: source.fingerprint.clone(),
            id_line,
            intro: body.intro,
            sections,
            links: body.links,
            markdown: split.body.to_string(),
        };
        Ok((article, warnings))
    }

    /// The entries this article is searched as.
    pub fn entries(&self) -> Vec<Entry> {
        let entry = |id: String, title: &str, anchor: Option<&str>, body: String, kind: EntryKind, aliases: &[String]| Entry {
            id,
            article_id: self.id.clone(),
            article_title: self.title.clone(),
            title: title.to_string(),
            anchor: anchor.map(str::to_string),
            category: self.category.clone(),
            tags: self.tags.clone(),
            aliases: if kind == EntryKind::Guide { self.aliases.clone() } else { aliases.to_vec() },
            article_aliases: if kind == EntryKind::Guide { Vec::new() } else { self.aliases.clone() },
            body,
            kind,
        };
        let mut entries = Vec::new();
        if self.kind == ArticleKind::Guide {
            let mut whole = self.intro.clone();
            for s in &self.sections {
                whole.push_str(&format!("\n{}\n{}", s.heading, s.text));
            }
            entries.push(entry(self.id.clone(), &self.title, None, whole.trim().to_string(), EntryKind::Guide, &[]));
        }
        let kind = match self.kind {
            ArticleKind::Faq => EntryKind::Question,
            ArticleKind::Guide => EntryKind::Section,
        };
        for s in &self.sections {
            entries.push(entry(format!("{}#{}", self.id, s.anchor), &s.heading, Some(&s.anchor), s.text.clone(), kind, &s.aliases));
        }
        entries
    }
}

/// Gives every section a unique anchor: the editor's `{#anchor}` or a slug of the
/// heading, with `-2`, `-3`… for repeats.
fn resolve_anchors(raw: Vec<markdown::RawSection>, path: &PathBuf, warnings: &mut Vec<Problem>) -> Vec<Section> {
    let mut used: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for s in raw {
        let base = match &s.explicit_anchor {
            Some(a) => a.clone(),
            None => slugify(&s.heading),
        };
        let mut anchor = base.clone();
        let mut n = 2;
        while used.contains(&anchor) {
            anchor = format!("{base}-{n}");
            n += 1;
        }
        if anchor != base {
            let what = if s.explicit_anchor.is_some() { "explicit anchor" } else { "heading" };
            warnings.push(Problem::warning(
                path,
                s.line,
                format!("duplicate anchor `#{base}` ({what} repeated in this file); this section is linked as `#{anchor}`"),
            ));
        }
        used.insert(anchor.clone());
        out.push(Section { heading: s.heading, anchor, line: s.line, text: s.text, aliases: s.aliases });
    }
    out
}

fn invalid_id(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("is empty")
    } else if !id.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
        Some("may hold only letters, digits, `-` and `_`")
    } else {
        None
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> SourceFile {
        let fingerprint = Fingerprint { hash: String::new(), size: 0, modified_ns: 0 };
        SourceFile { path: "content/x/refund.md".into(), stem: "refund".into(), folder: Some("x".into()), text: text.into(), fingerprint }
    }

    #[test]
    fn faq_yields_one_entry_per_question_with_deep_links() {
        let (article, warnings) = Article::parse(&source(
            "---\ntitle: 환불\ntype: faq\ncategory: 환불\n---\n## 환불은 언제 되나요?\n3~7영업일.\n## 부분 환불 {#partial}\n됩니다.\n",
        ))
        .unwrap();
        assert!(warnings.is_empty());
        let entries = article.entries();
        let ids: Vec<_> = entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["refund#환불은-언제-되나요", "refund#partial"]);
        assert_eq!(entries[1].url(), "/articles/refund#partial");
        assert_eq!(entries[0].kind, EntryKind::Question);
    }

    #[test]
    fn guide_yields_the_whole_and_each_section() {
        let (article, _) = Article::parse(&source("---\ntitle: 가입 안내\n---\n소개.\n## 단계\n하나.\n## 단계\n둘.\n")).unwrap();
        let entries = article.entries();
        let ids: Vec<_> = entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["refund", "refund#단계", "refund#단계-2"]);
        assert_eq!(entries[0].body, "소개.\n단계\n하나.\n단계\n둘.");
        assert_eq!(entries[0].category.as_deref(), Some("x"));
    }

    #[test]
    fn semantic_errors_name_the_key_and_its_line() {
        let err = Article::parse(&source("---\ntitle: x\ntype: blog\n---\n")).unwrap_err();
        assert_eq!((err.line, err.message.as_str()), (3, "`type: blog` is not a type: write `type: faq` or `type: guide`"));
        let err = Article::parse(&source("---\ntags: [a]\n---\n")).unwrap_err();
        assert!(err.message.starts_with("`title` is missing"));
        let (_, warnings) = Article::parse(&source("---\ntitle: x\nalias: [y]\n---\n")).unwrap();
        assert_eq!(warnings[0].to_string(), "content/x/refund.md:3: warning: unknown front-matter key `alias` is ignored (did you mean `aliases`?)");
    }

    #[test]
    fn faq_without_questions_is_an_error_at_the_body() {
        let err = Article::parse(&source("---\ntitle: x\ntype: faq\n---\n그냥 글.\n")).unwrap_err();
        assert_eq!(err.line, 5);
    }
}
