//! A query plan → its ranking: the clauses whose sum ranks entries, which
//! `top_entries` walks (and, in the tests, the same sum as a tantivy query
//! to hold it to).

use tantivy::query::PhraseQuery;
use tantivy::schema::Field;
use tantivy::Term;

use super::understand::{Alternative, Origin, QueryPlan};
use super::vocabulary::Vocabulary;
use crate::index::Fields;

/// How much a match in each field is worth. The question (or heading) and the
/// aliases say what an entry is about — aliases are other ways to ask the
/// question, so they weigh the same; the body only mentions things.
/// What names the whole article (its title, its aliases on each question) only
/// says which article, so it weighs a little more than the body.
pub fn field_boosts(fields: &Fields) -> [(Field, f32); 6] {
    [
        (fields.title, 3.0),
        (fields.aliases, 3.0),
        (fields.tags, 1.5),
        (fields.article_title, 1.2),
        (fields.article_aliases, 1.8),
        (fields.body, 1.0),
    ]
}

/// The query's words in the same order in a question are worth this much more.
const TITLE_PHRASE_BOOST: f32 = 2.0;
const BODY_PHRASE_BOOST: f32 = 1.0;
/// How far apart a phrase's words may be: one word between them.
const PHRASE_SLOP: u32 = 1;

/// One term in one field, and what a match there is worth.
#[derive(Debug, Clone)]
pub struct Leaf {
    pub field: Field,
    pub term: String,
    /// The field's boost (see [`field_boosts`]).
    pub field_boost: f32,
    /// The weight of the alternative the term comes from (see [`alternative_weight`]).
    pub weight: f32,
}

impl Leaf {
    /// What a match is multiplied by, composed as tantivy composes nested
    /// boosts (the outer one first), so that scores agree to the bit.
    pub fn boost(&self) -> f32 {
        self.weight * self.field_boost
    }

}

/// One summand of an entry's score.
#[derive(Debug, Clone)]
pub enum Clause {
    /// A term of a word with one way to match.
    Term(Leaf),
    /// A word with several alternatives: the best alternative (the sum of its
    /// terms), and a tenth of each other one.
    Best(Vec<Vec<Leaf>>),
    /// The query's words in the same order, up to one word apart, in a field.
    Phrase { field: Field, terms: Vec<String>, boost: f32 },
}

/// How entries are ranked for a query: the sum of its clauses, restricted to
/// one category or not. `search::top_entries` finds its best entries without
/// scoring every match; in the tests, `Ranking::query` is the same sum as a
/// tantivy query.
#[derive(Debug, Clone)]
pub struct Ranking {
    pub clauses: Vec<Clause>,
    /// The category an entry must be in, as its term.
    pub category: Option<Term>,
}

impl Clause {
    /// The terms it adds up, in their fields; none for a phrase.
    pub fn leaves(&self) -> Vec<&Leaf> {
        match self {
            Clause::Term(leaf) => vec![leaf],
            Clause::Best(alternatives) => alternatives.iter().flatten().collect(),
            Clause::Phrase { .. } => Vec::new(),
        }
    }
}

impl Ranking {
    /// The terms the ranking looks for in `field`, its phrases' included:
    /// what snippets mark.
    pub fn terms_in(&self, field: Field) -> Vec<&str> {
        let mut terms: Vec<&str> = self.clauses.iter().flat_map(Clause::leaves).filter(|l| l.field == field).map(|l| l.term.as_str()).collect();
        for clause in &self.clauses {
            if let Clause::Phrase { field: f, terms: words, .. } = clause
                && *f == field
            {
                terms.extend(words.iter().map(String::as_str));
            }
        }
        terms
    }
}

/// Share of a word's weaker alternatives added to its best one: an entry that
/// matches the exact word and its synonym is barely better than one that
/// matches the exact word.
pub const ALTERNATIVE_TIE_BREAKER: f32 = 0.1;

/// The ranking for `plan`, optionally restricted to one category; `None` when
/// no word of the query is in the index.
///
/// A term is looked for only in the fields where `vocabulary` says the help
/// center writes it: a term query on a field without the term matches nothing
/// and adds nothing to a score, but building its weight costs as much as one
/// that matches (a customer's words are mostly absent from most fields).
pub fn ranking(fields: &Fields, vocabulary: &Vocabulary, plan: &QueryPlan, category: Option<&str>) -> Option<Ranking> {
    let mut clauses: Vec<Clause> = Vec::new();
    for slot in &plan.slots {
        let mut alternatives: Vec<Vec<Leaf>> =
            slot.alternatives.iter().map(|a| alternative_leaves(fields, vocabulary, a)).filter(|leaves| !leaves.is_empty()).collect();
        match alternatives.len() {
            0 => {}
            1 => clauses.extend(alternatives.pop().unwrap_or_default().into_iter().map(Clause::Term)),
            _ => clauses.push(Clause::Best(alternatives)),
        }
    }
    if clauses.is_empty() {
        return None;
    }
    if plan.phrase.len() >= 2 {
        for (field, boost) in [(fields.title, TITLE_PHRASE_BOOST), (fields.body, BODY_PHRASE_BOOST)] {
            if plan.phrase.iter().all(|t| vocabulary.in_field(t, field)) {
                clauses.push(Clause::Phrase { field, terms: plan.phrase.clone(), boost });
            }
        }
    }
    // The terms first, then the others, in the order tantivy's query added
    // them while it ranked entries (`as_tantivy`).
    clauses.sort_by_key(|c| !matches!(c, Clause::Term(_)));
    Some(Ranking { clauses, category: category.map(|c| Term::from_field_text(fields.category, c)) })
}

/// `terms` in this order in `field`, up to one word apart.
pub fn phrase_query(field: Field, terms: &[String]) -> PhraseQuery {
    let phrase = terms.iter().enumerate().map(|(p, t)| (p, Term::from_field_text(field, t))).collect();
    PhraseQuery::new_with_offset_and_slop(phrase, PHRASE_SLOP)
}

/// The alternative's terms, each in every field that holds it, boosted by the
/// field. Their scores add up, BM25F-style (each field's BM25 normalised by
/// that field's length): a rare, telling word found only in the answer lifts
/// an entry, and a match in the question still outweighs one in the body.
fn alternative_leaves(fields: &Fields, vocabulary: &Vocabulary, alternative: &Alternative) -> Vec<Leaf> {
    let weight = alternative_weight(alternative);
    let mut leaves = Vec::new();
    for term in &alternative.terms {
        for (field, field_boost) in field_boosts(fields) {
            if vocabulary.in_field(term, field) {
                leaves.push(Leaf { field, term: term.clone(), field_boost, weight });
            }
        }
    }
    leaves
}

/// An alternative is worth its origin's weight; one that expands to many terms
/// (개인정보처리 → 개인 · 정보 · 처리 …) would otherwise outscore the word the
/// customer actually typed, so its terms share the weight.
fn alternative_weight(alternative: &Alternative) -> f32 {
    match alternative.origin {
        Origin::Exact => 1.0,
        origin => origin.weight() / (alternative.terms.len() as f32).sqrt().max(1.0),
    }
}

/// Where in an entry a match is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// What names the entry: its question, titles, aliases and tags.
    Heading,
    /// The answer text.
    Body,
}

impl Place {
    /// Whether a match in `field` is a match in this place.
    pub fn holds(self, fields: &Fields, field: Field) -> bool {
        match self {
            Place::Heading => field != fields.body,
            Place::Body => field == fields.body,
        }
    }
}

/// Whether the help center writes `terms` one after another in a question,
/// an alias or an answer.
pub fn phrase_occurs(searcher: &tantivy::Searcher, fields: &Fields, terms: &[String]) -> bool {
    if terms.len() < 2 {
        return false;
    }
    [fields.title, fields.aliases, fields.body].into_iter().any(|field| {
        let phrase = PhraseQuery::new(terms.iter().map(|t| Term::from_field_text(field, t)).collect());
        searcher.search(&phrase, &tantivy::collector::Count).is_ok_and(|n| n > 0)
    })
}

/// The ranking as a tantivy query: what the tests hold `top_entries` to
/// (the same pages, the same scores to the bit). Entries were ranked by it
/// until issue 16's fourth stop.
#[cfg(test)]
mod as_tantivy {
    use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
    use tantivy::schema::IndexRecordOption;
    use tantivy::Term;

    use super::{ALTERNATIVE_TIE_BREAKER, Clause, Leaf, Ranking, phrase_query};

    /// A disjunction's tie breaker that makes it a sum (see [`sum`]).
    const SUM: f32 = 1.0;

    impl Ranking {
        /// The ranking as a tantivy query, restricted to its category if it has
        /// one.
        pub fn query(&self) -> Box<dyn Query> {
            // The term clauses are one union of their own, first among the
            // clauses: tantivy scores a union of term clauses alone through its
            // term scorers directly, and a mixed one through a virtual call per
            // posting. While this query ranked entries, that took p90 at 100k
            // from 2.9 to 2.6 ms (BENCHMARKS.md, issue 16).
            let (terms, others): (Vec<&Clause>, Vec<&Clause>) = self.clauses.iter().partition(|c| matches!(c, Clause::Term(_)));
            let terms: Vec<Box<dyn Query>> = terms.into_iter().map(clause_query).collect();
            let terms: Vec<Box<dyn Query>> = match terms.len() {
                2.. if !others.is_empty() => vec![Box::new(BooleanQuery::new(should(terms)))],
                _ => terms,
            };
            let mut query: Box<dyn Query> = Box::new(BooleanQuery::new(should(terms.into_iter().chain(others.into_iter().map(clause_query)))));
            if let Some(category) = &self.category {
                let filter = ConstScoreQuery::new(Box::new(TermQuery::new(category.clone(), IndexRecordOption::Basic)), 0.0);
                query = Box::new(BooleanQuery::new(vec![(Occur::Must, query), (Occur::Must, Box::new(filter))]));
            }
            query
        }
    }

    /// One clause as a tantivy query.
    ///
    /// A word with one way to match is the sum of its terms in their fields:
    /// those term queries join the other words' in one union of terms (see
    /// [`Ranking::query`]). A disjunction per word would give the same sums, but
    /// each level merges its children's postings again; over the long posting
    /// lists of a large help center that merging was most of a search.
    fn clause_query(clause: &Clause) -> Box<dyn Query> {
        match clause {
            Clause::Term(leaf) => boosted(in_its_field(leaf), leaf.weight),
            Clause::Best(alternatives) => {
                let alternatives =
                    alternatives.iter().map(|leaves| boosted(sum(leaves.iter().map(in_its_field).collect()), leaves[0].weight)).collect();
                Box::new(DisjunctionMaxQuery::with_tie_breaker(alternatives, ALTERNATIVE_TIE_BREAKER))
            }
            Clause::Phrase { field, terms, boost } => boosted(Box::new(phrase_query(*field, terms)), *boost),
        }
    }

    /// The sum of `queries`' scores: a disjunction with a tie breaker of 1 adds
    /// the others to the best. (tantivy runs it as a boolean's union, buffers
    /// included; what flattening single-alternative words saved was the nesting.)
    fn sum(mut queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        match queries.len() {
            1 => queries.pop().unwrap_or_else(|| Box::new(tantivy::query::EmptyQuery)),
            _ => Box::new(DisjunctionMaxQuery::with_tie_breaker(queries, SUM)),
        }
    }

    /// Clauses any of which may match, their scores adding up.
    fn should(queries: impl IntoIterator<Item = Box<dyn Query>>) -> Vec<(Occur, Box<dyn Query>)> {
        queries.into_iter().map(|q| (Occur::Should, q)).collect()
    }

    /// The leaf's term in its field, boosted by the field.
    fn in_its_field(leaf: &Leaf) -> Box<dyn Query> {
        let term = TermQuery::new(Term::from_field_text(leaf.field, &leaf.term), IndexRecordOption::WithFreqsAndPositions);
        boosted(Box::new(term), leaf.field_boost)
    }

    fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
        if boost == 1.0 { query } else { Box::new(BoostQuery::new(query, boost)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Query};

    /// A query of single-meaning words and a phrase: tantivy scores the
    /// terms through its term scorers only when they are a union of their
    /// own, and that union ranks as the flat sum of the same clauses did.
    #[test]
    fn the_terms_of_single_meaning_words_are_one_union_ahead_of_the_phrases_and_rank_as_a_flat_sum() {
        let (engine, _dir) = crate::eval::bundled_help_center();
        let plan = engine.plan("배송 조회");
        let query = ranking(&engine.index.fields, engine.vocabulary(), &plan, None).unwrap().query();
        let clauses = query.downcast_ref::<BooleanQuery>().unwrap().clauses();
        let terms = clauses[0].1.downcast_ref::<BooleanQuery>().expect("the first clause is the union of terms").clauses();
        assert!(terms.len() > 1);
        for (_, term) in terms {
            let mut count = 0;
            term.query_terms(&mut |_, _| count += 1);
            assert_eq!(count, 1, "{term:?} is one term");
        }
        assert!(clauses[1..].iter().any(|(_, q)| q.downcast_ref::<PhraseQuery>().is_some()), "the body phrase follows: {clauses:?}");

        let flat = BooleanQuery::new(terms.iter().chain(&clauses[1..]).map(|(o, q)| (*o, q.box_clone())).collect());
        let searcher = engine.index.reader.searcher();
        let top = |q: &dyn Query| searcher.search(q, &TopDocs::with_limit(30).order_by_score()).unwrap();
        let (nested, flat) = (top(&*query), top(&flat));
        assert!(nested.len() > 3);
        assert_eq!(nested.iter().map(|(_, a)| *a).collect::<Vec<_>>(), flat.iter().map(|(_, a)| *a).collect::<Vec<_>>());
        for ((a, _), (b, _)) in nested.iter().zip(&flat) {
            assert!((a - b).abs() <= 1e-5 * b.abs(), "{a} against {b}");
        }
    }
}
