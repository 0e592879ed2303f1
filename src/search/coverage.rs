//! How much of the query an entry answers, weighed by how telling each word is.
//!
//! BM25 adds up matches, so an entry matching one word strongly in its question
//! can outrank one that matches every word of the query. Coverage counts, per
//! query word, whether the entry matches it at all (and how: exactly, through a
//! synonym, a typo correction …), weighted by the word's idf. It reranks the
//! first candidates and is the result list's confidence.

use std::collections::HashMap;

use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED};

use super::query::alternative_query_in;
use super::understand::{Origin, QueryPlan};
use super::query::Place;
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

/// Coverage of each candidate, in the candidates' order.
pub fn coverage(searcher: &Searcher, fields: &Fields, plan: &QueryPlan, candidates: &[DocAddress]) -> tantivy::Result<Vec<Coverage>> {
    let total: f32 = plan.slots.iter().map(|s| s.importance).sum();
    let mut covered = vec![Coverage::default(); candidates.len()];
    if total <= 0.0 || candidates.is_empty() {
        return Ok(covered);
    }
    // Candidates by segment, in doc order, so each scorer only moves forward.
    let mut by_segment: HashMap<u32, Vec<(u32, usize)>> = HashMap::new();
    for (i, address) in candidates.iter().enumerate() {
        by_segment.entry(address.segment_ord).or_default().push((address.doc_id, i));
    }
    for docs in by_segment.values_mut() {
        docs.sort_unstable();
    }
    // best[slot][candidate]: the weight of the best way the candidate matches
    // the slot. A spacing join on one slot answers the next one too.
    let mut best = vec![vec![0.0f32; candidates.len()]; plan.slots.len()];
    for (s, slot) in plan.slots.iter().enumerate() {
        for alternative in slot.alternatives.iter().filter(|a| !a.terms.is_empty()) {
            let typo = alternative.origin == Origin::Typo;
            // Candidates the heading fields already answer need no look at
            // their answer text, which can only weigh less.
            let mut in_heading = vec![false; candidates.len()];
            for (place, share) in [(Place::Heading, 1.0), (Place::Body, BODY_ONLY)] {
                let weight = alternative.origin.weight() * share;
                let query = alternative_query_in(fields, alternative, place);
                for (segment, docs) in &by_segment {
                    let docs: Vec<(u32, usize)> = docs.iter().copied().filter(|&(_, i)| !in_heading[i]).collect();
                    if docs.is_empty() {
                        continue;
                    }
                    for i in matching(searcher, &*query, *segment, &docs)? {
                        covered[i].through_typo |= typo;
                        in_heading[i] |= place == Place::Heading;
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

/// Which of `docs` (sorted doc ids of one segment, with their candidate index)
/// `query` matches.
fn matching(searcher: &Searcher, query: &dyn Query, segment: u32, docs: &[(u32, usize)]) -> tantivy::Result<Vec<usize>> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut scorer = weight.scorer(searcher.segment_reader(segment), 1.0)?;
    let mut found = Vec::new();
    for &(doc, i) in docs {
        let mut current = scorer.doc();
        if current == TERMINATED {
            break;
        }
        if current < doc {
            current = scorer.seek(doc);
        }
        if current == doc {
            found.push(i);
        }
    }
    Ok(found)
}
