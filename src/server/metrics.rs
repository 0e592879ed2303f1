//! `/metrics`: Prometheus text format, with the standard client library.

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

pub struct Metrics {
    registry: Mutex<Registry>,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<RouteLabels, Histogram>,
    pub zero_result_searches: Counter,
    pub searches_ranked_by_meaning: Counter,
    pub reloads: Counter,
    pub votes_refused: Counter,
    pub sessions_past_budget: Counter,
    pub limited_clients: Gauge,
    pub syncs: Counter,
    pub reload_errors: Counter,
    pub entries: Gauge,
    pub generation: Gauge,
    pub query_log: crate::analytics::LogCounters,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("doumi");
        let requests = Family::<RequestLabels, Counter>::default();
        // 0.5 ms to ~4 s: searches are sub-millisecond to a few ms.
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 4.0])
        });
        let zero_result_searches = Counter::default();
        let searches_ranked_by_meaning = Counter::default();
        let reloads = Counter::default();
        let votes_refused = Counter::default();
        let sessions_past_budget = Counter::default();
        let limited_clients = Gauge::default();
        let syncs = Counter::default();
        let reload_errors = Counter::default();
        let entries = Gauge::default();
        let generation = Gauge::default();
        registry.register("http_requests", "HTTP requests by route, method and status", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency by route", latency.clone());
        registry.register("zero_result_searches", "Searches that found no entry", zero_result_searches.clone());
        registry.register(
            "searches_ranked_by_meaning",
            "Searches whose answer was ranked by meaning too (remembered answers included); the rest by words alone",
            searches_ranked_by_meaning.clone(),
        );
        registry.register("votes_refused", "Votes refused: past votes_per_session for the day", votes_refused.clone());
        registry.register(
            "sessions_past_budget",
            "Searches and events whose client-sent session was not believed: the client was past sessions_per_client for the day",
            sessions_past_budget.clone(),
        );
        registry.register("rate_limiter_clients", "Clients the rate limiter holds state for (pruned every minute)", limited_clients.clone());
        registry.register("index_reloads", "Content changes applied to the index", reloads.clone());
        registry.register("index_syncs", "Times the content folder was checked for changes, after a file event", syncs.clone());
        registry.register("index_reload_errors", "Files that failed to load on a reload (their last good version stays)", reload_errors.clone());
        registry.register("index_entries", "Searchable entries", entries.clone());
        registry.register("index_generation", "Index generation, bumped by every applied change", generation.clone());
        let query_log = crate::analytics::LogCounters::default();
        registry.register("query_log_searches", "Searches written to the query log", query_log.searches.clone());
        registry.register("query_log_events", "Events (clicks, votes, escalations) written to the query log", query_log.events.clone());
        registry.register(
            "query_log_dropped",
            "Query log records dropped: the writer could not keep up, or a batch failed twice",
            query_log.dropped.clone(),
        );
        registry.register("query_log_spooled", "Query log records waiting in the spool for the database", query_log.spooled.clone());
        registry.register("query_log_purged", "Query log rows purged after the retention period", query_log.purged.clone());
        Metrics {
            registry: Mutex::new(registry),
            requests,
            latency,
            zero_result_searches,
            searches_ranked_by_meaning,
            reloads,
            votes_refused,
            sessions_past_budget,
            limited_clients,
            syncs,
            reload_errors,
            entries,
            generation,
            query_log,
        }
    }
}

impl Metrics {
    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        out
    }
}
