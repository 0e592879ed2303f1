//! Configuration: defaults < `doumi.toml` < `DOUMI_*` environment < flags.
//!
//! Plain data: every other module takes what it needs from a [`Config`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "doumi.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Folder of Markdown articles.
    pub content: PathBuf,
    /// Folder for generated state: the search index lives in `index/search`.
    pub index: PathBuf,
    /// Where `doumi serve` listens.
    pub addr: SocketAddr,
    /// Bearer token guarding the admin report; without one the report is off.
    pub admin_token: Option<String>,
    /// Requests per minute allowed from one client IP; 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Origins allowed to call the API from a browser (the widget runs on the
    /// shop's own site). `["*"]` allows any.
    pub cors_origins: Vec<String>,
    /// A request taking longer is answered with 503.
    pub request_timeout_ms: u64,
    /// Largest request body accepted (events are small).
    pub max_body_bytes: usize,
    /// Quiet time after the last file change before the index is updated.
    pub reload_debounce_ms: u64,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// The query log: a SQLite file, default `<index>/queries.sqlite3`, or a
    /// `postgres://` URL of a database that replicas share.
    pub query_log: Option<PathBuf>,
    /// Query-log rows older than this many days are purged; 0 keeps all.
    pub log_retention_days: u32,
    /// A regular expression for this shop's order numbers, masked as
    /// `[주문번호]` in the query log (default: see `analytics::pii`).
    pub order_number_pattern: Option<String>,
    /// The help center's name on its pages.
    pub site_name: String,
    /// Where customers contact support when search has no answer: a page of
    /// the shop's (`https://shop.example/contact`) or a `mailto:` address.
    pub contact_url: String,
    /// The text of that link.
    pub contact_label: String,
    /// Answers remembered per index generation for searches asked again
    /// (the same words, page and category); 0 works out every search anew.
    pub search_cache_entries: usize,
    /// Whether the settled question is also ranked by meaning, with the
    /// embedding model (see `semantic`). Without the model doumi serves
    /// lexical search and says so in `/healthz`.
    pub semantic: bool,
    /// The multilingual-e5-small folder; default: `../shared/models/…`
    /// beside the crate, as it was when doumi was built.
    pub model_dir: Option<PathBuf>,
    /// The most the ranking by meaning counts beside the lexical one
    /// (which counts 1); it counts less the surer the lexical answer is.
    pub semantic_weight: f32,
    /// Query embeddings remembered for questions asked again; 0 = none.
    pub query_embedding_cache: usize,
    /// A client must send a request's headers within this long after
    /// connecting or after its previous answer; a kept-alive connection left
    /// idle longer is closed.
    pub header_read_timeout_ms: u64,
    /// Connections open at once from one client address; 0 = no cap.
    pub max_connections_per_client: usize,
    /// Connections open at once in all; 0 = the process's file descriptor
    /// limit less what the index and the log need.
    pub max_connections: usize,
    /// After SIGTERM or Ctrl-C, requests in flight get this long to finish;
    /// connections still open then are dropped.
    pub shutdown_timeout_ms: u64,
    /// Proxies (CIDRs or addresses) whose `X-Forwarded-For`, `Forwarded` and
    /// `X-Forwarded-Proto` are believed; nobody else's are.
    pub trusted_proxies: Vec<String>,
    /// Admin sign-in attempts a minute per client (wrong bearer tokens
    /// included); 0 = no limit.
    pub sign_in_per_minute: u32,
    /// Anonymous sessions one client address may count as in a day; past
    /// that its searches count as one more customer. 0 = no cap.
    pub sessions_per_client: usize,
    /// 도움이 되었나요? votes a session may cast a day; 0 = no cap.
    pub votes_per_session: u32,
    /// An admin session unused this long ends.
    pub admin_session_idle_hours: u32,
    /// An admin session ends this long after sign-in, used or not.
    pub admin_session_max_hours: u32,
    /// Always mark the admin cookie `Secure` (it is anyway when a trusted
    /// proxy says the request came over HTTPS).
    pub secure_cookies: bool,
    /// Serve `/metrics` and the detailed `/healthz` on this address only
    /// (e.g. 127.0.0.1:9878); the public `/healthz` then says only the status.
    pub ops_addr: Option<SocketAddr>,
    /// With the query log in PostgreSQL: records kept in `<index>/spool.sqlite3`
    /// while the database cannot be reached, at most; more are dropped (counted).
    pub spool_max_records: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            content: PathBuf::from("content"),
            index: PathBuf::from("index"),
            addr: SocketAddr::from(([127, 0, 0, 1], 7878)),
            admin_token: None,
            rate_limit_per_minute: 600,
            cors_origins: vec!["*".to_string()],
            request_timeout_ms: 10_000,
            max_body_bytes: 16 * 1024,
            reload_debounce_ms: 100,
            log_format: LogFormat::Text,
            query_log: None,
            log_retention_days: 365,
            order_number_pattern: None,
            site_name: "도움말 센터".to_string(),
            contact_url: "mailto:help@example.com".to_string(),
            contact_label: "고객센터에 문의하기".to_string(),
            search_cache_entries: 4096,
            semantic: true,
            model_dir: None,
            semantic_weight: 1.5,
            query_embedding_cache: 4096,
            header_read_timeout_ms: 10_000,
            max_connections_per_client: 64,
            max_connections: 0,
            shutdown_timeout_ms: 10_000,
            trusted_proxies: Vec::new(),
            sign_in_per_minute: 10,
            sessions_per_client: 30,
            votes_per_session: 20,
            admin_session_idle_hours: 12,
            admin_session_max_hours: 7 * 24,
            secure_cookies: false,
            ops_addr: None,
            spool_max_records: 200_000,
        }
    }
}

/// Keys that `DOUMI_<KEY>` environment variables may set.
const KEYS: [&str; 34] = [
    "content",
    "index",
    "addr",
    "admin_token",
    "rate_limit_per_minute",
    "cors_origins",
    "request_timeout_ms",
    "max_body_bytes",
    "reload_debounce_ms",
    "log_format",
    "query_log",
    "log_retention_days",
    "order_number_pattern",
    "site_name",
    "contact_url",
    "contact_label",
    "search_cache_entries",
    "semantic",
    "model_dir",
    "semantic_weight",
    "query_embedding_cache",
    "header_read_timeout_ms",
    "max_connections_per_client",
    "max_connections",
    "shutdown_timeout_ms",
    "trusted_proxies",
    "sign_in_per_minute",
    "sessions_per_client",
    "votes_per_session",
    "admin_session_idle_hours",
    "admin_session_max_hours",
    "secure_cookies",
    "ops_addr",
    "spool_max_records",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file `{}` does not exist", .0.display())]
    MissingFile(PathBuf),
    #[error("configuration: {0}")]
    Invalid(String),
}

/// Loads the configuration. `file` is `--config`; without it `doumi.toml` is
/// read if present. `overrides` holds the flags given on the command line.
pub fn load(file: Option<&Path>, overrides: impl Serialize) -> Result<Config, ConfigError> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    match file {
        Some(path) if !path.exists() => return Err(ConfigError::MissingFile(path.to_path_buf())),
        Some(path) => figment = figment.merge(Toml::file_exact(path)),
        None if Path::new(DEFAULT_CONFIG_FILE).exists() => figment = figment.merge(Toml::file_exact(DEFAULT_CONFIG_FILE)),
        None => {}
    }
    figment = figment
        .merge(Env::prefixed("DOUMI_").only(&KEYS))
        .merge(Serialized::defaults(overrides));
    let config: Config = figment.extract().map_err(|e| ConfigError::Invalid(describe(e)))?;
    if let Some(pattern) = &config.order_number_pattern
        && let Err(e) = crate::analytics::Masker::new(Some(pattern))
    {
        return Err(ConfigError::Invalid(format!("`order_number_pattern` is not a valid regular expression: {e}")));
    }
    if !(0.0..=10.0).contains(&config.semantic_weight) {
        return Err(ConfigError::Invalid(format!("`semantic_weight` must be between 0 and 10, got {}", config.semantic_weight)));
    }
    crate::server::TrustedProxies::parse(&config.trusted_proxies).map_err(ConfigError::Invalid)?;
    if config.admin_session_idle_hours == 0 || config.admin_session_max_hours == 0 {
        return Err(ConfigError::Invalid("`admin_session_idle_hours` and `admin_session_max_hours` must be at least 1".into()));
    }
    Ok(config)
}

impl Config {
    /// Where the embedding model is looked for.
    pub fn model_dir(&self) -> PathBuf {
        self.model_dir.clone().unwrap_or_else(crate::semantic::default_model_dir)
    }

    /// Where the query log lives: a SQLite file, by default beside the
    /// index, or a PostgreSQL database (`postgres://…`).
    pub fn query_log_target(&self) -> crate::analytics::LogTarget {
        crate::analytics::LogTarget::parse(&self.query_log.clone().unwrap_or_else(|| self.index.join("queries.sqlite3")))
    }
}

/// figment's errors name the key; add where the value came from.
fn describe(error: figment::Error) -> String {
    error
        .into_iter()
        .map(|e| {
            let key = if e.path.is_empty() { String::new() } else { format!("`{}`: ", e.path.join(".")) };
            let source = e
                .metadata
                .as_ref()
                .map(|m| match &m.source {
                    Some(figment::Source::File(path)) => format!(" (in {})", path.display()),
                    _ => format!(" (from {})", m.name),
                })
                .unwrap_or_default();
            format!("{key}{}{source}", e.kind)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct Flags {
        #[serde(skip_serializing_if = "Option::is_none")]
        addr: Option<String>,
    }

    #[test]
    fn file_then_flags_override_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("doumi.toml");
        std::fs::write(&file, "rate_limit_per_minute = 0\naddr = \"127.0.0.1:9000\"\n").unwrap();
        let config = load(Some(&file), Flags::default()).unwrap();
        assert_eq!((config.rate_limit_per_minute, config.addr.port()), (0, 9000));
        let config = load(Some(&file), Flags { addr: Some("127.0.0.1:9100".into()) }).unwrap();
        assert_eq!(config.addr.port(), 9100);
    }

    /// Why `doumi.toml` holding `text` is refused.
    fn refusal(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("doumi.toml");
        std::fs::write(&file, text).unwrap();
        load(Some(&file), Flags::default()).unwrap_err().to_string()
    }

    #[test]
    fn a_bad_value_names_its_key_and_file() {
        let message = refusal("rate_limit_per_minute = \"lots\"\n");
        assert!(message.contains("`rate_limit_per_minute`"), "{message}");
        assert!(message.contains("doumi.toml"), "{message}");
        let message = refusal("search_cache_entries = -1\n");
        assert!(message.contains("`search_cache_entries`"), "{message}");
        let message = refusal("rate_limt_per_minute = 5\n");
        assert!(message.contains("rate_limt_per_minute"), "{message}");
    }

    #[test]
    fn a_bad_proxy_or_a_zero_session_length_is_refused_by_name() {
        let message = refusal("trusted_proxies = [\"10.0.0.0/8\", \"proxy.example\"]\n");
        assert!(message.contains("`trusted_proxies`") && message.contains("`proxy.example`"), "{message}");
        let message = refusal("admin_session_idle_hours = 0\n");
        assert!(message.contains("`admin_session_idle_hours`"), "{message}");
    }
}
