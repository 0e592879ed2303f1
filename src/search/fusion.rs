//! Fusing the lexical ranking with the ranking by meaning.
//!
//! The lexical engine is right where only it can be — initials (ㅂㅁㅂㅎ),
//! half-typed syllables, exact words of the help center — and the dense one
//! where the customer's words are not the content's. So the query's own
//! evidence decides how much the dense ranking counts: nothing for words the
//! customer typed only as initials or unfinished syllables (the model cannot
//! read them), and less the more surely the lexical engine answered.

use super::understand::{Origin, QueryPlan};
use crate::korean::jamo;

/// Below this doubt the dense stage is not run at all: it could move a hit by
/// little (at the default `semantic_weight` the dense side's share of a fused
/// score would be under 31 %), and the embedding costs more than the rest of
/// the search fifty times over. It skips questions the words answer at 70 %
/// confidence or more; on the dev set that skips 44 % of the embeddings and
/// changes two ranks (one up, one down).
pub const MIN_DOUBT: f32 = 0.3;

/// How much the lexical answer leaves to meaning, 0–1: the share of the query
/// the model can read, times how unsure the lexical engine is.
pub fn doubt(plan: &QueryPlan, lexical_confidence: f32) -> f32 {
    readable_share(plan) * (1.0 - lexical_confidence.clamp(0.0, 1.0))
}

/// How much the dense ranking counts beside the lexical one (weight 1), from
/// 0 (lexical only) to `max_weight`.
pub fn dense_weight(plan: &QueryPlan, lexical_confidence: f32, max_weight: f32) -> f32 {
    max_weight * doubt(plan, lexical_confidence)
}

/// The share of the query's weight that the model can read: every word but
/// those typed in loose letters (initials such as ㅂㅁㅂㅎ) and those found
/// only as a completion of an unfinished syllable. A word the help center does
/// not know at all counts: it is where meaning helps most.
pub fn readable_share(plan: &QueryPlan) -> f32 {
    let unreadable = |origin: Origin| matches!(origin, Origin::Initials | Origin::Completion);
    let loose_letters = |text: &str| text.chars().any(jamo::is_jamo);
    let total: f32 = plan.slots.iter().map(|s| s.importance.max(f32::EPSILON)).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let readable: f32 = plan
        .slots
        .iter()
        .filter(|s| !loose_letters(&s.text))
        .filter(|s| s.alternatives.is_empty() || !s.alternatives.iter().all(|a| unreadable(a.origin)))
        .map(|s| s.importance.max(f32::EPSILON))
        .sum();
    readable / total
}

/// Cosines this far below the best candidate's count as nothing in fusion:
/// e5 puts unrelated Korean texts at about 0.8 and the answer at about 0.9.
pub const COSINE_SPAN: f32 = 0.10;

/// One candidate's fused score, 0–1: a convex combination of its lexical
/// score, relative to the best lexical score, and its cosine, relative to the
/// best cosine, with the dense side at `weight / (1 + weight)`. Scores, not
/// ranks: reciprocal rank fusion flattens the lexical ranking (rank 1 and rank
/// 5 differ by 6 %), so any dense vote overturned a sure lexical first hit
/// (Bruch et al., "An Analysis of Fusion Functions for Hybrid Retrieval", 2023).
pub fn fuse(lexical: f32, top_lexical: f32, cosine: Option<f32>, top_cosine: f32, weight: f32) -> f32 {
    let alpha = weight / (1.0 + weight);
    let lexical = if top_lexical > 0.0 { lexical / top_lexical } else { 0.0 };
    let dense = cosine.map_or(0.0, |c| (1.0 - (top_cosine - c) / COSINE_SPAN).clamp(0.0, 1.0));
    (1.0 - alpha) * lexical + alpha * dense
}

/// Cosines between which an entry goes from "not shown to answer by meaning"
/// to "surely answers": e5 puts every Korean text pair between about 0.78 and
/// 0.95. Chosen on the dev set (`doumi eval --semantic --trace`): no
/// unanswerable question's nearest entry reached 0.88 (half-way), while 3 in 4
/// answers found first by meaning did; checked on the holdout (BENCHMARKS.md,
/// "Meaning").
pub const COSINE_UNRELATED: f32 = 0.86;
pub const COSINE_SURE: f32 = 0.90;

/// How surely an entry answers by meaning alone, 0–1, from its cosine.
pub fn dense_confidence(cosine: f32) -> f32 {
    ((cosine - COSINE_UNRELATED) / (COSINE_SURE - COSINE_UNRELATED)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::super::understand::Slot;
    use super::*;

    #[test]
    fn fusion_keeps_a_sure_lexical_first_hit_unless_meaning_counts_and_disagrees() {
        // First lexically (score 10), far by meaning, against second (6) that is
        // the nearest by meaning.
        let first = |w| fuse(10.0, 10.0, Some(0.82), 0.90, w);
        let second = |w| fuse(6.0, 10.0, Some(0.90), 0.90, w);
        assert!(first(0.0) > second(0.0), "without meaning, the words decide");
        assert!(first(0.2) > second(0.2), "a little meaning does not overturn a clear lexical lead");
        assert!(first(1.0) < second(1.0), "an equal say lets meaning decide between close entries");
        assert_eq!(fuse(0.0, 0.0, None, 0.0, 1.0), 0.0);
    }

    #[test]
    fn initials_leave_nothing_to_meaning_and_a_sure_lexical_answer_little() {
        let slot = |text: &str, origin: Origin| Slot {
            text: text.into(),
            alternatives: vec![super::super::understand::Alternative { origin, text: text.into(), terms: vec![text.into()], also_covers: None }],
            importance: 1.0,
        };
        let plan = |slots| QueryPlan { slots, phrase: Vec::new(), suggestion: None, layout_fixed: false };
        let initials = plan(vec![slot("ㅂㅁㅂㅎ", Origin::Initials)]);
        assert_eq!(doubt(&initials, 0.0), 0.0, "the model cannot read initials");
        let words = plan(vec![slot("계정", Origin::Exact), slot("없애고", Origin::Exact)]);
        assert_eq!(doubt(&words, 0.0), 1.0);
        assert!(doubt(&words, 0.8) < MIN_DOUBT, "a sure lexical answer is not embedded");
        let half = plan(vec![slot("계정", Origin::Exact), slot("비밀버", Origin::Completion)]);
        assert_eq!(doubt(&half, 0.0), 0.5, "an unfinished word is left to the words");
    }

    #[test]
    fn dense_confidence_rises_with_the_cosine_and_stays_within_bounds() {
        assert_eq!(dense_confidence(0.5), 0.0);
        assert_eq!(dense_confidence(0.99), 1.0);
        assert!(dense_confidence(0.89) > dense_confidence(0.87));
        assert!(dense_confidence(0.87) < 0.5, "an unrelated nearest entry is not an answer");
    }
}
