//! Made-up traffic for demos and tests: customers searching the help center
//! with the phrasings of a labelled query set (the `doumi eval` format),
//! typing as the widget sees it, clicking, voting, rewording, giving up and
//! contacting support.
//!
//! Simulated traffic goes to a log file of its own (never the live one) and
//! every record is marked `source = simulated`, so it cannot be mistaken for
//! what real customers did.

use std::collections::HashMap;

use serde::Serialize;

use super::pii::Masker;
use super::record::{EventKind, EventRecord, Record, SearchRecord, Source, Who};
use super::store::{LogStore, StoreError};
use crate::eval::LabelledQuery;
use crate::korean::jamo::{compose, keystrokes};
use crate::search::{CONFIDENT, Engine, SearchRequest, SearchResponse};

#[derive(Debug, Clone, Copy)]
pub struct Simulation {
    pub sessions: usize,
    /// Sessions are spread over this many days before `now_ms`.
    pub days: u32,
    pub seed: u64,
    pub now_ms: i64,
}

/// What a simulation wrote.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Simulated {
    pub sessions: usize,
    pub searches: usize,
    pub clicks: usize,
    pub helpful: usize,
    pub not_helpful: usize,
    pub escalations: usize,
    pub reworded: usize,
}

/// How a customer behaves: chances, 0–1.
const USES_WIDGET: f64 = 0.7;
const CLICKS_RIGHT_ANSWER: f64 = 0.85;
const VOTES_HELPFUL: f64 = 0.3;
const VOTES_NOT_HELPFUL_ON_RIGHT: f64 = 0.04;
const CLICKS_WRONG_ANSWER: f64 = 0.3;
const REWORDS: f64 = 0.45;
const CONTACTS_SUPPORT: f64 = 0.4;

struct Customer<'a> {
    engine: &'a Engine,
    masker: &'a Masker,
    rng: fastrand::Rng,
    session: String,
    at_ms: i64,
    records: Vec<Record>,
    stats: Simulated,
}

fn is_expected(expected: &[String], hit_id: &str, article_id: &str) -> bool {
    expected.iter().any(|e| e == hit_id || e == article_id)
}

impl Customer<'_> {
    fn wait(&mut self, min_ms: i64, max_ms: i64) {
        self.at_ms += self.rng.i64(min_ms..=max_ms);
    }

    fn search(&mut self, query: &str, source: Source) -> Option<(String, SearchResponse)> {
        let response = self.engine.search(&SearchRequest::new(query)).ok()?;
        self.stats.searches += 1;
        // Each made-up customer is a client of their own.
        let who = Who { session: self.session.clone(), client: self.session.clone() };
        self.records.push(Record::Search(SearchRecord::new(self.masker, query, &response, &who, source, self.at_ms)));
        Some((response.query_id.clone(), response))
    }

    fn event(&mut self, query_id: &str, kind: EventKind, article_id: Option<&str>, rank: Option<u32>) {
        self.wait(2_000, 40_000);
        match kind {
            EventKind::Click => self.stats.clicks += 1,
            EventKind::Helpful => self.stats.helpful += 1,
            EventKind::NotHelpful => self.stats.not_helpful += 1,
            EventKind::ContactSupport => self.stats.escalations += 1,
        }
        self.records.push(Record::Event(EventRecord {
            id: format!("{query_id}-{}", self.records.len()),
            query_id: Some(query_id.to_string()),
            at_ms: self.at_ms,
            session: self.session.clone(),
            kind,
            article_id: article_id.map(str::to_string),
            rank,
            comment: None,
        }));
    }

    /// Types `query` into the widget: it searches at a few states of the
    /// keystrokes, mid-syllable included, before the finished query.
    fn type_query(&mut self, query: &str) -> Option<(String, SearchResponse)> {
        let keys: Vec<char> = keystrokes(query).chars().collect();
        if keys.len() >= 6 {
            for share in [0.45, 0.75] {
                let state = compose(&keys[..(keys.len() as f64 * share) as usize].iter().collect::<String>());
                if !state.trim().is_empty() {
                    self.search(&state, Source::Simulated);
                    self.wait(300, 1_500);
                }
            }
        }
        self.search(query, Source::Simulated)
    }

    /// One visit: search, then act on what was found.
    fn visit(&mut self, first: &LabelledQuery, rewordings: &[&LabelledQuery]) {
        let mut current = first;
        for attempt in 0..2 {
            let widget = self.rng.f64() < USES_WIDGET;
            let found = if widget { self.type_query(&current.query) } else { self.search(&current.query, Source::Simulated) };
            let Some((query_id, response)) = found else { return };
            let right = response.hits.iter().take(3).position(|h| is_expected(&current.expected, &h.id, &h.article_id));
            if let Some(rank) = right {
                if self.rng.f64() < CLICKS_RIGHT_ANSWER {
                    let article = response.hits[rank].article_id.clone();
                    self.event(&query_id, EventKind::Click, Some(&article), Some(rank as u32 + 1));
                    let vote = self.rng.f64();
                    if vote < VOTES_HELPFUL {
                        self.event(&query_id, EventKind::Helpful, Some(&article), None);
                    } else if vote < VOTES_HELPFUL + VOTES_NOT_HELPFUL_ON_RIGHT {
                        self.event(&query_id, EventKind::NotHelpful, Some(&article), None);
                    }
                }
                return;
            }
            // The right answer is not in sight.
            if response.confidence >= CONFIDENT && self.rng.f64() < CLICKS_WRONG_ANSWER {
                let article = response.hits[0].article_id.clone();
                self.event(&query_id, EventKind::Click, Some(&article), Some(1));
                if self.rng.bool() {
                    self.event(&query_id, EventKind::NotHelpful, Some(&article), None);
                }
            }
            if attempt == 0 && !rewordings.is_empty() && self.rng.f64() < REWORDS {
                self.stats.reworded += 1;
                current = rewordings[self.rng.usize(..rewordings.len())];
                self.wait(3_000, 30_000);
                continue;
            }
            if self.rng.f64() < CONTACTS_SUPPORT {
                self.event(&query_id, EventKind::ContactSupport, None, None);
            }
            return;
        }
    }
}

/// Runs `simulation` with the phrasings of `queries` and writes the traffic
/// to `store`. Popular questions are asked more often (a Zipf-like spread);
/// a customer who rewords picks another phrasing of the same answer.
pub fn simulate(engine: &Engine, masker: &Masker, queries: &[LabelledQuery], simulation: Simulation, store: &mut dyn LogStore) -> Result<Simulated, StoreError> {
    let mut rng = fastrand::Rng::with_seed(simulation.seed);
    let mut order: Vec<&LabelledQuery> = queries.iter().filter(|q| !q.query.trim().is_empty()).collect();
    if order.is_empty() {
        return Ok(Simulated::default());
    }
    rng.shuffle(&mut order);
    let weights: Vec<f64> = (0..order.len()).map(|rank| 1.0 / (rank as f64 + 1.0).powf(0.8)).collect();
    let total: f64 = weights.iter().sum();
    let mut by_answer: HashMap<&[String], Vec<&LabelledQuery>> = HashMap::new();
    for q in &order {
        if !q.expected.is_empty() {
            by_answer.entry(q.expected.as_slice()).or_default().push(q);
        }
    }
    let mut stats = Simulated::default();
    // Customers are written a few thousand records at a time: one
    // transaction per customer made a million searches take hours.
    let mut pending: Vec<Record> = Vec::with_capacity(WRITE_EVERY * 2);
    let span_ms = i64::from(simulation.days.max(1)) * 86_400_000;
    for n in 0..simulation.sessions {
        let mut pick = rng.f64() * total;
        let first = order
            .iter()
            .zip(&weights)
            .find(|(_, w)| {
                pick -= **w;
                pick <= 0.0
            })
            .map_or(order[0], |(q, _)| q);
        let rewordings: Vec<&LabelledQuery> =
            by_answer.get(first.expected.as_slice()).map(|v| v.iter().copied().filter(|q| q.query != first.query).collect()).unwrap_or_default();
        let mut customer = Customer {
            engine,
            masker,
            rng: fastrand::Rng::with_seed(simulation.seed ^ (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            session: format!("sim-{:08x}-{n}", simulation.seed as u32),
            at_ms: simulation.now_ms - span_ms + rng.i64(0..span_ms - 3_600_000),
            records: Vec::new(),
            stats: Simulated::default(),
        };
        customer.visit(first, &rewordings);
        pending.append(&mut customer.records);
        if pending.len() >= WRITE_EVERY {
            store.write(&pending)?;
            pending.clear();
        }
        let s = customer.stats;
        stats.sessions += 1;
        stats.searches += s.searches;
        stats.clicks += s.clicks;
        stats.helpful += s.helpful;
        stats.not_helpful += s.not_helpful;
        stats.escalations += s.escalations;
        stats.reworded += s.reworded;
    }
    store.write(&pending)?;
    Ok(stats)
}

/// Records written in one transaction, at least (all of a customer's go together).
const WRITE_EVERY: usize = 4096;
