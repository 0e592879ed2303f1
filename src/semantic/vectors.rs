//! Vector retrieval: the entries nearest a query by cosine.
//!
//! Exact search over every vector. At 10,000 entries of 384 floats a query
//! reads 15 MB and takes 0.42 ms (p50, one core; BENCHMARKS.md, "Meaning"),
//! against 24 ms for embedding the query itself; a help center's content stays
//! within 10⁵ entries (about 4 ms), where an approximate index would trade
//! recall for time that is not where the time goes.

use super::model::DIM;

/// Every entry's embedding, by entry id, in one contiguous matrix.
#[derive(Debug, Default, Clone)]
pub struct EntryVectors {
    ids: Vec<String>,
    /// `ids.len()` rows of `DIM` floats, L2-normalised.
    matrix: Vec<f32>,
}

impl EntryVectors {
    /// Vectors for `ids`, in the same order. A vector of the wrong length is
    /// a bug in the caller, not bad input, so it is left out with its id.
    pub fn new(ids: Vec<String>, vectors: Vec<Vec<f32>>) -> EntryVectors {
        let mut kept = Vec::with_capacity(ids.len());
        let mut matrix = Vec::with_capacity(ids.len() * DIM);
        for (id, vector) in ids.into_iter().zip(vectors) {
            if vector.len() == DIM {
                kept.push(id);
                matrix.extend_from_slice(&vector);
            }
        }
        EntryVectors { ids: kept, matrix }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The entry id of row `row`.
    pub fn id(&self, row: usize) -> &str {
        &self.ids[row]
    }

    /// The embedding of row `row`.
    pub fn vector(&self, row: usize) -> &[f32] {
        &self.matrix[row * DIM..(row + 1) * DIM]
    }

    /// The rows of the `k` entries nearest `query`, with their cosine, best first.
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<(usize, f32)> {
        if query.len() != DIM || k == 0 {
            return Vec::new();
        }
        let mut scored: Vec<(usize, f32)> = self.matrix.chunks_exact(DIM).map(|row| super::cosine(query, row)).enumerate().collect();
        let k = k.min(scored.len());
        if k < scored.len() {
            scored.select_nth_unstable_by(k, |a, b| b.1.total_cmp(&a.1));
            scored.truncate(k);
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(axis: usize) -> Vec<f32> {
        let mut v = vec![0.0; DIM];
        v[axis] = 1.0;
        v
    }

    #[test]
    fn nearest_entries_come_first_and_only_k_of_them() {
        let mut close = unit(0);
        (close[0], close[1]) = (0.8, 0.6);
        let vectors = EntryVectors::new(vec!["far".into(), "exact".into(), "close".into()], vec![unit(5), unit(0), close]);
        let nearest = vectors.nearest(&unit(0), 2);
        let ids: Vec<&str> = nearest.iter().map(|&(row, _)| vectors.id(row)).collect();
        assert_eq!(ids, ["exact", "close"]);
        assert!(nearest[0].1 > nearest[1].1);
    }

    #[test]
    fn a_vector_of_the_wrong_length_is_left_out_with_its_id() {
        let vectors = EntryVectors::new(vec!["short".into(), "whole".into()], vec![vec![1.0; 3], unit(1)]);
        assert_eq!(vectors.len(), 1);
        assert_eq!(vectors.id(0), "whole");
        assert!(vectors.nearest(&[1.0; 3], 5).is_empty(), "a query of the wrong length finds nothing");
    }
}
