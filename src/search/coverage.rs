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

use super::query::alternative_query;
use super::understand::QueryPlan;
use crate::index::Fields;

/// Coverage (0–1) of each candidate, in the candidates' order.
pub fn coverage(searcher: &Searcher, fields: &Fields, plan: &QueryPlan, candidates: &[DocAddress]) -> tantivy::Result<Vec<f32>> {
    let total: f32 = plan.slots.iter().map(|s| s.importance).sum();
    let mut covered = vec![0.0f32; candidates.len()];
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
    for slot in plan.slots.iter().filter(|s| s.importance > 0.0) {
        // Each candidate counts the slot at its best matching alternative.
        let mut best = vec![0.0f32; candidates.len()];
        for alternative in slot.alternatives.iter().filter(|a| !a.terms.is_empty()) {
            let weight = alternative.origin.weight();
            let query = alternative_query(fields, alternative);
            for (segment, docs) in &by_segment {
                for i in matching(searcher, &*query, *segment, docs)? {
                    best[i] = best[i].max(weight);
                }
            }
        }
        for (c, b) in covered.iter_mut().zip(best) {
            *c += slot.importance * b;
        }
    }
    Ok(covered.into_iter().map(|c| ((c / total) * 1000.0).round() / 1000.0).collect())
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
