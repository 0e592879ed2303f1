//! `doumi check`: problems an editor should fix, beyond what stops a file loading.

use std::collections::HashMap;

use super::article::{Article, ArticleKind};
use super::library::Library;
use super::problem::{Problem, did_you_mean};

/// Every problem in the library: load errors and warnings, plus empty answers,
/// questions asked twice, and internal links that lead nowhere. Sorted by path
/// and line.
pub fn check(library: &Library) -> Vec<Problem> {
    let mut problems = library.problems.clone();
    let all: Vec<&Article> = library.articles.iter().chain(&library.drafts).map(|a| &**a).collect();
    for article in &all {
        empty_answers(article, &mut problems);
    }
    repeated_questions(&all, &mut problems);
    broken_links(library, &all, &mut problems);
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    problems
}

fn empty_answers(article: &Article, problems: &mut Vec<Problem>) {
    for s in &article.sections {
        if s.text.trim().is_empty() {
            let message = match article.kind {
                ArticleKind::Faq => format!("question `{}` has no answer: write it under the heading", s.heading),
                ArticleKind::Guide => format!("section `{}` is empty", s.heading),
            };
            problems.push(match article.kind {
                ArticleKind::Faq => Problem::error(&article.path, s.line, message),
                ArticleKind::Guide => Problem::warning(&article.path, s.line, message),
            });
        }
    }
}

/// The same question in two places splits customers between two answers.
fn repeated_questions(all: &[&Article], problems: &mut Vec<Problem>) {
    let mut seen: HashMap<String, (String, usize)> = HashMap::new();
    for article in all.iter().filter(|a| a.kind == ArticleKind::Faq) {
        for s in &article.sections {
            let key: String = s.heading.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
            if key.is_empty() {
                continue;
            }
            let here = (article.path.display().to_string(), s.line);
            match seen.get(&key) {
                Some((path, line)) => problems.push(Problem::warning(
                    &article.path,
                    s.line,
                    format!("question `{}` is also asked at {path}:{line}; merge the answers or reword one", s.heading),
                )),
                None => {
                    seen.insert(key, here);
                }
            }
        }
    }
}

fn broken_links(library: &Library, all: &[&Article], problems: &mut Vec<Problem>) {
    let published: HashMap<&str, &Article> = library.articles.iter().map(|a| (a.id.as_str(), &**a)).collect();
    let drafts: HashMap<&str, &Article> = library.drafts.iter().map(|a| (a.id.as_str(), &**a)).collect();
    for article in all {
        for link in &article.links {
            let Some(target) = published.get(link.article_id.as_str()) else {
                let message = if drafts.contains_key(link.article_id.as_str()) {
                    format!("link to `/articles/{}` leads to a draft, which customers cannot see", link.article_id)
                } else {
                    let ids: Vec<&str> = published.keys().copied().collect();
                    let hint = did_you_mean(&link.article_id, &ids).map(|i| format!(" (did you mean `{i}`?)")).unwrap_or_default();
                    format!("link to `/articles/{}` leads nowhere: no article has that id{hint}", link.article_id)
                };
                problems.push(Problem::error(&article.path, link.line, message));
                continue;
            };
            if let Some(anchor) = &link.anchor
                && !target.sections.iter().any(|s| &s.anchor == anchor)
            {
                let anchors: Vec<&str> = target.sections.iter().map(|s| s.anchor.as_str()).collect();
                let hint = did_you_mean(anchor, &anchors).map(|i| format!(" (did you mean `#{i}`?)")).unwrap_or_default();
                problems.push(Problem::error(
                    &article.path,
                    link.line,
                    format!("link to `/articles/{}#{anchor}`: `{}` has no section with that anchor{hint}", link.article_id, target.path.display()),
                ));
            }
        }
    }
}
