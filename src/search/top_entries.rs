//! The best entries for a ranking without scoring every entry that matches
//! (MaxScore, Turtle and Flood 1995), and how many entries match, counted up
//! to a cap.
//!
//! In a large help center a common word (문의, 확인) is in most entries, and
//! scoring every one of them was most of a search. But a clause can add at
//! most so much to a score, its bound: a term's weight (idf × (k1 + 1), times
//! the boosts) times its peak in the segment (see `peaks`); a phrase's, its
//! highest score there (its entries and scores are remembered like a term's,
//! see `postings`).
//! Once the last place of the page holds a score that the clauses
//! of lowest bounds cannot reach together, an entry matching only those
//! clauses cannot enter it: only the entries that match one of the other
//! clauses are visited, and the low clauses are looked up for those alone,
//! and not at all once the entry can no longer make the page. A common word's
//! idf is small, so its bound is too, and its long posting lists are skipped.
//! The peaks of each span of entries bound a clause more tightly there, so
//! that within a window a clause may not need walking, and within a span
//! an entry may need no lookups. A segment of a couple of hundred entries
//! (a small help center, or the few entries a live edit adds) has every
//! matching entry scored instead: there, the pruning costs more than it saves.
//!
//! Scores are tantivy's own to the bit: BM25 with the same statistics and the
//! same arithmetic, a word's alternatives combined as its disjunction
//! combines them, the clauses added in the ranking's order. Bounds only decide
//! which entries are not scored. `tests` compares the pages with tantivy's on
//! every query of the dev set and the holdout, in every category.

use std::cmp::Ordering;
use std::fmt::Write;
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::fastfield::AliveBitSet;
use tantivy::postings::SegmentPostings;
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Query};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

use super::postings::{Posting, Remembered, SegmentField, TermPostings};
use super::query::{ALTERNATIVE_TIE_BREAKER, Clause, Leaf, Ranking};
use super::statistics::{GlobalStatistics, IndexTotals, K1};

/// Bounds are raised by this share, so that rounding (sums taken in another
/// order than the scores') never puts a score above what its bounds allow.
const ROUNDING_MARGIN: Score = 1e-4;

/// The best entries for a ranking, how many entries match, and which of the
/// ranking's terms each entry holds: every unit was looked up for an entry
/// when it was scored, so what it matches is known without reading the
/// postings again (see `coverage`).
#[derive(Debug)]
pub struct TopEntries<'r> {
    /// Best first.
    pub entries: Vec<Found>,
    /// Entries matching, counted up to the cap (one more means more).
    pub count: u32,
    /// By unit, the term leaf it looks for in its field; none for a phrase.
    pub leaves: Vec<Option<&'r Leaf>>,
}

/// An entry on the page.
#[derive(Debug)]
pub struct Found {
    pub score: Score,
    pub address: DocAddress,
    /// A bit per unit (see [`TopEntries::leaves`]) the entry holds.
    pub holds: Box<[u64]>,
}

/// The best `depth` entries for `ranking` (best first; equal scores in index
/// order, as tantivy's top-docs collector keeps them) and how many entries
/// match, counted up to `count_cap` (`count_cap + 1` means more).
pub fn top_entries<'r>(
    searcher: &Searcher,
    statistics: &GlobalStatistics<'_>,
    postings: &TermPostings,
    ranking: &'r Ranking,
    depth: usize,
    count_cap: u32,
) -> tantivy::Result<TopEntries<'r>> {
    top_entries_in_windows(searcher, statistics, postings, ranking, depth, count_cap, SEARCHES)
}

/// How a segment's best entries are found.
#[derive(Clone, Copy, Debug)]
struct Strategy {
    /// A segment of at most so many entries has every entry a unit is on
    /// scored ([`Weights::score_all`]); a larger one is walked
    /// ([`Weights::max_score`]).
    score_all_up_to: DocId,
    /// Entries per window of a walk at most (a multiple of 64).
    widest: DocId,
    /// A walk starts from a first page in segments of so many entries or
    /// more per candidate ([`Weights::first_page`]).
    first_page_from: usize,
}

/// As searches find them.
const SEARCHES: Strategy = Strategy { score_all_up_to: SCORE_ALL_UP_TO, widest: WINDOW, first_page_from: FIRST_PAGE_FROM };

/// [`top_entries`] as `strategy` finds them: tests walk narrow windows, so
/// that a small help center is walked over several windows as a large one
/// is, with a first page or none whatever its size, and score every entry
/// of a segment whatever its size.
fn top_entries_in_windows<'r>(
    searcher: &Searcher,
    statistics: &GlobalStatistics<'_>,
    postings: &TermPostings,
    ranking: &'r Ranking,
    depth: usize,
    count_cap: u32,
    strategy: Strategy,
) -> tantivy::Result<TopEntries<'r>> {
    let weights = Weights::new(statistics, ranking)?;
    let mut page = Page::new(depth, weights.units.len());
    let mut count = 0u32;
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        let category = match &ranking.category {
            Some(term) => match segment.inverted_index(term.field())?.read_postings(term, IndexRecordOption::Basic)? {
                Some(postings) if postings.doc() != TERMINATED => Some(postings),
                _ => continue,
            },
            None => None,
        };
        let mut units = weights.units(searcher, statistics, segment, ordinal as u32, postings)?;
        if segment.max_doc() <= strategy.score_all_up_to {
            let matches = weights.score_all(&units, category, segment, ordinal as u32, &mut page);
            if count <= count_cap {
                count += matches.min(count_cap + 1 - count);
            }
            continue;
        }
        if count <= count_cap {
            count += weights.count_matches(&units, category.as_ref(), segment, count_cap + 1 - count)?;
        }
        let primed = weights.first_page(&units, category.as_ref(), segment, ordinal as u32, strategy.first_page_from, &mut page);
        let walk = Walk { span: postings.span(), window: window(segment, strategy.widest) };
        weights.max_score(&mut units, category, segment, ordinal as u32, walk, &primed, &mut page);
    }
    let entries = page.sorted().into_iter().map(|ranked| Found { score: ranked.score, address: ranked.address, holds: page.matched(&ranked).into() }).collect();
    let leaves = weights
        .units
        .iter()
        .map(|unit| match unit {
            UnitWeight::Term { leaf, .. } => Some(*leaf),
            UnitWeight::Phrase { .. } => None,
        })
        .collect();
    Ok(TopEntries { entries, count, leaves })
}

/// What pruning works on: a term in a field, or a phrase. A word's
/// alternatives are split into their terms, because the best alternative plus
/// a tenth of the others never scores more than the terms that match added
/// up: a common alternative (a correction to 확인) then bounds only the entries
/// it alone matches, not every entry the word's rare alternative matches.
enum UnitWeight<'a> {
    Term { leaf: &'a Leaf, weight: Score },
    /// A phrase: its words, its boost, and what tells it apart in the memory
    /// of postings (its words and boost). tantivy's weight for it is made
    /// only for a segment that has not walked it yet.
    Phrase { field: Field, terms: &'a [String], boost: Score, name: String },
}

/// How the units' scores make an entry's score, clause by clause.
enum Shape {
    Term(usize),
    /// A word's alternatives, each the units in its range.
    Best(Vec<std::ops::Range<usize>>),
    Phrase(usize),
}

/// What each unit needs in every segment, and how the units' scores add up.
struct Weights<'a, 't> {
    units: Vec<UnitWeight<'a>>,
    shapes: Vec<Shape>,
    /// BM25's length parts.
    totals: &'t IndexTotals,
}

impl<'a, 't> Weights<'a, 't> {
    fn new(statistics: &GlobalStatistics<'t>, ranking: &'a Ranking) -> tantivy::Result<Weights<'a, 't>> {
        let docs = statistics.total_num_docs()?;
        let idf = |field, text: &str| -> tantivy::Result<Score> { Ok(idf(statistics.doc_freq_of(field, text)?, docs)) };
        let mut weights = Weights { units: Vec::new(), shapes: Vec::new(), totals: statistics.totals };
        let term = |weights: &mut Weights<'a, 't>, leaf: &'a Leaf| -> tantivy::Result<usize> {
            let weight = bm25_weight(idf(leaf.field, &leaf.term)?, leaf.boost());
            weights.units.push(UnitWeight::Term { leaf, weight });
            Ok(weights.units.len() - 1)
        };
        for clause in &ranking.clauses {
            let shape = match clause {
                Clause::Term(leaf) => Shape::Term(term(&mut weights, leaf)?),
                Clause::Best(alternatives) => {
                    let mut ranges = Vec::with_capacity(alternatives.len());
                    for leaves in alternatives {
                        let start = weights.units.len();
                        for leaf in leaves {
                            term(&mut weights, leaf)?;
                        }
                        ranges.push(start..weights.units.len());
                    }
                    Shape::Best(ranges)
                }
                Clause::Phrase { field, terms, boost } => {
                    // Each word with its length before it, so no two phrases share a name.
                    let mut name = String::with_capacity(terms.iter().map(|t| t.len() + 4).sum::<usize>() + 12);
                    for t in terms {
                        let _ = write!(name, "{}:{t}", t.len());
                    }
                    let _ = write!(name, "^{}", boost.to_bits());
                    weights.units.push(UnitWeight::Phrase { field: *field, terms, boost: *boost, name });
                    Shape::Phrase(weights.units.len() - 1)
                }
            };
            weights.shapes.push(shape);
        }
        Ok(weights)
    }

    /// The units' cursors over one segment, each on its first entry, lowest
    /// bound in the segment first; a unit that matches nothing there has none.
    fn units(&self, searcher: &Searcher, statistics: &GlobalStatistics<'_>, segment: &SegmentReader, ordinal: u32, postings: &TermPostings) -> tantivy::Result<Vec<Unit>> {
        let mut units = Vec::with_capacity(self.units.len());
        // Each field's postings and lengths, opened once for all its terms.
        let mut opened: Vec<SegmentField<'t>> = Vec::with_capacity(4);
        for (place, unit) in self.units.iter().enumerate() {
            let cursor = match unit {
                UnitWeight::Term { leaf, weight } => {
                    let Some(lengths) = self.totals.length_parts(leaf.field) else { continue };
                    let field = match opened.iter().position(|f| f.field == leaf.field) {
                        Some(at) => at,
                        None => {
                            opened.push(SegmentField::open(segment, ordinal, leaf.field, lengths)?);
                            opened.len() - 1
                        }
                    };
                    let Some(remembered) = postings.read(&opened[field], &leaf.term)? else { continue };
                    Cursor { remembered, at: 0, weight: *weight }
                }
                UnitWeight::Phrase { field, terms, boost, name } => {
                    let scorer = || {
                        let weight = super::query::phrase_query(*field, terms).weight(EnableScoring::enabled_from_statistics_provider(statistics, searcher))?;
                        weight.scorer(segment, *boost)
                    };
                    let Some(remembered) = postings.phrase(ordinal, *field, name, segment.max_doc(), scorer)? else { continue };
                    // Its factors are its scores: its weight is 1.
                    Cursor { remembered, at: 0, weight: 1.0 }
                }
            };
            let bound = cursor.weight * cursor.remembered.peaks.highest * (1.0 + ROUNDING_MARGIN);
            if cursor.doc() != TERMINATED {
                units.push(Unit { cursor, bound, place });
            }
        }
        units.sort_by(|a, b| a.bound.total_cmp(&b.bound));
        Ok(units)
    }

    /// Entries of `segment` that any clause matches (in the category, if the
    /// ranking has one), counted up to `cap`, from the units' cursors before
    /// they move.
    fn count_matches(&self, units: &[Unit], category: Option<&SegmentPostings>, segment: &SegmentReader, cap: u32) -> tantivy::Result<u32> {
        let alive = segment.alive_bitset();
        // One term in `cap` entries or more, none of them deleted, is enough.
        if category.is_none() && alive.is_none() && units.iter().any(|u| u.cursor.remembered.postings.len() as u32 >= cap) {
            return Ok(cap);
        }
        // Each term's entries from where the next window starts.
        let mut terms: Vec<&[Posting]> = units.iter().map(|unit| &unit.cursor.remembered.postings[unit.cursor.at..]).collect();
        let mut category = category.cloned();
        let window = window(segment, WINDOW);
        let mut touched = vec![0u64; window as usize / 64];
        let mut count = 0;
        let mut start = 0;
        while count < cap && start < segment.max_doc() {
            let end = start.saturating_add(window);
            let mut mark = |doc: DocId| touched[((doc - start) / 64) as usize] |= 1 << ((doc - start) % 64);
            for postings in terms.iter_mut() {
                let (within, rest) = postings.split_at(postings.partition_point(|p| p.entry < end));
                within.iter().for_each(|p| mark(p.entry));
                *postings = rest;
            }
            for (word, bits) in touched.iter_mut().enumerate() {
                let mut rest = std::mem::take(bits);
                while rest != 0 && count < cap {
                    let doc = start + word as DocId * 64 + rest.trailing_zeros();
                    rest &= rest - 1;
                    count += u32::from(admitted(alive, &mut category, doc));
                }
            }
            start = end;
        }
        Ok(count)
    }

    /// An entry's score from its units' (0 for a unit not on it), clause by
    /// clause in the ranking's order, with tantivy's arithmetic: its union
    /// adds the clauses; its disjunctions take the best plus the others times
    /// the tie breaker, 1 for an alternative's terms.
    fn score(&self, scores: &[Score]) -> Score {
        let mut sum = 0.0f32;
        for shape in &self.shapes {
            match shape {
                Shape::Term(unit) | Shape::Phrase(unit) => sum += scores[*unit],
                Shape::Best(alternatives) => {
                    let (mut best, mut total) = (0.0f32, 0.0f32);
                    for range in alternatives {
                        let (mut max, mut added) = (0.0f32, 0.0f32);
                        for &score in &scores[range.clone()] {
                            max = max.max(score);
                            added += score;
                        }
                        let alternative = max + (added - max);
                        best = best.max(alternative);
                        total += alternative;
                    }
                    sum += best + (total - best) * ALTERNATIVE_TIE_BREAKER;
                }
            }
        }
        sum
    }

    /// Passes every entry of `segment` that a unit is on to `page`, scored:
    /// in a segment of a couple of hundred entries, adding up each unit's
    /// scores entry by entry costs less than any pruning saves. The units' scores
    /// are laid out by entry, a row each, and an entry's score is worked
    /// out from its row as the walk works it out. Returns how many entries
    /// match (not deleted, and in the category if there is one).
    fn score_all(&self, units: &[Unit], mut category: Option<SegmentPostings>, segment: &SegmentReader, ordinal: u32, page: &mut Page) -> u32 {
        let entries = segment.max_doc() as usize;
        let width = self.units.len();
        // By entry, a bit per unit on it: a row as the page keeps it.
        let words = page.words;
        let mut scores = vec![0.0f32; entries * width];
        let mut on = vec![0u64; entries * words];
        let mut touched = vec![0u64; entries.div_ceil(64)];
        for unit in units {
            let (weight, place) = (unit.cursor.weight, unit.place);
            for posting in &unit.cursor.remembered.postings[unit.cursor.at..] {
                let entry = posting.entry as usize;
                scores[entry * width + place] = weight * posting.factor;
                on[entry * words + place / 64] |= 1 << (place % 64);
                touched[entry / 64] |= 1 << (entry % 64);
            }
        }
        let alive = segment.alive_bitset();
        let mut matches = 0;
        for (word, bits) in touched.iter().enumerate() {
            let mut rest = *bits;
            while rest != 0 {
                let entry = word * 64 + rest.trailing_zeros() as usize;
                rest &= rest - 1;
                let doc = entry as DocId;
                if !admitted(alive, &mut category, doc) {
                    continue;
                }
                matches += 1;
                let score = self.score(&scores[entry * width..][..width]);
                if score > page.threshold()
                    && let Some(row) = page.enter(score, DocAddress::new(ordinal, doc))
                {
                    row.copy_from_slice(&on[entry * words..][..words]);
                }
            }
        }
        matches
    }

    /// Puts on `page` the entries of `segment` that its units score best
    /// alone, scored exactly, so that the walk starts with a page to beat
    /// rather than an empty one; returns those entries, ascending, for the
    /// walk to pass by.
    ///
    /// Walking a segment in index order, the page fills with the first
    /// entries that match, whatever their scores, and the pruning only
    /// tightens as better entries come: in a segment of thousands of entries
    /// the first window was walked nearly whole. Each unit's best entries
    /// are remembered with its postings (see `postings`); their scores by
    /// unit are added up per entry, and the entries of highest sums, a page
    /// and a half of them, are scored as the walk would score them. Their
    /// place on the page is their exact score, so the page the walk ends
    /// with is the same. A segment of fewer than `first_page_from` entries
    /// per candidate has none: its walk would score those candidates anyway.
    #[allow(clippy::too_many_arguments)]
    fn first_page(&self, units: &[Unit], category: Option<&SegmentPostings>, segment: &SegmentReader, ordinal: u32, first_page_from: usize, page: &mut Page) -> Vec<DocId> {
        let wanted = page.depth + page.depth / 2;
        if wanted == 0 || (segment.max_doc() as usize) < wanted.saturating_mul(first_page_from) {
            return Vec::new();
        }
        // Each entry's unit scores added up, in a table of twice as many
        // slots as there are best entries, probed linearly from a hash.
        let best: usize = units.iter().map(|u| u.cursor.remembered.best.len()).sum();
        let slots = (2 * best).next_power_of_two().max(2);
        let shift = 32 - slots.trailing_zeros();
        let mut table = vec![(NO_ENTRY, 0.0f32); slots];
        for unit in units {
            let weight = unit.cursor.weight;
            for posting in unit.cursor.remembered.best.iter() {
                let mut at = (posting.entry.wrapping_mul(0x9E37_79B9) >> shift) as usize;
                loop {
                    let slot = &mut table[at];
                    if slot.0 == posting.entry || slot.0 == NO_ENTRY {
                        *slot = (posting.entry, slot.1 + weight * posting.factor);
                        break;
                    }
                    at = (at + 1) & (slots - 1);
                }
            }
        }
        let mut estimates: Vec<(DocId, Score)> = table.into_iter().filter(|slot| slot.0 != NO_ENTRY).collect();
        if estimates.len() > wanted {
            estimates.select_nth_unstable_by(wanted - 1, |a, b| b.1.total_cmp(&a.1));
            estimates.truncate(wanted);
        }
        estimates.sort_unstable_by_key(|&(doc, _)| doc);
        let alive = segment.alive_bitset();
        let mut category = category.cloned();
        let mut at = vec![0usize; units.len()];
        let mut scores = vec![0.0f32; self.units.len()];
        let mut on_entry: Vec<usize> = Vec::with_capacity(units.len());
        let mut primed = Vec::with_capacity(estimates.len());
        for (doc, _) in estimates {
            if !admitted(alive, &mut category, doc) {
                continue;
            }
            on_entry.clear();
            for (unit, at) in units.iter().zip(at.iter_mut()) {
                let postings = &unit.cursor.remembered.postings;
                *at = gallop(postings, *at, doc);
                if let Some(posting) = postings.get(*at).filter(|p| p.entry == doc) {
                    scores[unit.place] = unit.cursor.weight * posting.factor;
                    on_entry.push(unit.place);
                }
            }
            let score = self.score(&scores);
            // Back to none but for what the next entry sets.
            on_entry.iter().for_each(|&place| scores[place] = 0.0);
            if score > page.threshold() {
                page.push(score, DocAddress::new(ordinal, doc), &on_entry);
            }
            primed.push(doc);
        }
        primed
    }

    /// Passes every entry of `segment` that can make `page` to it, in index
    /// order, skipping those that cannot and those `primed` (already scored,
    /// ascending: see [`Weights::first_page`]).
    ///
    /// Entries are taken a window at a time. The units that can lift an entry
    /// onto the page alone (the essential ones) are walked through the
    /// window in one tight loop each, their scores added per entry; only an
    /// entry whose sum, plus all that the other units could add in its span
    /// (see `peaks`), passes the page's last place is looked up in the others
    /// (highest bound first, while it can still make it, and only those that
    /// hold entries in its span) and scored exactly. In a window where the
    /// peaks keep some essential units from lifting any entry alone, they are
    /// looked up like the others instead of walked, and a window where no
    /// entry can make the page is skipped.
    #[allow(clippy::too_many_arguments)]
    fn max_score(&self, units: &mut [Unit], mut category: Option<SegmentPostings>, segment: &SegmentReader, ordinal: u32, walk: Walk, primed: &[DocId], page: &mut Page) {
        let Walk { span, window } = walk;
        // The units come lowest bound first ([`Weights::units`]); reach[k]:
        // what the first k units reach together.
        debug_assert!(units.is_sorted_by(|a, b| a.bound <= b.bound));
        let mut reach = vec![0.0f32; units.len() + 1];
        for (k, unit) in units.iter().enumerate() {
            reach[k + 1] = reach[k] + unit.bound;
        }
        let n = units.len();
        // The units before `essential` cannot lift an entry onto the page alone.
        let essential_from = |threshold: Score| reach[1..].iter().position(|&r| r > threshold).unwrap_or(n);
        let mut threshold = page.threshold();
        let alive = segment.alive_bitset();
        let mut scores = vec![0.0f32; self.units.len()];
        // By unit walked, its entries in the window.
        let mut found: Vec<Walked> = (0..n).map(|_| Walked::default()).collect();
        // The scores of the other units on the entry at hand, by place.
        let mut others: Vec<(usize, Score)> = Vec::with_capacity(n);
        // The units on the entry at hand, by place.
        let mut on_entry: Vec<usize> = Vec::with_capacity(n);
        let mut arrays = WINDOW_ARRAYS.take();
        arrays.fit(window as usize);
        let WindowArrays { sums, touched } = &mut arrays;
        // By unit, the most it adds to an entry of the window.
        let mut in_window = vec![0.0f32; n];
        let mut span_bounds = SpanBounds::default();
        // The first of `primed` not passed yet.
        let mut next_primed = 0;
        loop {
            let essential = essential_from(threshold);
            let Some(start) = units[essential..].iter().map(Unit::doc).min().filter(|&d| d != TERMINATED) else { break };
            let end = start.saturating_add(window);
            let first_span = (start / span) as usize;
            let spans = first_span..(end - 1) as usize / span as usize + 1;
            // The units before `walked` cannot lift an entry of the window
            // onto the page alone.
            let mut walked = essential;
            if walked < n && threshold > Score::MIN {
                for (bound, unit) in in_window.iter_mut().zip(units.iter()) {
                    *bound = unit.bound_over(spans.clone());
                }
                let mut together: Score = in_window[..essential].iter().sum();
                while walked < n && together + in_window[walked] <= threshold {
                    together += in_window[walked];
                    walked += 1;
                }
            }
            span_bounds.reset(spans, walked);
            for k in walked..n {
                debug_assert!(units[k].doc() >= start, "a unit walked from before its window");
                units[k].walk(start, end, sums, touched, &mut found[k]);
            }
            for (word, bits) in touched.iter_mut().enumerate() {
                let mut rest = std::mem::take(bits);
                while rest != 0 {
                    let i = word * 64 + rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    let partial = std::mem::take(&mut sums[i]);
                    let doc = start + i as DocId;
                    let (bounds, reach) = if walked == 0 { (&[][..], &[0.0][..]) } else { span_bounds.row(doc as usize / span as usize, units) };
                    if partial + reach[walked] <= threshold || !alive.is_none_or(|a| a.is_alive(doc)) {
                        continue;
                    }
                    while primed.get(next_primed).is_some_and(|&p| p < doc) {
                        next_primed += 1;
                    }
                    if primed.get(next_primed) == Some(&doc) {
                        continue;
                    }
                    if category.as_mut().is_some_and(|c| !in_postings(c, doc)) {
                        continue;
                    }
                    // The others, highest bound first, while the entry can still make it.
                    let mut partial = partial;
                    let mut out = false;
                    others.clear();
                    on_entry.clear();
                    for k in (0..walked).rev() {
                        if partial + reach[k + 1] <= threshold {
                            out = true;
                            break;
                        }
                        // No entry of the span holds it.
                        if bounds[k] == 0.0 {
                            continue;
                        }
                        let unit = &mut units[k];
                        if unit.seek(doc) == doc {
                            let score = unit.score();
                            partial += score;
                            others.push((unit.place, score));
                        }
                    }
                    if out {
                        continue;
                    }
                    for &(place, score) in &others {
                        scores[place] = score;
                        on_entry.push(place);
                    }
                    for k in walked..n {
                        if let Some(score) = units[k].score_in(&mut found[k], doc) {
                            scores[units[k].place] = score;
                            on_entry.push(units[k].place);
                        }
                    }
                    let score = self.score(&scores);
                    on_entry.iter().for_each(|&place| scores[place] = 0.0);
                    if score > threshold {
                        page.push(score, DocAddress::new(ordinal, doc), &on_entry);
                        threshold = page.threshold();
                    }
                }
            }
            // Essential units not walked in this window go on past it, as the
            // walked ones did: every unit the next window may walk starts
            // there.
            for unit in &mut units[essential..walked] {
                if unit.doc() < end {
                    unit.seek(end);
                }
            }
        }
        debug_assert!(arrays.sums.iter().all(|&s| s == 0.0) && arrays.touched.iter().all(|&t| t == 0), "a window left marks behind");
        WINDOW_ARRAYS.set(arrays);
    }
}

/// A walk's sums and marks by entry of the window. The walk takes each
/// entry's sum and mark as it reads them, so it leaves them all zero: each
/// thread keeps them for its next search instead of allocating and zeroing
/// 16 KiB a segment (the allocator's zeroing was 2.6 % of a search at 10k).
#[derive(Default)]
struct WindowArrays {
    sums: Vec<Score>,
    touched: Vec<u64>,
}

impl WindowArrays {
    /// Exactly `window` entries wide, all zero (what is kept is zero).
    fn fit(&mut self, window: usize) {
        self.sums.resize(window, 0.0);
        self.touched.resize(window / 64, 0);
    }
}

thread_local! {
    static WINDOW_ARRAYS: std::cell::Cell<WindowArrays> = const { std::cell::Cell::new(WindowArrays { sums: Vec::new(), touched: Vec::new() }) };
}

/// No entry: an empty slot of [`Weights::first_page`]'s table.
const NO_ENTRY: DocId = DocId::MAX;

/// Entries taken at a time by [`Weights::max_score`].
const WINDOW: DocId = 4096;

/// Segments of at most so many entries have every entry a unit is on
/// scored ([`Weights::score_all`]) rather than walked. Measured in
/// instructions per search (`benches/instructions.py`, 300 distinct
/// queries), scoring every entry against walking: 0.954 on the bundled 110
/// entries, 0.977 on 250 generated ones, 1.155 on 500 and 1.362 on 1,000.
const SCORE_ALL_UP_TO: DocId = 256;

/// Entries a segment has per candidate of a first page, at least, for one
/// (see [`Weights::first_page`]). Measured in instructions per search
/// (`benches/instructions.py`): a first page cost 2.7 % on the bundled 110
/// entries and saved 5 % at 1,000 and 11 % at 10,000.
const FIRST_PAGE_FROM: usize = 8;

/// The window for `segment`: no wider than the segment or `widest`, in
/// whole words of 64.
fn window(segment: &SegmentReader, widest: DocId) -> DocId {
    segment.max_doc().next_multiple_of(64).clamp(64, widest)
}

/// How [`Weights::max_score`] walks a segment.
#[derive(Clone, Copy)]
struct Walk {
    /// Entries per span of the units' peaks.
    span: DocId,
    /// Entries per window.
    window: DocId,
}

/// Whether `doc` may be ranked and counted: not deleted, and in the
/// category if the ranking has one (`category` is moved to it: entries are
/// asked in increasing order).
fn admitted(alive: Option<&AliveBitSet>, category: &mut Option<SegmentPostings>, doc: DocId) -> bool {
    alive.is_none_or(|a| a.is_alive(doc)) && category.as_mut().is_none_or(|c| in_postings(c, doc))
}

/// Whether `postings` hold `doc`, moving them there; entries are asked in
/// increasing order.
fn in_postings(postings: &mut SegmentPostings, doc: DocId) -> bool {
    postings.doc() == doc || (postings.doc() < doc && postings.seek(doc) == doc)
}

/// tantivy's idf: ln(1 + (N − n + 0.5) / (n + 0.5)).
fn idf(doc_freq: u64, docs: u64) -> Score {
    let x = (docs.saturating_sub(doc_freq) as Score + 0.5) / (doc_freq as Score + 0.5);
    (1.0 + x).ln()
}

/// A term's BM25 weight as tantivy works it out: idf × (k1 + 1), then boosted.
fn bm25_weight(idf: Score, boost: Score) -> Score {
    let weight = idf * (1.0 + K1);
    if boost == 1.0 { weight } else { weight * boost }
}

/// A unit's remembered entries in a segment (see `postings`): a term's
/// postings in one field, scored with BM25 by its weight, or a phrase's
/// entries with their whole scores (weight 1); and the position of the
/// entry the walk is on.
struct Cursor {
    remembered: Arc<Remembered>,
    at: usize,
    weight: Score,
}

/// One unit over one segment.
struct Unit {
    cursor: Cursor,
    /// The most the unit adds to a score.
    bound: Score,
    /// Where the unit is in [`Weights::units`].
    place: usize,
}

/// How far a unit was walked in the window (its positions up to `to`), and
/// how far the candidates (in increasing order) have looked in them.
#[derive(Default)]
struct Walked {
    to: usize,
    next: usize,
}

/// The first position from `from` on whose entry is at or after `target`
/// in `postings` (ascending by entry). The targets asked of a list come in increasing
/// order, and a long list is too large for the caches, where each probe
/// may wait on memory. An entry among the next few, in the cache line at
/// hand, is found there; otherwise the first probe is where `target` would
/// be if the entries from `from` to the last were spread evenly (where it
/// is, for a word in most entries), and the search gallops from there, back
/// or on.
#[inline]
fn gallop(postings: &[Posting], from: usize, target: DocId) -> usize {
    const NEAR: usize = 4;
    let entry = |at: usize| postings[at].entry;
    if from >= postings.len() || entry(from) >= target {
        return from;
    }
    if from + NEAR < postings.len() && entry(from + NEAR) >= target {
        return from + 1 + postings[from + 1..from + NEAR].partition_point(|p| p.entry < target);
    }
    let last = postings.len() - 1;
    if entry(last) < target {
        return postings.len();
    }
    // entry(from) < target <= entry(last), so from < last, and the guess is
    // in from + 1..=last.
    let (first, spread) = (entry(from), (entry(last) - entry(from)) as u64);
    let guess = from + 1 + ((target - first - 1) as u64 * (last - from) as u64 / spread) as usize;
    if entry(guess) < target {
        // entry(low) < target, so the first at or after it is in low + 1..=low + step.
        let (mut low, mut step) = (guess, 1);
        while low + step < postings.len() && entry(low + step) < target {
            low += step;
            step *= 2;
        }
        let high = (low + step).min(postings.len());
        low + 1 + postings[low + 1..high].partition_point(|p| p.entry < target)
    } else {
        // entry(high) >= target, so the first at or after it is in high - step + 1..=high.
        let (mut high, mut step) = (guess, 1);
        while high.saturating_sub(step) > from && entry(high - step) >= target {
            high -= step;
            step *= 2;
        }
        let low = high.saturating_sub(step).max(from);
        low + 1 + postings[low + 1..high].partition_point(|p| p.entry < target)
    }
}

impl Cursor {
    #[inline]
    fn doc(&self) -> DocId {
        self.remembered.postings.get(self.at).map_or(TERMINATED, |p| p.entry)
    }
}

impl Unit {
    #[inline]
    fn doc(&self) -> DocId {
        self.cursor.doc()
    }

    /// Moves to the first entry at or after `target`.
    fn seek(&mut self, target: DocId) -> DocId {
        let cursor = &mut self.cursor;
        cursor.at = gallop(&cursor.remembered.postings, cursor.at, target);
        self.doc()
    }

    /// Walks its entries before `end` (from `start` on), adding their scores
    /// to `sums` and marking them in `touched` (both from `start`), and
    /// keeps them in `walked`.
    fn walk(&mut self, start: DocId, end: DocId, sums: &mut [Score], touched: &mut [u64], walked: &mut Walked) {
        let window = sums.len();
        let mut add = |doc: DocId, score: Score| {
            let i = (doc - start) as usize;
            sums[i] += score;
            touched[i / 64] |= 1 << (i % 64);
        };
        let cursor = &mut self.cursor;
        let from = cursor.at;
        // No more entries than the window's are in it. They are read in
        // order until one is past the window: a binary search for the end
        // first would wait on a cache miss at each of its steps, in lists
        // too long for the caches, before a walk that reads them all anyway.
        let to = (from + window).min(cursor.remembered.postings.len());
        let mut walked_to = from;
        for posting in &cursor.remembered.postings[from..to] {
            if posting.entry >= end {
                break;
            }
            add(posting.entry, cursor.weight * posting.factor);
            walked_to += 1;
        }
        cursor.at = walked_to;
        (walked.to, walked.next) = (walked_to, from);
    }

    /// Its score for `doc` if it holds it, from the entries it `walked` in
    /// the window; `doc` is after the entries asked before.
    fn score_in(&self, walked: &mut Walked, doc: DocId) -> Option<Score> {
        let cursor = &self.cursor;
        let postings = &cursor.remembered.postings[..walked.to];
        let next = gallop(postings, walked.next, doc);
        walked.next = next;
        postings.get(next).filter(|p| p.entry == doc).map(|p| cursor.weight * p.factor)
    }

    /// The most it adds to the score of an entry in span `index`.
    fn bound_in(&self, index: usize) -> Score {
        self.cursor.weight * self.cursor.remembered.peaks.of_span(index) * (1.0 + ROUNDING_MARGIN)
    }

    /// The most it adds to the score of an entry in the spans `spans`.
    fn bound_over(&self, spans: std::ops::Range<usize>) -> Score {
        self.cursor.weight * self.cursor.remembered.peaks.highest_in(spans) * (1.0 + ROUNDING_MARGIN)
    }

    /// Its score for the entry it is on.
    #[inline]
    fn score(&self) -> Score {
        let cursor = &self.cursor;
        cursor.remembered.postings.get(cursor.at).map_or(0.0, |p| cursor.weight * p.factor)
    }
}

/// What the units not walked in a window add at most to an entry of each of
/// its spans; a span's row is read when an entry of it is first a candidate.
#[derive(Default)]
struct SpanBounds {
    /// The window's spans.
    spans: std::ops::Range<usize>,
    /// The units not walked, the first `width`.
    width: usize,
    /// By span of the window, whether its row is read.
    read: Vec<bool>,
    /// By span of the window, its row: each unit's bound in the span, then
    /// what the first k units reach together in it, for k up to `width`.
    rows: Vec<Score>,
}

impl SpanBounds {
    fn reset(&mut self, spans: std::ops::Range<usize>, width: usize) {
        self.read.clear();
        self.read.resize(spans.len(), false);
        self.rows.resize(spans.len() * (2 * width + 1), 0.0);
        (self.spans, self.width) = (spans, width);
    }

    /// The bounds of the first `width` units in span `index`, and what the
    /// first k of them reach together.
    fn row(&mut self, index: usize, units: &[Unit]) -> (&[Score], &[Score]) {
        let s = index - self.spans.start;
        let row = &mut self.rows[s * (2 * self.width + 1)..][..2 * self.width + 1];
        let (bounds, reach) = row.split_at_mut(self.width);
        if !self.read[s] {
            self.read[s] = true;
            reach[0] = 0.0;
            for k in 0..self.width {
                bounds[k] = units[k].bound_in(index);
                reach[k + 1] = reach[k] + bounds[k];
            }
        }
        (bounds, reach)
    }
}

/// The best entries so far: a heap whose top is the entry a better one would
/// push out, and the units each is on.
struct Page {
    depth: usize,
    heap: BinaryHeap<Ranked>,
    /// A bit per unit for each entry, `words` at a time, in the rows the
    /// entries hold; an entry that pushes another out takes its row.
    bits: Vec<u64>,
    words: usize,
}

impl Page {
    fn new(depth: usize, units: usize) -> Page {
        let words = units.div_ceil(64).max(1);
        Page { depth, heap: BinaryHeap::with_capacity(depth + 1), bits: Vec::with_capacity(depth * words), words }
    }

    /// The score an entry must beat to enter: just below the last place's,
    /// since an entry of equal score enters before one later in the index,
    /// and the entries of a first page (see [`Weights::first_page`]) are
    /// not the first in the index.
    fn threshold(&self) -> Score {
        if self.heap.len() < self.depth { Score::MIN } else { self.heap.peek().map_or(Score::MIN, |r| r.score.next_down()) }
    }

    /// Adds the entry at `address`, which the units at `places` are on: to
    /// a page not yet full, or in place of the last one if it ranks above it.
    fn push(&mut self, score: Score, address: DocAddress, places: &[usize]) {
        if let Some(bits) = self.enter(score, address) {
            bits.fill(0);
            for &place in places {
                bits[place / 64] |= 1 << (place % 64);
            }
        }
    }

    /// Adds the entry at `address` as [`Page::push`] does, and returns its
    /// row of bits, for the caller to set the units it is on; `None` when it
    /// does not make the page.
    fn enter(&mut self, score: Score, address: DocAddress) -> Option<&mut [u64]> {
        if self.depth == 0 {
            return None;
        }
        let row = if self.heap.len() < self.depth {
            let row = (self.bits.len() / self.words) as u32;
            self.bits.resize(self.bits.len() + self.words, 0);
            self.heap.push(Ranked { score, address, row });
            row
        } else {
            let mut last = self.heap.peek_mut()?;
            let entering = Ranked { score, address, row: last.row };
            if entering >= *last {
                return None;
            }
            let row = last.row;
            *last = entering;
            row
        };
        Some(&mut self.bits[row as usize * self.words..][..self.words])
    }

    /// The bits of the units `ranked` is on.
    fn matched(&self, ranked: &Ranked) -> &[u64] {
        &self.bits[ranked.row as usize * self.words..][..self.words]
    }

    fn sorted(&mut self) -> Vec<Ranked> {
        let mut ranked: Vec<Ranked> = std::mem::take(&mut self.heap).into_vec();
        // No two are equal (each has its own address): unstable is the same order.
        ranked.sort_unstable();
        ranked
    }
}

/// An entry on the page; the greatest is the worst: the lowest score, and of
/// equal scores the one later in the index.
#[derive(Debug)]
struct Ranked {
    score: Score,
    address: DocAddress,
    /// Its row of [`Page::bits`].
    row: u32,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Ranked) -> Ordering {
        other.score.total_cmp(&self.score).then_with(|| self.address.cmp(&other.address))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Ranked) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Ranked) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::Term;
    use tantivy::collector::{Count, TopDocs};

    /// Lists dense and sparse, even and clustered, and every target around
    /// their entries, from every position: the position a binary search
    /// over the rest of the list finds.
    #[test]
    fn a_gallop_finds_what_a_binary_search_finds() {
        let mut seed = 16u64;
        let mut next = move |below: u32| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) % u64::from(below)) as u32
        };
        let mut lists: Vec<Vec<DocId>> = vec![vec![], vec![5], (0..300).collect(), (0..300).map(|d| d * 7 + 3).collect()];
        for _ in 0..30 {
            let mut list: Vec<DocId> = Vec::new();
            let mut doc = next(20);
            for _ in 0..next(200) {
                // Runs of neighbours, then a jump.
                doc += if next(4) == 0 { 1 + next(500) } else { 1 + next(3) };
                list.push(doc);
            }
            lists.push(list);
        }
        let mut asked = 0;
        for list in &lists {
            let mut targets: Vec<DocId> = list.iter().flat_map(|&d| [d.saturating_sub(1), d, d + 1]).collect();
            targets.extend([0, list.last().copied().unwrap_or(0) + 3]);
            let postings = &list.iter().map(|&entry| Posting { entry, factor: 1.0 }).collect::<Vec<_>>();
            for from in 0..=list.len() {
                for &target in &targets {
                    let expected = from + list[from..].partition_point(|&d| d < target);
                    assert_eq!(gallop(postings, from, target), expected, "{list:?} from {from} to {target}");
                    asked += 1;
                }
            }
        }
        assert!(asked > 1_000_000, "{asked} asked");
    }

    /// Every page (at four depths) and count `top_entries` finds for
    /// `queries` on `engine`, with no category and in each of `categories`,
    /// against tantivy's query: the same entries, the same scores to the bit.
    /// Returns how many pages were compared and how many of them were in a
    /// category and had hits. Peaks are read in spans of `span` entries, and
    /// segments are ranked as `strategy` says.
    fn compare_with_tantivy(engine: &crate::search::Engine, queries: &[crate::eval::LabelledQuery], categories: &[Option<String>], span: DocId, strategy: Strategy) -> (usize, usize) {
        let postings = &TermPostings::with_span(span);
        let searcher = &engine.searcher;
        let statistics = GlobalStatistics { searcher, totals: &engine.totals, vocabulary: &engine.vocabulary };
        let (mut compared, mut filtered) = (0, 0);
        for labelled in queries {
            let q = &labelled.query;
            let plan = engine.plan(q);
            for category in std::iter::once(None).chain(categories.iter().flatten().map(|c| Some(c.as_str()))) {
                let Some(ranking) = super::super::query::ranking(&engine.index.fields, &engine.vocabulary, &plan, category) else { continue };
                let query = ranking.query();
                let depths: &[usize] = if category.is_none() { &[1, 3, 10, 30] } else { &[10] };
                for &depth in depths {
                    let collector = (TopDocs::with_limit(depth).order_by_score(), Count);
                    let (expected, count) = searcher.search_with_statistics_provider(&*query, &collector, &statistics).unwrap();
                    let top = top_entries_in_windows(searcher, &statistics, postings, &ranking, depth, 100_000, strategy).unwrap();
                    let (found, counted): (Vec<(Score, DocAddress)>, u32) = (top.entries.iter().map(|f| (f.score, f.address)).collect(), top.count);
                    assert_eq!(counted as usize, count, "{q} in {category:?}: the count");
                    assert_eq!(found.len(), expected.len(), "{q} in {category:?} at depth {depth}: {found:?} against {expected:?}");
                    for ((a, x), (b, y)) in found.iter().zip(&expected) {
                        assert_eq!(x, y, "{q} in {category:?} at depth {depth}: {found:?} against {expected:?}");
                        assert_eq!(a.to_bits(), b.to_bits(), "{q} in {category:?} at depth {depth}: {a} against {b}");
                    }
                    compared += 1;
                    filtered += usize::from(category.is_some() && !found.is_empty());
                }
                let capped = top_entries_in_windows(searcher, &statistics, postings, &ranking, 3, 5, strategy).unwrap().count;
                let exact = searcher.search_with_statistics_provider(&*query, &Count, &statistics).unwrap();
                assert_eq!(capped as usize, exact.min(6), "{q} in {category:?}: counted up to 5, and one more means more");
            }
        }
        (compared, filtered)
    }

    /// The dev set's queries and the holdout's, on their own content, with
    /// no category and with each category: the pages MaxScore finds are
    /// tantivy's, entry for entry and score for score to the bit, at every
    /// depth (each prunes differently), and so are the counts: walked as
    /// searches walk them (one window here), and in windows of 64 entries
    /// with peaks in spans of 8 entries, where the page's last place prunes
    /// from the second window on and peaks skip lookups and windows, and of
    /// 1 entry, where a peak is the entry's own score and leaves no margin;
    /// with a first page (which these help centers are too small for), and
    /// in windows of 64 without one; and with every entry scored, as
    /// searches score segments this small.
    #[test]
    fn the_best_entries_are_those_of_scoring_every_match_on_every_dev_and_holdout_query() {
        let (mut compared, mut filtered) = (0, 0);
        for (engine, queries, categories, _dir) in crate::eval::labelled_help_centers() {
            let walk = |widest, first_page_from| Strategy { score_all_up_to: 0, widest, first_page_from };
            let strategies = [
                (crate::search::peaks::SPAN, walk(WINDOW, 0)),
                (8, walk(64, 0)),
                (8, walk(64, usize::MAX)),
                (1, walk(64, 0)),
                (crate::search::peaks::SPAN, SEARCHES),
                (crate::search::peaks::SPAN, Strategy { score_all_up_to: DocId::MAX, ..SEARCHES }),
            ];
            for (span, strategy) in strategies {
                let (c, f) = compare_with_tantivy(&engine, &queries, &categories, span, strategy);
                (compared, filtered) = (compared + c, filtered + f);
            }
        }
        assert!(compared > 5000 && filtered > 500, "{compared} pages compared, {filtered} of them in a category with hits");
    }

    /// An index as live edits leave it: every seventh entry deleted and added
    /// again (from what is stored of it) in a second segment. Deleted entries
    /// are neither ranked nor counted, and pages spanning two segments are
    /// still tantivy's.
    #[test]
    fn the_best_entries_skip_deleted_entries_and_span_segments_as_tantivy_does() {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let library = crate::content::Library::load(&content).unwrap();
        let (engine, _, dir) = crate::eval::scratch_engine(&library, &content).unwrap();
        let index = engine.index.index.clone();
        let id = engine.index.fields.id;
        let searcher = engine.index.reader.searcher();
        let mut stored = Vec::new();
        for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in (0..segment.max_doc()).step_by(7) {
                stored.push(searcher.doc::<tantivy::TantivyDocument>(DocAddress::new(ordinal as u32, doc)).unwrap());
            }
        }
        drop(engine);
        let mut writer: tantivy::IndexWriter<tantivy::TantivyDocument> = index.writer(50_000_000).unwrap();
        for doc in &stored {
            let value = tantivy::schema::document::Value::as_str(&doc.get_first(id).unwrap()).unwrap().to_string();
            writer.delete_term(Term::from_field_text(id, &value));
        }
        writer.commit().unwrap();
        for doc in stored {
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        drop(writer);
        let (engine, _) = crate::search::Engine::new(crate::index::SearchIndex::open(dir.path()).unwrap(), &content).unwrap();
        let segments = engine.searcher.segment_readers();
        assert!(segments.len() >= 2 && segments.iter().any(|s| s.alive_bitset().is_some()), "deletions and a second segment");
        let queries = crate::eval::read_queries(&content.join("../tests/eval/queries.jsonl")).unwrap();
        let categories = crate::eval::categories(&library);
        for strategy in [Strategy { score_all_up_to: 0, widest: 64, first_page_from: 0 }, Strategy { score_all_up_to: DocId::MAX, ..SEARCHES }] {
            let (compared, _) = compare_with_tantivy(&engine, &queries, &categories, 8, strategy);
            assert!(compared > 1000, "{compared} pages compared ({strategy:?})");
        }
    }
}
