//! How much of the query an entry answers, weighed by how telling each word is.
//!
//! BM25 adds up matches, so an entry matching one word strongly in its question
//! can outrank one that matches every word of the query. Coverage counts, per
//! query word, whether the entry matches it at all (and how: exactly, through a
//! synonym, a typo correction …), weighted by the word's idf. It reranks the
//! first candidates and is the result list's confidence.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, InvertedIndexReader, Searcher, TERMINATED, Term};

use super::query::{Place, field_boosts};
use super::understand::{Origin, QueryPlan};
use super::vocabulary::Vocabulary;
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
///
/// Reads the postings of each alternative's terms directly and seeks them to
/// the candidates: only whether a candidate holds a term matters here, not a
/// score, so no query weight is built.
pub fn coverage(searcher: &Searcher, fields: &Fields, vocabulary: &Vocabulary, plan: &QueryPlan, candidates: &[DocAddress]) -> tantivy::Result<Vec<Coverage>> {
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
