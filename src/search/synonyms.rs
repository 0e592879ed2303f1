//! Synonyms at query time: the editors' `content/synonyms.txt` and the built-in
//! Korean–English loanwords, compiled into analysed term sequences.

use std::path::Path;

use crate::content::{Dictionaries, Problem, SynonymKind, SynonymRule};
use crate::korean::Analyzer;

const LOANWORDS: &str = include_str!("loanwords.txt");

/// When a query's terms contain `from` (in order), the words of `to` also match.
#[derive(Debug, Clone)]
struct Compiled {
    from: Vec<String>,
    to: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    rules: Vec<Compiled>,
}

/// A synonym found in a query: the query terms it covers, and the phrase to add.
#[derive(Debug, Clone, PartialEq)]
pub struct SynonymMatch {
    /// Index of the first and one past the last query term covered.
    pub start: usize,
    pub end: usize,
    pub phrase: String,
}

impl Synonyms {
    /// Compiles the built-in loanwords and the editors' rules with `analyzer`.
    /// A phrase with no searchable words is a problem (it could never match).
    pub fn compile(analyzer: &Analyzer, dictionaries: &Dictionaries, content_dir: &Path) -> (Synonyms, Vec<Problem>) {
        let mut problems = Vec::new();
        let builtin = crate::content::parse_synonyms(Path::new("loanwords.txt"), LOANWORDS, &mut problems);
        debug_assert!(problems.is_empty(), "built-in loanwords parse");
        let path = content_dir.join(crate::content::SYNONYMS_FILE);
        let mut synonyms = Synonyms::default();
        for (rule, editor) in builtin.iter().map(|r| (r, false)).chain(dictionaries.synonyms.iter().map(|r| (r, true))) {
            synonyms.add(analyzer, rule, editor.then_some(path.as_path()), &mut problems);
        }
        (synonyms, problems)
    }

    fn add(&mut self, analyzer: &Analyzer, rule: &SynonymRule, path: Option<&Path>, problems: &mut Vec<Problem>) {
        let terms = |phrase: &str| -> Vec<String> {
            analyzer.analyze(phrase).into_iter().filter(|t| t.primary).map(|t| t.text).collect()
        };
        let sides: Vec<&String> = rule.from.iter().chain(&rule.to).collect();
        for phrase in sides {
            if terms(phrase).is_empty()
                && let Some(path) = path
            {
                problems.push(Problem::error(
                    path,
                    rule.line,
                    format!("`{phrase}` has no searchable words (only particles, endings or symbols), so it can never match"),
                ));
            }
        }
        let mut push = |from: &str, to: &str| {
            let from = terms(from);
            if !from.is_empty() && !terms(to).is_empty() && from != terms(to) {
                self.rules.push(Compiled { from, to: vec![to.to_string()] });
            }
        };
        match rule.kind {
            SynonymKind::OneWay => {
                for from in &rule.from {
                    for to in &rule.to {
                        push(from, to);
                    }
                }
            }
            SynonymKind::Equivalent => {
                for from in &rule.from {
                    for to in rule.from.iter().filter(|t| *t != from) {
                        push(from, to);
                    }
                }
            }
        }
    }

    /// Every rule whose terms appear, in order and adjacent, in `query_terms`.
    pub fn find(&self, query_terms: &[String]) -> Vec<SynonymMatch> {
        let mut found = Vec::new();
        for rule in &self.rules {
            let n = rule.from.len();
            if n == 0 || n > query_terms.len() {
                continue;
            }
            for start in 0..=query_terms.len() - n {
                if query_terms[start..start + n] == rule.from[..] {
                    for phrase in &rule.to {
                        found.push(SynonymMatch { start, end: start + n, phrase: phrase.clone() });
                    }
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_synonyms;

    fn compiled(text: &str) -> (Synonyms, Vec<Problem>) {
        let mut problems = Vec::new();
        let rules = parse_synonyms(Path::new("content/synonyms.txt"), text, &mut problems);
        let dictionaries = Dictionaries { synonyms: rules, user_words: Vec::new() };
        Synonyms::compile(&Analyzer::shared_default(), &dictionaries, Path::new("content"))
    }

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn one_way_rules_apply_in_one_direction_only() {
        let (synonyms, problems) = compiled("비번 => 비밀번호\n");
        assert!(problems.is_empty());
        assert_eq!(synonyms.find(&words("비번 변경")), [SynonymMatch { start: 0, end: 1, phrase: "비밀번호".into() }]);
        assert!(synonyms.find(&words("비밀 번호")).iter().all(|m| m.phrase != "비번"));
    }

    #[test]
    fn groups_are_equivalent_and_multi_word() {
        let (synonyms, _) = compiled("환불, 돈 돌려받기\n");
        let found = synonyms.find(&words("돈 돌려받 언제"));
        assert!(found.contains(&SynonymMatch { start: 0, end: 2, phrase: "환불".into() }), "{found:?}");
        assert!(synonyms.find(&words("환불")).iter().any(|m| m.phrase == "돈 돌려받기"));
    }

    #[test]
    fn loanwords_are_built_in() {
        let (synonyms, _) = compiled("");
        assert!(synonyms.find(&words("kakaopay")).iter().any(|m| m.phrase == "카카오페이"));
        assert!(synonyms.find(&words("아이디")).iter().any(|m| m.phrase == "id"));
    }

    #[test]
    fn a_phrase_of_particles_only_is_reported() {
        let (_, problems) = compiled("환불, 을\n");
        assert_eq!(problems[0].to_string(), "content/synonyms.txt:1: `을` has no searchable words (only particles, endings or symbols), so it can never match");
    }
}
