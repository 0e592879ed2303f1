//! How much of the query an entry answers, weighed by how telling each word is.
//!
//! BM25 adds up matches, so an entry matching one word strongly in its question
//! can outrank one that matches every word of the query. Coverage counts, per
//! query word, whether the entry matches it at all (and how: exactly, through a
//! synonym, a typo correction …), weighted by the word's idf. It reranks the
//! first candidates and is the result list's confidence.

use foldhash::HashMap;
use tantivy::schema::Field;

use super::query::Place;
use super::top_entries::TopEntries;
use super::understand::{Origin, QueryPlan};
use crate::index::Fields;

/// A word found only in the answer counts this much of one found in the
/// question, a title, an alias or a tag: an answer mentions many things it is
/// not about.
const BODY_ONLY: f32 = 0.6;

/// How much of the query one candidate answers.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Coverage {
    /// 0–1: the query's words, weighed by importance, that the entry matches,
    /// each at the weight of the best way it matches.
    pub share: f32,
    /// Whether the entry holds a word that a typo correction put in the
    /// query: then the correction is what found it, and is worth suggesting.
    pub through_typo: bool,
}

/// Coverage of each candidate of `top`, in its order, from the terms each
/// was found to hold while it was ranked: only whether a candidate holds a
/// term matters here, not a score.
pub fn coverage(fields: &Fields, plan: &QueryPlan, top: &TopEntries<'_>) -> Vec<Coverage> {
    let total: f32 = plan.slots.iter().map(|s| s.importance).sum();
    let mut covered = vec![Coverage::default(); top.entries.len()];
    if total <= 0.0 || top.entries.is_empty() {
        return covered;
    }
    // Each alternative as the units that find it, in a heading field (the
    // question, titles, aliases, tags) and in the answer text.
    let words = top.leaves.len().div_ceil(64);
    // The units of each term, in whatever fields: an alternative's terms are
    // each looked up once rather than compared with every unit's.
    let mut units_of: HashMap<&str, Vec<(usize, Field)>> = HashMap::default();
    for (unit, leaf) in top.leaves.iter().enumerate() {
        if let Some(leaf) = leaf {
            units_of.entry(leaf.term.as_str()).or_default().push((unit, leaf.field));
        }
    }
    let mut ways: Vec<Way> = Vec::new();
    for (s, slot) in plan.slots.iter().enumerate() {
        for alternative in slot.alternatives.iter().filter(|a| !a.terms.is_empty()) {
            let mut units = [vec![0u64; words], vec![0u64; words]];
            for &(unit, field) in alternative.terms.iter().filter_map(|term| units_of.get(term.as_str())).flatten() {
                for (k, place) in [Place::Heading, Place::Body].into_iter().enumerate() {
                    if place.holds(fields, field) {
                        units[k][unit / 64] |= 1 << (unit % 64);
                    }
                }
            }
            ways.push(Way { slot: s, also_covers: alternative.also_covers, origin: alternative.origin, units });
        }
    }
    // best[slot]: the weight of the best way the candidate matches the slot.
    // A spacing join on one slot answers the next one too.
    let mut best = vec![0.0f32; plan.slots.len()];
    for (found, covered) in top.entries.iter().zip(covered.iter_mut()) {
        best.iter_mut().for_each(|b| *b = 0.0);
        for way in &ways {
            // A match in a heading field outweighs one in the answer text.
            let holds = |units: &[u64]| units.iter().zip(&found.holds).any(|(u, h)| u & h != 0);
            let share = if holds(&way.units[0]) {
                1.0
            } else if holds(&way.units[1]) {
                BODY_ONLY
            } else {
                continue;
            };
            covered.through_typo |= way.origin == Origin::Typo;
            let weight = way.origin.weight() * share;
            for target in std::iter::once(way.slot).chain(way.also_covers) {
                best[target] = best[target].max(weight);
            }
        }
        let share: f32 = plan.slots.iter().zip(&best).map(|(slot, weight)| slot.importance * weight).sum();
        covered.share = ((share / total) * 1000.0).round() / 1000.0;
    }
    covered
}

/// One way a query word may be matched: an alternative of its slot, as the
/// units that find it in a heading field (`units[0]`) and in the answer
/// text (`units[1]`), a bit each.
struct Way {
    slot: usize,
    also_covers: Option<usize>,
    origin: Origin,
    units: [Vec<u64>; 2],
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Arc;

    use crate::search::query::field_boosts;
    use tantivy::schema::{Field, IndexRecordOption};
    use tantivy::{DocAddress, DocSet, InvertedIndexReader, Searcher, TERMINATED, Term};

    use crate::search::vocabulary::Vocabulary;

    /// Every dev and holdout query's first 30 candidates, with no category
    /// and in each: their coverage from what the ranking found them to hold
    /// is the coverage read from the postings of every word's terms.
    #[test]
    fn coverage_from_the_ranking_is_coverage_read_from_the_postings() {
        let (mut compared, mut partial) = (0, 0);
        for (engine, queries, categories, _dir) in crate::eval::labelled_help_centers() {
            let searcher = &engine.searcher;
            let statistics = crate::search::statistics::GlobalStatistics { searcher, totals: &engine.totals, vocabulary: &engine.vocabulary };
            for labelled in &queries {
                let plan = engine.plan(&labelled.query);
                for category in std::iter::once(None).chain(categories.iter().flatten().map(|c| Some(c.as_str()))) {
                    let Some(ranking) = crate::search::query::ranking(&engine.index.fields, &engine.vocabulary, &plan, category) else { continue };
                    let top = crate::search::top_entries::top_entries(searcher, &statistics, &engine.postings, &ranking, 30, 1000).unwrap();
                    let addresses: Vec<DocAddress> = top.entries.iter().map(|f| f.address).collect();
                    let expected = from_postings(searcher, &engine.index.fields, &engine.vocabulary, &plan, &addresses).unwrap();
                    assert_eq!(coverage(&engine.index.fields, &plan, &top), expected, "{} in {category:?}", labelled.query);
                    compared += addresses.len();
                    partial += expected.iter().filter(|c| c.share > 0.0 && c.share < 1.0).count();
                }
            }
        }
        assert!(compared > 20_000 && partial > 2_000, "{compared} candidates compared, {partial} of them partly covered");
    }

    /// Coverage as it was read before the ranking kept what each entry
    /// holds: each alternative's terms' postings, sought to the candidates.
    fn from_postings(searcher: &Searcher, fields: &Fields, vocabulary: &Vocabulary, plan: &QueryPlan, candidates: &[DocAddress]) -> tantivy::Result<Vec<Coverage>> {
        let total: f32 = plan.slots.iter().map(|s| s.importance).sum();
        let mut covered = vec![Coverage::default(); candidates.len()];
        if total <= 0.0 || candidates.is_empty() {
            return Ok(covered);
        }
        // Candidates by segment, in doc order, so each posting list only moves forward.
        let mut by_segment: HashMap<u32, Vec<(u32, usize)>> = HashMap::new();
        for (i, address) in candidates.iter().enumerate() {
            by_segment.entry(address.segment_ord).or_default().push((address.doc_id, i));
        }
        // best[slot][candidate]: the weight of the best way the candidate matches
        // the slot. A spacing join on one slot answers the next one too.
        let mut best = vec![vec![0.0f32; candidates.len()]; plan.slots.len()];
        for (segment, docs) in &mut by_segment {
            docs.sort_unstable();
            let reader = searcher.segment_reader(*segment);
            let mut inverted: Vec<(Field, Arc<InvertedIndexReader>)> = Vec::with_capacity(6);
            for (field, _) in field_boosts(fields) {
                inverted.push((field, reader.inverted_index(field)?));
            }
            for (s, slot) in plan.slots.iter().enumerate() {
                for alternative in slot.alternatives.iter().filter(|a| !a.terms.is_empty()) {
                    let typo = alternative.origin == Origin::Typo;
                    // Candidates the heading fields already answer need no look at
                    // their answer text, which can only weigh less.
                    let mut in_heading = vec![false; docs.len()];
                    for (place, share) in [(Place::Heading, 1.0), (Place::Body, BODY_ONLY)] {
                        let weight = alternative.origin.weight() * share;
                        let in_place = inverted.iter().filter(|(field, _)| place.holds(fields, *field));
                        for k in holding(vocabulary, in_place, &alternative.terms, docs, &in_heading)? {
                            let i = docs[k].1;
                            covered[i].through_typo |= typo;
                            in_heading[k] |= place == Place::Heading;
                            for target in std::iter::once(s).chain(alternative.also_covers) {
                                best[target][i] = best[target][i].max(weight);
                            }
                        }
                    }
                }
            }
        }
        for (slot, per_candidate) in plan.slots.iter().zip(&best) {
            for (c, weight) in covered.iter_mut().zip(per_candidate) {
                c.share += slot.importance * weight;
            }
        }
        for c in &mut covered {
            c.share = ((c.share / total) * 1000.0).round() / 1000.0;
        }
        Ok(covered)
    }

    /// Which of `docs` (sorted doc ids of one segment), other than those already
    /// `settled`, hold one of `terms` in one of the fields: their indexes in `docs`.
    fn holding<'a>(
        vocabulary: &Vocabulary,
        fields: impl Iterator<Item = &'a (Field, Arc<InvertedIndexReader>)>,
        terms: &[String],
        docs: &[(u32, usize)],
        settled: &[bool],
    ) -> tantivy::Result<Vec<usize>> {
        let mut found = settled.to_vec();
        let mut left = found.iter().filter(|f| !**f).count();
        for (field, inverted) in fields {
            for term in terms.iter().filter(|t| vocabulary.in_field(t, *field)) {
                if left == 0 {
                    break;
                }
                let Some(mut postings) = inverted.read_postings(&Term::from_field_text(*field, term), IndexRecordOption::Basic)? else {
                    continue;
                };
                for (k, &(doc, _)) in docs.iter().enumerate() {
                    if found[k] {
                        continue;
                    }
                    let mut current = postings.doc();
                    if current == TERMINATED {
                        break;
                    }
                    if current < doc {
                        current = postings.seek(doc);
                    }
                    if current == doc {
                        found[k] = true;
                        left -= 1;
                    }
                }
            }
        }
        Ok((0..docs.len()).filter(|&k| found[k] && !settled[k]).collect())
    }
}
