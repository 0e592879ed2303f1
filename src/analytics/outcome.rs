//! What became of each search: answered, or which signals say it was not.
//!
//! Searches are read per session, in time order. Two things are decided
//! from the sequence rather than from one search alone:
//! - a search that the customer's next keystrokes replaced (회원가, then
//!   회원가입) is a *fragment* of one search, not a search of its own: the
//!   widget searches as the customer types;
//! - a search without a click followed shortly by one that succeeded is a
//!   *reformulation*: the pair says how customers word what the index
//!   calls something else.

use std::collections::HashMap;

use serde::Serialize;

use super::record::EventKind;
use super::store::{LoggedSearch, Period};
use crate::korean::jamo::keystrokes;
use crate::korean::Normalized;
use crate::search::CONFIDENT;

/// A search followed this soon by a longer (or shorter) spelling of itself
/// was a state of typing.
pub const TYPING_PAUSE_MS: i64 = 10_000;
/// A failed search followed this soon by a successful one was reformulated.
pub const REFORMULATION_WINDOW_MS: i64 = 5 * 60_000;

/// The signals that a search went unanswered; several may hold at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Signals {
    pub zero_results: bool,
    pub low_confidence: bool,
    /// No click after it in the session (and no successful reformulation).
    pub no_click: bool,
    pub not_helpful: bool,
    pub contact_support: bool,
    /// Followed shortly by a different search that succeeded.
    pub reformulated: bool,
}

impl Signals {
    pub fn unanswered(&self) -> bool {
        self.zero_results || self.low_confidence || self.no_click || self.not_helpful || self.contact_support || self.reformulated
    }

    /// How strongly the signals say the help center failed: an escalation
    /// to support costs the most, a search merely not clicked the least.
    pub fn severity(&self) -> f64 {
        let mut s = 0.0;
        for (on, weight) in [
            (self.contact_support, 3.0),
            (self.not_helpful, 2.0),
            (self.zero_results, 2.0),
            (self.low_confidence, 1.5),
            (self.reformulated, 1.0),
            (self.no_click, 0.5),
        ] {
            if on {
                s += weight;
            }
        }
        s
    }
}

/// One search and what became of it.
#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    pub logged: &'a LoggedSearch,
    /// Replaced by the customer's next keystrokes: not counted as a search.
    pub fragment: bool,
    /// The article of the first click on this search.
    pub clicked: Option<&'a str>,
    pub helpful: bool,
    pub signals: Signals,
    /// For a reformulated search: the search (index into the outcomes) that
    /// then succeeded.
    pub reformulated_as: Option<usize>,
}

impl Outcome<'_> {
    pub fn answered(&self) -> bool {
        !self.fragment && !self.signals.unanswered()
    }

    fn succeeded(&self) -> bool {
        (self.clicked.is_some() || self.helpful) && !self.signals.not_helpful && !self.signals.contact_support
    }
}

/// The query as compared for sameness: normalized, without spaces.
pub fn compact(query: &str) -> String {
    Normalized::new(query).text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether `earlier` is a state of typing `later` (or `later` of a
/// backspaced `earlier`), both [`compact`]ed: one's keystrokes are a prefix
/// of the other's.
fn is_typing_state(earlier: &str, later: &str) -> bool {
    let (a, b) = (keystrokes(earlier), keystrokes(later));
    // The same text again counts too: the widget asks the settled question
    // once more (ranked by meaning) after the keystroke that typed it.
    !a.is_empty() && !b.is_empty() && (b.starts_with(&a) || a.starts_with(&b))
}

/// The outcome of every search in `period`, in the period's order.
pub fn outcomes(period: &Period) -> Vec<Outcome<'_>> {
    let mut out: Vec<Outcome> = period
        .searches
        .iter()
        .map(|logged| {
            let mut clicked = None;
            let (mut helpful, mut signals) = (false, Signals::default());
            for event in &logged.events {
                match event.kind {
                    EventKind::Click => clicked = clicked.or(event.article_id.as_deref()),
                    EventKind::Helpful => helpful = true,
                    EventKind::NotHelpful => signals.not_helpful = true,
                    EventKind::ContactSupport => signals.contact_support = true,
                }
            }
            Outcome { logged, fragment: false, clicked, helpful, signals, reformulated_as: None }
        })
        .collect();

    // Normalizing is the costly part of comparing two searches: once each.
    let compacts: Vec<String> = out.iter().map(|o| compact(&o.logged.search.normalized)).collect();
    let mut sessions: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, o) in out.iter().enumerate() {
        sessions.entry(o.logged.search.session.as_str()).or_default().push(i);
    }
    for indices in sessions.values() {
        // Fragments first: a search without events that the next one replaced.
        for pair in indices.windows(2) {
            let (a, b) = (&out[pair[0]], &out[pair[1]]);
            let (sa, sb) = (&a.logged.search, &b.logged.search);
            if a.logged.events.is_empty() && sb.at_ms - sa.at_ms <= TYPING_PAUSE_MS && is_typing_state(&compacts[pair[0]], &compacts[pair[1]]) {
                out[pair[0]].fragment = true;
            }
        }
        let searches: Vec<usize> = indices.iter().copied().filter(|&i| !out[i].fragment).collect();
        for (k, &i) in searches.iter().enumerate() {
            if out[i].succeeded() {
                continue;
            }
            let (total, confidence) = (out[i].logged.search.total, out[i].logged.search.confidence);
            out[i].signals.zero_results = total == 0;
            out[i].signals.low_confidence = total > 0 && confidence < CONFIDENT;
            if out[i].signals.not_helpful || out[i].signals.contact_support {
                continue;
            }
            let at = out[i].logged.search.at_ms;
            let later = &searches[k + 1..];
            let success = later.iter().copied().find(|&j| {
                out[j].logged.search.at_ms - at <= REFORMULATION_WINDOW_MS && out[j].succeeded() && compacts[j] != compacts[i]
            });
            match success {
                Some(j) => {
                    out[i].signals.reformulated = true;
                    out[i].reformulated_as = Some(j);
                }
                None => out[i].signals.no_click = !later.iter().any(|&j| out[j].clicked.is_some()),
            }
        }
    }
    out
}
