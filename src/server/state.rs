//! What every request shares: the current snapshot of the help center, the
//! configuration, metrics and the rate limiter.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use arc_swap::ArcSwapOption;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::metrics::Metrics;
use crate::config::Config;
use crate::content::{Article, Problem};
use crate::search::Engine;

/// One consistent view of the help center: searches take the current one and
/// keep it to the end, while a reload prepares the next.
pub struct Snapshot {
    pub engine: Engine,
    /// Published articles by id.
    pub articles: HashMap<String, Arc<Article>>,
    /// Problems now (a broken file's last good version is still served).
    pub problems: Vec<Problem>,
    pub generation: u64,
    pub entries: u64,
    pub reloaded_at: SystemTime,
}

/// The outcome of the last attempt to apply content changes.
#[derive(Debug, Clone, Default)]
pub struct ReloadStatus {
    pub at: Option<SystemTime>,
    pub took_ms: u64,
    /// Set when the reload itself failed (not a broken file: that is a problem).
    pub error: Option<String>,
}

#[derive(Clone)]
pub struct AppState {
    pub snapshot: Arc<ArcSwapOption<Snapshot>>,
    pub reload: Arc<std::sync::Mutex<ReloadStatus>>,
    pub metrics: Arc<Metrics>,
    pub config: Arc<Config>,
    pub limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    pub started: Instant,
}

impl AppState {
    pub fn new(config: Config) -> AppState {
        let limiter = std::num::NonZeroU32::new(config.rate_limit_per_minute)
            .map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))));
        AppState {
            snapshot: Arc::new(ArcSwapOption::empty()),
            reload: Arc::new(std::sync::Mutex::new(ReloadStatus::default())),
            metrics: Arc::new(Metrics::default()),
            config: Arc::new(config),
            limiter,
            started: Instant::now(),
        }
    }

    /// The current snapshot, or `None` while the index is loading.
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.snapshot.load_full()
    }

    pub fn publish(&self, snapshot: Snapshot) {
        self.metrics.entries.set(snapshot.entries as i64);
        self.metrics.generation.set(snapshot.generation as i64);
        self.snapshot.store(Some(Arc::new(snapshot)));
    }
}
