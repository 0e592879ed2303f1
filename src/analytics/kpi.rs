//! Self-service KPIs: how many searched, how many found an answer on their
//! own, how many had to contact support — for a period and per day.
//!
//! A search here is what the customer meant to search: the states the widget
//! searched while they were still typing are not counted (see `outcome`).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::outcome::{Outcome, compact};
use super::record::EventKind;
use super::store::Period;

/// Headline numbers for a period. Rates are shares (0–1) and are absent
/// when there was nothing to divide by.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Kpis {
    pub searches: usize,
    pub sessions: usize,
    /// Searches that found no entry at all.
    pub zero_result_rate: Option<f64>,
    /// Searches after which a hit was opened.
    pub click_through_rate: Option<f64>,
    /// Sessions that ended in a click or a 예 vote without contacting support.
    pub self_service_rate: Option<f64>,
    /// 예 votes among all votes.
    pub helpfulness: Option<f64>,
    /// Sessions that contacted support.
    pub escalation_rate: Option<f64>,
    pub helpful_votes: usize,
    pub not_helpful_votes: usize,
    pub escalations: usize,
}

/// The KPIs of one day.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Day {
    /// `YYYY-MM-DD` in the report's time zone.
    pub date: String,
    #[serde(flatten)]
    pub kpis: Kpis,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TopQuery {
    pub query: String,
    pub count: usize,
    pub zero_result_rate: f64,
    pub click_through_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TopArticle {
    pub article_id: String,
    pub clicks: usize,
    pub helpful: usize,
    pub not_helpful: usize,
}

fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| ((part as f64 / whole as f64) * 10_000.0).round() / 10_000.0)
}

/// The KPIs of `outcomes` plus the votes made without a search.
pub fn kpis<'a>(outcomes: impl IntoIterator<Item = &'a Outcome<'a>>, votes: &[super::record::EventRecord]) -> Kpis {
    let mut k = Kpis::default();
    let (mut zero, mut clicked) = (0, 0);
    // Per session: (found an answer, contacted support).
    let mut sessions: HashMap<&str, (bool, bool)> = HashMap::new();
    for o in outcomes {
        let events = &o.logged.events;
        let session = sessions.entry(o.logged.search.session.as_str()).or_default();
        for e in events {
            match e.kind {
                EventKind::Click => session.0 = true,
                EventKind::Helpful => {
                    session.0 = true;
                    k.helpful_votes += 1;
                }
                EventKind::NotHelpful => k.not_helpful_votes += 1,
                EventKind::ContactSupport => {
                    session.1 = true;
                    k.escalations += 1;
                }
            }
        }
        if o.fragment {
            continue;
        }
        k.searches += 1;
        zero += usize::from(o.logged.search.total == 0);
        clicked += usize::from(events.iter().any(|e| e.kind == EventKind::Click));
    }
    for vote in votes {
        match vote.kind {
            EventKind::Helpful => k.helpful_votes += 1,
            EventKind::NotHelpful => k.not_helpful_votes += 1,
            _ => {}
        }
    }
    k.sessions = sessions.len();
    k.zero_result_rate = share(zero, k.searches);
    k.click_through_rate = share(clicked, k.searches);
    k.self_service_rate = share(sessions.values().filter(|(found, contacted)| *found && !contacted).count(), k.sessions);
    k.escalation_rate = share(sessions.values().filter(|(_, contacted)| *contacted).count(), k.sessions);
    k.helpfulness = share(k.helpful_votes, k.helpful_votes + k.not_helpful_votes);
    k
}

/// The KPIs of each day from `first` to `last` (inclusive; days without
/// searches included, so a chart has no holes). `day_of` maps a time to its
/// date; `days` lists the dates in order.
pub fn daily(outcomes: &[Outcome], period: &Period, days: &[String], day_of: impl Fn(i64) -> String) -> Vec<Day> {
    let mut by_day: BTreeMap<String, Vec<&Outcome>> = BTreeMap::new();
    for o in outcomes {
        by_day.entry(day_of(o.logged.search.at_ms)).or_default().push(o);
    }
    let mut votes: BTreeMap<String, Vec<super::record::EventRecord>> = BTreeMap::new();
    for v in &period.votes {
        votes.entry(day_of(v.at_ms)).or_default().push(v.clone());
    }
    days.iter()
        .map(|date| Day {
            date: date.clone(),
            kpis: kpis(by_day.get(date).into_iter().flatten().copied(), votes.get(date).map_or(&[][..], Vec::as_slice)),
        })
        .collect()
}

/// The most searched queries (spacing variants together), most first.
pub fn top_queries(outcomes: &[Outcome], n: usize) -> Vec<TopQuery> {
    let mut groups: HashMap<String, (BTreeMap<String, usize>, usize, usize, usize)> = HashMap::new();
    for o in outcomes.iter().filter(|o| !o.fragment) {
        let search = &o.logged.search;
        let g = groups.entry(compact(&search.normalized)).or_default();
        *g.0.entry(search.query.trim().to_string()).or_default() += 1;
        g.1 += 1;
        g.2 += usize::from(search.total == 0);
        g.3 += usize::from(o.clicked.is_some());
    }
    let mut top: Vec<TopQuery> = groups
        .into_values()
        .map(|(forms, count, zero, clicked)| TopQuery {
            query: forms.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(q, _)| q.clone()).unwrap_or_default(),
            count,
            zero_result_rate: share(zero, count).unwrap_or(0.0),
            click_through_rate: share(clicked, count).unwrap_or(0.0),
        })
        .collect();
    top.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.query.cmp(&b.query)));
    top.truncate(n);
    top
}

/// The most opened articles, with the votes they got.
pub fn top_articles(outcomes: &[Outcome], period: &Period, n: usize) -> Vec<TopArticle> {
    let mut articles: HashMap<String, TopArticle> = HashMap::new();
    fn entry<'m>(articles: &'m mut HashMap<String, TopArticle>, id: &str) -> &'m mut TopArticle {
        articles.entry(id.to_string()).or_insert_with(|| TopArticle { article_id: id.to_string(), clicks: 0, helpful: 0, not_helpful: 0 })
    }
    for o in outcomes {
        for e in &o.logged.events {
            let Some(article) = e.article_id.as_deref().or(o.clicked) else { continue };
            match e.kind {
                EventKind::Click => entry(&mut articles, article).clicks += 1,
                EventKind::Helpful => entry(&mut articles, article).helpful += 1,
                EventKind::NotHelpful => entry(&mut articles, article).not_helpful += 1,
                _ => {}
            }
        }
    }
    for v in &period.votes {
        let Some(article) = v.article_id.as_deref() else { continue };
        match v.kind {
            EventKind::Helpful => entry(&mut articles, article).helpful += 1,
            EventKind::NotHelpful => entry(&mut articles, article).not_helpful += 1,
            _ => {}
        }
    }
    let mut top: Vec<TopArticle> = articles.into_values().collect();
    top.sort_by(|a, b| (b.clicks + b.helpful + b.not_helpful).cmp(&(a.clicks + a.helpful + a.not_helpful)).then_with(|| a.article_id.cmp(&b.article_id)));
    top.truncate(n);
    top
}
