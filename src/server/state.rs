//! What every request shares: the current snapshot of the help center, the
//! configuration, metrics and the limits on each client.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use arc_swap::ArcSwapOption;

use super::client::TrustedProxies;
use super::limits::ClientLimits;
use super::metrics::Metrics;
use crate::analytics::{LogOptions, LogTarget, Masker, QueryLog};
use crate::config::Config;
use crate::content::{Article, Problem};
use super::embedder::SemanticStatus;
use crate::search::{Engine, Meaning};

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
    /// The content's fingerprint ([`crate::content::Library::fingerprint`]).
    pub content: String,
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

/// What handlers extract: one shared reference, so that a request clones
/// one `Arc`, not each part.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`], shared by every request.
pub struct Shared {
    /// `None` when the log cannot be opened: search goes on unlogged and
    /// `/healthz` says why.
    pub query_log: Option<Arc<QueryLog>>,
    pub query_log_error: Option<String>,
    pub snapshot: ArcSwapOption<Snapshot>,
    pub reload: std::sync::Mutex<ReloadStatus>,
    pub metrics: Metrics,
    pub config: Arc<Config>,
    pub limits: ClientLimits,
    pub trusted_proxies: Arc<TrustedProxies>,
    pub started: Instant,
    /// The latest entry embeddings and query embedder, once the model is
    /// loaded and the entries embedded; every published engine uses them.
    pub meaning: ArcSwapOption<Meaning>,
    pub semantic: std::sync::Mutex<SemanticStatus>,
    /// The secret of the day that anonymous sessions are derived with.
    pub session_key: crate::analytics::record::SessionKey,
}

impl AppState {
    pub fn new(config: Config) -> AppState {
        let limits = ClientLimits::new(&config);
        // The list was checked when the configuration was loaded.
        let trusted_proxies = Arc::new(TrustedProxies::parse(&config.trusted_proxies).unwrap_or_default());
        let metrics = Metrics::default();
        let (query_log, query_log_error) = match open_query_log(&config, &metrics) {
            Ok(log) => (Some(Arc::new(log)), None),
            Err(e) => {
                tracing::error!(error = %e, "the query log is off: searches are served but not logged");
                (None, Some(e))
            }
        };
        AppState(Arc::new(Shared {
            query_log,
            query_log_error,
            snapshot: ArcSwapOption::empty(),
            reload: std::sync::Mutex::new(ReloadStatus::default()),
            metrics,
            config: Arc::new(config),
            limits,
            trusted_proxies,
            started: Instant::now(),
            meaning: ArcSwapOption::empty(),
            semantic: std::sync::Mutex::new(SemanticStatus::off()),
            session_key: Default::default(),
        }))
    }

    /// Writes every accepted log record and stops the log's writer.
    pub fn close_query_log(&self) {
        if let Some(log) = &self.query_log {
            log.close();
        }
    }

    /// Whether `session` may vote once more today (`votes_per_session`); a
    /// refusal is counted in `doumi_votes_refused_total`.
    pub fn may_vote(&self, session: &str) -> bool {
        let allowed = self.limits.vote(session, crate::analytics::record::now_ms());
        if !allowed {
            self.metrics.votes_refused.inc();
        }
        allowed
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

fn open_query_log(config: &Config, metrics: &Metrics) -> Result<QueryLog, String> {
    // The pattern was checked when the configuration was loaded.
    let masker = Masker::new(config.order_number_pattern.as_deref()).map_err(|e| e.to_string())?;
    let target = config.query_log_target();
    // A shared database may be away; records then wait beside the index.
    let spool = matches!(target, LogTarget::Postgres(_)).then(|| (config.index.join("spool.sqlite3"), config.spool_max_records));
    let options = LogOptions { retention_days: config.log_retention_days, masker, spool };
    QueryLog::open(&target, options, metrics.query_log.clone()).map_err(|e| e.to_string())
}
