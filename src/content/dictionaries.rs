//! The editors' dictionaries beside the articles: synonyms and domain words.
//!
//! `content/synonyms.txt`, one rule a line (the format Solr and Elasticsearch use):
//!
//! ```text
//! # one-way: a customer who types 비번 also finds 비밀번호
//! 비번 => 비밀번호
//! # equivalent: any of these finds all of them
//! 환불, 돈 돌려받기, 리펀드
//! ```
//!
//! `content/user-dictionary.txt`, one domain word a line, kept whole by the
//! analyzer; `= parts` says how customers may also write it apart:
//!
//! ```text
//! 카카오페이 = 카카오 페이
//! 적립금
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use super::problem::Problem;

pub const SYNONYMS_FILE: &str = "synonyms.txt";
pub const USER_DICTIONARY_FILE: &str = "user-dictionary.txt";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SynonymKind {
    /// `a => b`: a query with `a` also matches `b`, not the other way round.
    OneWay,
    /// `a, b, c`: each finds all.
    Equivalent,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SynonymRule {
    pub kind: SynonymKind,
    /// For one-way rules the left side; for groups, every member.
    pub from: Vec<String>,
    /// For one-way rules the right side; empty for groups.
    pub to: Vec<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UserWord {
    pub word: String,
    /// How the word may also be written apart (카카오 페이); empty = only whole.
    pub parts: Vec<String>,
    pub line: usize,
}

/// Both dictionaries, as written by the editors.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Dictionaries {
    pub synonyms: Vec<SynonymRule>,
    pub user_words: Vec<UserWord>,
}

impl Dictionaries {
    /// Reads both files from the content directory; a missing file is an empty
    /// dictionary. A bad line is a problem and is skipped; the others apply.
    pub fn load(content_dir: &Path) -> (Dictionaries, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut dictionaries = Dictionaries::default();
        if let Some(text) = read(&content_dir.join(SYNONYMS_FILE), &mut problems) {
            dictionaries.synonyms = parse_synonyms(&content_dir.join(SYNONYMS_FILE), &text, &mut problems);
        }
        if let Some(text) = read(&content_dir.join(USER_DICTIONARY_FILE), &mut problems) {
            dictionaries.user_words =
                parse_user_words(&content_dir.join(USER_DICTIONARY_FILE), &text, &mut problems);
        }
        (dictionaries, problems)
    }
}

fn read(path: &PathBuf, problems: &mut Vec<Problem>) -> Option<String> {
    match fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text.trim_start_matches('\u{feff}').to_string()),
            Err(_) => {
                problems.push(Problem::error(path, 1, "not valid UTF-8; save the file as UTF-8"));
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            problems.push(Problem::error(path, 1, format!("cannot read: {e}")));
            None
        }
    }
}

/// Lines without comments (`#` to the end) and blank lines, numbered from 1.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split('#').next().unwrap_or_default().trim()))
        .filter(|(_, l)| !l.is_empty())
}

fn phrases(side: &str) -> Vec<String> {
    side.split(',')
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

pub fn parse_synonyms(path: &Path, text: &str, problems: &mut Vec<Problem>) -> Vec<SynonymRule> {
    let mut rules = Vec::new();
    for (line, content) in lines(text) {
        let rule = match content.split("=>").collect::<Vec<_>>()[..] {
            [from, to] => {
                let (from, to) = (phrases(from), phrases(to));
                if from.is_empty() || to.is_empty() {
                    problems.push(Problem::error(
                        path,
                        line,
                        "one-way synonym needs words on both sides of `=>`: `비번 => 비밀번호`",
                    ));
                    continue;
                }
                SynonymRule { kind: SynonymKind::OneWay, from, to, line }
            }
            [group] => {
                let from = phrases(group);
                if from.len() < 2 {
                    problems.push(Problem::error(
                        path,
                        line,
                        "a synonym group needs at least two comma-separated words (`환불, 리펀드`), or use `a => b`",
                    ));
                    continue;
                }
                SynonymRule { kind: SynonymKind::Equivalent, from, to: Vec::new(), line }
            }
            _ => {
                problems.push(Problem::error(path, line, "more than one `=>` on a line; write one rule per line"));
                continue;
            }
        };
        rules.push(rule);
    }
    rules
}

pub fn parse_user_words(path: &Path, text: &str, problems: &mut Vec<Problem>) -> Vec<UserWord> {
    let mut words: Vec<UserWord> = Vec::new();
    for (line, content) in lines(text) {
        let (word, parts) = match content.split_once('=') {
            Some((word, parts)) => (word.trim(), parts.split_whitespace().map(str::to_string).collect::<Vec<_>>()),
            None => (content, Vec::new()),
        };
        if word.is_empty() || word.contains(char::is_whitespace) {
            problems.push(Problem::error(
                path,
                line,
                format!("`{word}` is not one word; a user-dictionary entry has no spaces (write `카카오페이 = 카카오 페이`)"),
            ));
            continue;
        }
        if !parts.is_empty() && parts.concat() != word {
            problems.push(Problem::error(
                path,
                line,
                format!("parts `{}` do not spell `{word}`; they must join to the word", parts.join(" ")),
            ));
            continue;
        }
        if let Some(first) = words.iter().find(|w| w.word == word) {
            problems.push(Problem::warning(path, line, format!("`{word}` is already listed on line {}", first.line)));
            continue;
        }
        words.push(UserWord { word: word.to_string(), parts, line });
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonym_rules_one_way_and_groups_with_lines() {
        let mut problems = Vec::new();
        let rules = parse_synonyms(
            Path::new("content/synonyms.txt"),
            "# 주석\n비번, 비밀 번호 => 비밀번호\n\n환불, 돈  돌려받기, 리펀드 # 끝\n=> 없음\n",
            &mut problems,
        );
        assert_eq!(rules.len(), 2);
        assert_eq!((rules[0].kind, rules[0].from.clone(), rules[0].to.clone(), rules[0].line),
            (SynonymKind::OneWay, vec!["비번".into(), "비밀 번호".into()], vec!["비밀번호".into()], 2));
        assert_eq!(rules[1].from, ["환불", "돈 돌려받기", "리펀드"]);
        assert_eq!(problems[0].to_string(), "content/synonyms.txt:5: one-way synonym needs words on both sides of `=>`: `비번 => 비밀번호`");
    }

    #[test]
    fn user_words_with_parts_must_spell_the_word() {
        let mut problems = Vec::new();
        let words = parse_user_words(
            Path::new("content/user-dictionary.txt"),
            "카카오페이 = 카카오 페이\n적립금\n네이버 페이\n현금영수증 = 현금 영수\n적립금\n",
            &mut problems,
        );
        assert_eq!(words.iter().map(|w| w.word.as_str()).collect::<Vec<_>>(), ["카카오페이", "적립금"]);
        assert_eq!(words[0].parts, ["카카오", "페이"]);
        let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(messages, [
            "content/user-dictionary.txt:3: `네이버 페이` is not one word; a user-dictionary entry has no spaces (write `카카오페이 = 카카오 페이`)",
            "content/user-dictionary.txt:4: parts `현금 영수` do not spell `현금영수증`; they must join to the word",
            "content/user-dictionary.txt:5: warning: `적립금` is already listed on line 2",
        ]);
    }
}
