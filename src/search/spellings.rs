//! The vocabulary's words spelled out in jamo as a trie, for typo correction
//! without trying every word.
//!
//! The distance between a typed word and a vocabulary word is a table filled
//! one row per jamo of the vocabulary word ([`jamo::next_distance_row`]).
//! Words that begin alike share their first rows, so in a trie each row is
//! worked out once, at the node of the beginning it belongs to. And a row
//! whose every cell is past the limit rules out every word below its node:
//! the whole branch is skipped. That is a Levenshtein automaton run over a
//! trie of the vocabulary, with the help center's own weighted distance
//! (same-sounding vowels, neighbouring keys, a particle after the word) and
//! exactly its figures: what it reports for a word is what
//! [`jamo::prefix_distance_within`] reports.

use crate::korean::jamo;

/// Words as jamo units ([`jamo::jamo_units`]), in a trie laid out in
/// depth-first order: a node's branch is the nodes after it up to its `end`.
#[derive(Debug, Default)]
pub struct Spellings {
    nodes: Vec<Node>,
    /// The words ending at each node, node by node ([`Node::words`]), with
    /// the distance each may be from the typed word.
    ids: Vec<(u32, usize)>,
    /// Units of the longest word.
    deepest: usize,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    /// The jamo unit this node adds to its parent's beginning.
    unit: char,
    /// Units from the root: the node's row of the table.
    depth: u32,
    /// The first node after this node's branch.
    end: u32,
    /// Where this node's words start in `ids`; they end where the next node's start.
    words: u32,
    /// The largest distance any word of the branch may be from the typed word.
    limit: usize,
}

/// A word of [`Spellings`] within the limit of a typed word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    pub id: u32,
    /// Weighted jamo edits, in half-edits, to the closest prefix of the typed word.
    pub distance: usize,
    /// Units of the typed word that prefix spans.
    pub matched: usize,
}

impl Spellings {
    /// The trie of `(id, units, limit)`: each word, its jamo units and the
    /// largest distance (in half-edits) at which [`Spellings::near`] finds it.
    pub fn new(words: impl IntoIterator<Item = (u32, Vec<char>, usize)>) -> Spellings {
        let mut words: Vec<(u32, Vec<char>, usize)> = words.into_iter().collect();
        words.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        // The root, then each word's units below the beginning it shares
        // with the word before; `open` holds the nodes of that beginning.
        let mut spellings = Spellings { nodes: vec![Node { unit: '\0', depth: 0, end: 0, words: 0, limit: 0 }], ids: Vec::new(), deepest: 0 };
        let mut open: Vec<usize> = vec![0];
        let mut previous: &[char] = &[];
        for (id, units, limit) in &words {
            let shared = previous.iter().zip(units).take_while(|(a, b)| a == b).count();
            spellings.close(&mut open, shared + 1);
            for (depth, &unit) in units.iter().enumerate().skip(shared) {
                open.push(spellings.nodes.len());
                let words = spellings.ids.len() as u32;
                spellings.nodes.push(Node { unit, depth: depth as u32 + 1, end: 0, words, limit: 0 });
            }
            for &node in &open {
                spellings.nodes[node].limit = spellings.nodes[node].limit.max(*limit);
            }
            spellings.ids.push((*id, *limit));
            spellings.deepest = spellings.deepest.max(units.len());
            previous = units;
        }
        spellings.close(&mut open, 0);
        let words = spellings.ids.len() as u32;
        spellings.nodes.push(Node { unit: '\0', depth: 0, end: 0, words, limit: 0 });
        spellings
    }

    /// Ends the branches of the open nodes past the first `keep`.
    fn close(&mut self, open: &mut Vec<usize>, keep: usize) {
        let end = self.nodes.len() as u32;
        for node in open.drain(keep.min(open.len())..) {
            self.nodes[node].end = end;
        }
    }

    /// Every word of at most `longest` units whose distance to some prefix of
    /// `typed` is at most its limit (in half-edits), with that distance: the
    /// words for which `jamo::prefix_distance_within(word, typed, limit)` is
    /// some, in the trie's order.
    pub fn near(&self, typed: &[char], longest: usize) -> Vec<Near> {
        let columns = typed.len() + 1;
        let deepest = self.deepest.min(longest);
        // rows[d]: the table's row at depth d of the branch being walked.
        let mut rows = vec![0usize; (deepest + 1) * columns];
        jamo::first_distance_row(&mut rows[..columns]);
        let mut found = Vec::new();
        let typed = jamo::Typed::new(typed);
        // The last node is a sentinel that only ends the last node's words.
        let last = self.nodes.len().saturating_sub(1);
        let mut i = 1;
        while i < last {
            let node = self.nodes[i];
            let depth = node.depth as usize;
            if depth > deepest {
                i = node.end as usize;
                continue;
            }
            let (before, after) = rows.split_at_mut(depth * columns);
            let row = &mut after[..columns];
            if jamo::next_distance_row(&before[(depth - 1) * columns..], row, node.unit, &typed) > node.limit {
                i = node.end as usize;
                continue;
            }
            let ids = &self.ids[node.words as usize..self.nodes[i + 1].words as usize];
            if let Some((distance, matched)) = jamo::closest_prefix(row).filter(|_| !ids.is_empty()) {
                let within = ids.iter().filter(|(_, limit)| distance <= *limit);
                found.extend(within.map(|&(id, _)| Near { id, distance, matched }));
            }
            i += 1;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::korean::jamo::{EDIT, jamo_units, prefix_distance_within};

    const WORDS: &[&str] = &[
        "배송", "배송지", "배송비", "배달", "비밀번호", "비밀", "결제", "결제수단", "결재", "계좌", "계정", "회원가입",
        "회원탈퇴", "환불", "교환", "반품", "적립금", "쿠폰", "영수증", "세금계산서", "kakaopay", "ㄱㅏㄱ", "각",
    ];

    /// Limits of one and two edits, and none, spread over the words.
    fn limit_of(i: usize) -> usize {
        [EDIT, 2 * EDIT, 0][i % 3]
    }

    fn spellings() -> Spellings {
        Spellings::new(WORDS.iter().enumerate().map(|(i, w)| (i as u32, jamo_units(w), limit_of(i))))
    }

    #[test]
    fn the_walk_finds_what_measuring_every_word_finds() {
        let spellings = spellings();
        let typed_words = ["배숑", "배송이", "비밀버노를", "결재", "게좌", "회언가입", "환뷸", "kakopay", "갹", "세금게산서요", "ㄱ", ""];
        for typed in typed_words {
            let typed = jamo_units(typed);
            for longest in [0, 3, 6, typed.len() + 3, usize::MAX] {
                let mut walked: Vec<Near> = spellings.near(&typed, longest);
                walked.sort_by_key(|n| n.id);
                let measured: Vec<Near> = WORDS
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (i as u32, jamo_units(w)))
                    .filter(|(_, units)| units.len() <= longest)
                    .filter_map(|(id, units)| {
                        let within = prefix_distance_within(&units, &typed, limit_of(id as usize));
                        within.map(|(distance, matched)| Near { id, distance, matched })
                    })
                    .collect();
                assert_eq!(walked, measured, "{typed:?}, at most {longest} units");
            }
        }
    }

    #[test]
    fn a_close_typo_finds_its_word_and_a_far_one_nothing() {
        let spellings = spellings();
        let near = spellings.near(&jamo_units("배숑"), 9);
        assert!(near.iter().any(|n| WORDS[n.id as usize] == "배송" && n.distance == EDIT), "{near:?}");
        assert!(spellings.near(&jamo_units("컴퓨터"), 12).is_empty());
    }
}
