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
    /// The rules by their first term, in rule order: a query looks up each of
    /// its terms instead of trying every rule at every place.
    by_first: foldhash::HashMap<String, Vec<usize>>,
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
                self.by_first.entry(from[0].clone()).or_default().push(self.rules.len());
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
    /// Matches come in rule order, and by place within a rule.
    pub fn find(&self, query_terms: &[String]) -> Vec<SynonymMatch> {
        let mut matched: Vec<(usize, usize)> = Vec::new();
        for (start, term) in query_terms.iter().enumerate() {
            for &r in self.by_first.get(term.as_str()).map_or(&[][..], Vec::as_slice) {
                if query_terms[start..].starts_with(&self.rules[r].from) {
                    matched.push((r, start));
                }
            }
        }
        matched.sort_unstable();
        let mut found = Vec::new();
        for (r, start) in matched {
            let rule = &self.rules[r];
            for phrase in &rule.to {
                found.push(SynonymMatch { start, end: start + rule.from.len(), phrase: phrase.clone() });
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
    fn lookup_by_first_term_finds_what_trying_every_rule_finds_in_the_same_order() {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let library = crate::content::Library::load(&content).unwrap();
        let (synonyms, _) = Synonyms::compile(&Analyzer::shared_default(), &library.dictionaries, &content);
        let every_rule = |query: &[String]| -> Vec<SynonymMatch> {
            let mut found = Vec::new();
            for rule in &synonyms.rules {
                let n = rule.from.len();
                for start in (0..query.len()).filter(|s| s + n <= query.len()) {
                    if query[start..start + n] == rule.from[..] {
                        found.extend(rule.to.iter().map(|phrase| SynonymMatch { start, end: start + n, phrase: phrase.clone() }));
                    }
                }
            }
            found
        };
        // Queries made of the rules' own terms, two rules at a time, with a
        // word between or not: every rule is met at several places.
        let terms: Vec<&Vec<String>> = synonyms.rules.iter().map(|r| &r.from).collect();
        let mut checked = 0;
        for (i, a) in terms.iter().enumerate() {
            let b = terms[(i * 7 + 3) % terms.len()];
            for gap in [&[][..], &["배송".to_string()][..]] {
                let query: Vec<String> = a.iter().chain(gap).chain(b.iter()).chain(a.iter()).cloned().collect();
                assert_eq!(synonyms.find(&query), every_rule(&query), "{query:?}");
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked}");
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
