//! The query log in PostgreSQL, for replicas that share one log: the same
//! tables as the SQLite file ([`super::store`]), brought to the same schema
//! version by migrations of their own, written in batches (one multi-row
//! insert per table per batch, prepared), read by the same reports.
//!
//! doumi's log is written by a thread and read off the async runtime, so the
//! store runs the asynchronous driver (tokio-postgres, pooled by deadpool) on
//! a small runtime of its own and waits for each call.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::config::SslMode;
use tokio_postgres::types::ToSql;

use super::record::{EventKind, EventRecord, LoggedHit, Record, SearchRecord, Source};
use super::store::{AdminExpiry, AdminSession, LogStore, Period, StoreError};

/// Schema versions, oldest first, numbered as the SQLite file's are; never
/// edit one that has shipped, add another (to both stores).
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE searches (
        id          TEXT PRIMARY KEY,
        at_ms       BIGINT NOT NULL,
        session     TEXT NOT NULL,
        source      TEXT NOT NULL,
        query       TEXT NOT NULL,
        normalized  TEXT NOT NULL,
        total       BIGINT NOT NULL,
        confidence  REAL NOT NULL,
        hits        TEXT NOT NULL
    );
    CREATE INDEX searches_by_time ON searches(at_ms);
    CREATE INDEX searches_by_session ON searches(session, at_ms);
    CREATE TABLE events (
        id          BIGSERIAL PRIMARY KEY,
        query_id    TEXT,
        at_ms       BIGINT NOT NULL,
        session     TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('click', 'helpful', 'not_helpful', 'contact_support')),
        article_id  TEXT,
        rank        INTEGER,
        comment     TEXT
    );
    CREATE INDEX events_by_query ON events(query_id);
    CREATE INDEX events_by_time ON events(at_ms);",
    "CREATE TABLE admin_sessions (
        id_hash       TEXT PRIMARY KEY,
        token_hash    TEXT NOT NULL,
        created_ms    BIGINT NOT NULL,
        last_seen_ms  BIGINT NOT NULL
    );",
    "ALTER TABLE searches ADD COLUMN client TEXT NOT NULL DEFAULT '';",
    "ALTER TABLE events ADD COLUMN uid TEXT; CREATE UNIQUE INDEX events_by_uid ON events(uid);",
    // No query reads searches by session, and every search logged paid for the index.
    "DROP INDEX IF EXISTS searches_by_session;",
];

/// Taken for the migrations, so that replicas starting together migrate once.
const MIGRATION_LOCK: i64 = 0x646f_756d_6931;

/// How long a connection may take to open (unless the URL says).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);
/// How long one call may take, connecting included.
const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Connections kept open per process.
const POOL_SIZE: usize = 8;

/// Whether `target` names a PostgreSQL database rather than a file.
pub fn is_url(target: &str) -> bool {
    target.starts_with("postgres://") || target.starts_with("postgresql://")
}

/// The URL without its password, for messages and `/healthz`.
pub fn redacted(url: &str) -> String {
    match url.split_once("://").and_then(|(scheme, rest)| rest.split_once('@').map(|(user, host)| (scheme, user, host))) {
        Some((scheme, user, host)) => format!("{scheme}://{}@{host}", user.split(':').next().unwrap_or_default()),
        None => url.to_string(),
    }
}

/// A runtime that may be dropped anywhere, an async context included.
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// A handle on the log in one PostgreSQL database; clones share the pool.
#[derive(Clone)]
pub struct PostgresStore {
    runtime: Arc<OwnRuntime>,
    pool: Pool,
    at: String,
    /// Whether the schema is known to be current: migrations run before
    /// the first call that finds the database.
    migrated: Arc<AtomicBool>,
}

impl PostgresStore {
    /// Connects to `url` and migrates the database to the current schema.
    /// The connection is secured as the URL's `sslmode` and `sslrootcert`
    /// say, with libpq's meanings (see `Security`).
    pub fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let store = PostgresStore::connect(url)?;
        store.migrate()?;
        Ok(store)
    }

    /// [`PostgresStore::open`] for a server that can wait for the database:
    /// a database that cannot be reached now is not an error (its error is
    /// returned beside the store); the schema is brought up to date at the
    /// first call that reaches it. A URL that does not parse still is.
    pub fn open_when_reachable(url: &str) -> Result<(PostgresStore, Option<StoreError>), StoreError> {
        let store = PostgresStore::connect(url)?;
        let unreachable = store.migrate().err();
        Ok((store, unreachable))
    }

    fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let at = redacted(url);
        let error = |cause: String| StoreError::Postgres { at: at.clone(), cause };
        let (rest, security) = Security::of_url(url).map_err(error)?;
        let mut config: tokio_postgres::Config = rest.parse().map_err(|e| error(format!("not a PostgreSQL URL: {e}")))?;
        config.ssl_mode(security.mode);
        let tls = security.connector().map_err(error)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("doumi-postgres")
            .enable_all()
            .build()
            .map_err(|e| error(e.to_string()))?;
        let manager = Manager::from_config(config, tls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = {
            let _entered = runtime.enter();
            Pool::builder(manager).max_size(POOL_SIZE).build().map_err(|e| error(e.to_string()))?
        };
        Ok(PostgresStore { runtime: Arc::new(OwnRuntime(Some(runtime))), pool, at, migrated: Arc::new(AtomicBool::new(false)) })
    }

    fn error(&self, cause: impl std::fmt::Display) -> StoreError {
        StoreError::Postgres { at: self.at.clone(), cause: cause.to_string() }
    }

    /// Runs `work` with a pooled connection on the store's runtime and waits
    /// for it (from any thread, async ones included).
    fn run<T, F>(&self, work: impl FnOnce(deadpool_postgres::Object) -> F) -> Result<T, StoreError>
    where
        F: Future<Output = Result<T, tokio_postgres::Error>>,
    {
        if !self.migrated.load(Ordering::Acquire) {
            self.migrate()?;
        }
        self.call(work)
    }

    /// [`PostgresStore::run`] without the migrations.
    fn call<T, F>(&self, work: impl FnOnce(deadpool_postgres::Object) -> F) -> Result<T, StoreError>
    where
        F: Future<Output = Result<T, tokio_postgres::Error>>,
    {
        let runtime = self.runtime.0.as_ref().ok_or_else(|| self.error("the store is closed"))?;
        let call = || {
            runtime.block_on(async {
                let call = async {
                    let client = self.pool.get().await.map_err(|e| self.error(e))?;
                    work(client).await.map_err(|e| self.error(e))
                };
                // A database that hangs must not hold the log's writer for ever.
                tokio::time::timeout(CALL_TIMEOUT, call).await.unwrap_or_else(|_| Err(self.error("no answer within 10 s")))
            })
        };
        // Called from async code (the server opening its log), step off the
        // runtime's worker first: blocking it inside would be refused.
        match tokio::runtime::Handle::try_current() {
            Ok(_) => tokio::task::block_in_place(call),
            Err(_) => call(),
        }
    }

    fn migrate(&self) -> Result<(), StoreError> {
        self.call(|mut client| async move {
            let tx = client.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
            tx.batch_execute("SET LOCAL client_min_messages = warning").await?;
            tx.batch_execute("CREATE TABLE IF NOT EXISTS doumi_schema (version INTEGER NOT NULL)").await?;
            let version: i64 = tx.query_one("SELECT coalesce(max(version), 0)::BIGINT FROM doumi_schema", &[]).await?.get(0);
            for (i, migration) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
                tx.batch_execute(migration).await?;
                tx.execute("INSERT INTO doumi_schema (version) VALUES ($1)", &[&(i as i32 + 1)]).await?;
            }
            tx.commit().await
        })?;
        self.migrated.store(true, Ordering::Release);
        Ok(())
    }
}

impl LogStore for PostgresStore {
    fn write(&mut self, batch: &[Record]) -> Result<(), StoreError> {
        let mut searches = SearchColumns::default();
        let mut events = EventColumns::default();
        for record in batch {
            match record {
                Record::Search(s) => searches.push(s),
                Record::Event(e) => events.push(e),
            }
        }
        self.run(|mut client| async move {
            let tx = client.transaction().await?;
            if !searches.id.is_empty() {
                let statement = tx
                    .prepare_cached(
                        "INSERT INTO searches (id, at_ms, session, client, source, query, normalized, total, confidence, hits)
                         SELECT * FROM UNNEST($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int8[], $9::float4[], $10::text[])
                         ON CONFLICT (id) DO NOTHING",
                    )
                    .await?;
                tx.execute(&statement, &searches.params()).await?;
            }
            if !events.at_ms.is_empty() {
                let statement = tx
                    .prepare_cached(
                        "INSERT INTO events (query_id, at_ms, session, kind, article_id, rank, comment, uid)
                         SELECT q, a, s, k, ar, r, c, nullif(u, '') FROM UNNEST($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::int4[], $7::text[], $8::text[]) AS t(q, a, s, k, ar, r, c, u)
                         ON CONFLICT (uid) DO NOTHING",
                    )
                    .await?;
                tx.execute(&statement, &events.params()).await?;
            }
            tx.commit().await
        })
    }

    fn period(&self, from_ms: i64, to_ms: i64) -> Result<Period, StoreError> {
        let (searches, events) = self.run(|client| async move {
            let searches = client
                .query(
                    "SELECT id, at_ms, session, source, query, normalized, total, confidence, hits, client
                     FROM searches WHERE at_ms >= $1 AND at_ms < $2 ORDER BY at_ms, id",
                    &[&from_ms, &to_ms],
                )
                .await?;
            let events = client
                .query(
                    "SELECT e.query_id, e.at_ms, e.session, e.kind, e.article_id, e.rank, e.comment, coalesce(e.uid, '')
                     FROM events e LEFT JOIN searches s ON s.id = e.query_id
                     WHERE (s.at_ms >= $1 AND s.at_ms < $2) OR (s.id IS NULL AND e.at_ms >= $1 AND e.at_ms < $2)
                     ORDER BY e.at_ms, e.id",
                    &[&from_ms, &to_ms],
                )
                .await?;
            Ok((searches, events))
        })?;
        let searches = searches
            .iter()
            .map(|row| SearchRecord {
                id: row.get(0),
                at_ms: row.get(1),
                session: row.get(2),
                client: row.get(9),
                source: Source::from_stored(row.get::<_, &str>(3)),
                query: row.get(4),
                normalized: row.get(5),
                total: row.get::<_, i64>(6).max(0) as u64,
                confidence: row.get(7),
                hits: LoggedHit::from_stored(row.get(8)),
            })
            .collect();
        let events = events
            .iter()
            .map(|row| {
                let event = EventRecord {
                    id: row.get(7),
                    query_id: row.get(0),
                    at_ms: row.get(1),
                    session: row.get(2),
                    kind: EventKind::Click,
                    article_id: row.get(4),
                    rank: row.get::<_, Option<i32>>(5).map(|r| r.max(0) as u32),
                    comment: row.get(6),
                };
                (row.get::<_, String>(3), event)
            })
            .collect();
        Ok(Period::assemble(searches, events))
    }

    fn session_of(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.run(|client| async move {
            let row = client.query_opt("SELECT session FROM searches WHERE id = $1", &[&id]).await?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn purge(&self, before_ms: i64) -> Result<usize, StoreError> {
        self.run(|client| async move {
            let events = client.execute("DELETE FROM events WHERE at_ms < $1", &[&before_ms]).await?;
            let searches = client.execute("DELETE FROM searches WHERE at_ms < $1", &[&before_ms]).await?;
            Ok((events + searches) as usize)
        })
    }

    fn popular_articles(&self, from_ms: i64, n: usize) -> Result<Vec<(String, u64)>, StoreError> {
        let limit = n as i64;
        self.run(|client| async move {
            let rows = client
                .query(
                    "SELECT article_id, count(*) AS clicks FROM events
                     WHERE kind = 'click' AND article_id IS NOT NULL AND at_ms >= $1
                     GROUP BY article_id ORDER BY clicks DESC, article_id LIMIT $2",
                    &[&from_ms, &limit],
                )
                .await?;
            Ok(rows.iter().map(|r| (r.get(0), r.get::<_, i64>(1) as u64)).collect())
        })
    }

    fn counts(&self) -> Result<(u64, u64), StoreError> {
        self.run(|client| async move {
            let row = client.query_one("SELECT (SELECT count(*) FROM searches), (SELECT count(*) FROM events)", &[]).await?;
            Ok((row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64))
        })
    }

    fn open_admin_session(&self, session: &AdminSession, now_ms: i64, expiry: &AdminExpiry) -> Result<(), StoreError> {
        let (idle, max) = (now_ms - expiry.idle_ms, now_ms - expiry.max_ms);
        self.run(|client| async move {
            client.execute("DELETE FROM admin_sessions WHERE last_seen_ms < $1 OR created_ms < $2", &[&idle, &max]).await?;
            client
                .execute(
                    "INSERT INTO admin_sessions (id_hash, token_hash, created_ms, last_seen_ms) VALUES ($1, $2, $3, $3)",
                    &[&session.id_hash, &session.token_hash, &now_ms],
                )
                .await?;
            Ok(())
        })
    }

    fn use_admin_session(&self, session: &AdminSession, now_ms: i64, expiry: &AdminExpiry) -> Result<bool, StoreError> {
        let (idle, max) = (now_ms - expiry.idle_ms, now_ms - expiry.max_ms);
        self.run(|client| async move {
            let changed = client
                .execute(
                    "UPDATE admin_sessions SET last_seen_ms = $3
                     WHERE id_hash = $1 AND token_hash = $2 AND last_seen_ms >= $4 AND created_ms >= $5",
                    &[&session.id_hash, &session.token_hash, &now_ms, &idle, &max],
                )
                .await?;
            Ok(changed == 1)
        })
    }

    fn close_admin_session(&self, id_hash: &str) -> Result<(), StoreError> {
        self.run(|client| async move {
            client.execute("DELETE FROM admin_sessions WHERE id_hash = $1", &[&id_hash]).await?;
            Ok(())
        })
    }
}

/// A batch's searches, column by column, for one `UNNEST` insert.
#[derive(Default)]
struct SearchColumns {
    id: Vec<String>,
    at_ms: Vec<i64>,
    session: Vec<String>,
    client: Vec<String>,
    source: Vec<String>,
    query: Vec<String>,
    normalized: Vec<String>,
    total: Vec<i64>,
    confidence: Vec<f32>,
    hits: Vec<String>,
}

impl SearchColumns {
    fn push(&mut self, s: &SearchRecord) {
        self.id.push(s.id.clone());
        self.at_ms.push(s.at_ms);
        self.session.push(s.session.clone());
        self.client.push(s.client.clone());
        self.source.push(s.source.as_str().to_string());
        self.query.push(s.query.clone());
        self.normalized.push(s.normalized.clone());
        self.total.push(s.total as i64);
        self.confidence.push(s.confidence);
        self.hits.push(LoggedHit::as_stored(&s.hits));
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 10] {
        [
            &self.id,
            &self.at_ms,
            &self.session,
            &self.client,
            &self.source,
            &self.query,
            &self.normalized,
            &self.total,
            &self.confidence,
            &self.hits,
        ]
    }
}

/// A batch's events, column by column.
#[derive(Default)]
struct EventColumns {
    query_id: Vec<Option<String>>,
    at_ms: Vec<i64>,
    session: Vec<String>,
    kind: Vec<String>,
    article_id: Vec<Option<String>>,
    rank: Vec<Option<i32>>,
    comment: Vec<Option<String>>,
    uid: Vec<String>,
}

impl EventColumns {
    fn push(&mut self, e: &EventRecord) {
        self.query_id.push(e.query_id.clone());
        self.at_ms.push(e.at_ms);
        self.session.push(e.session.clone());
        self.kind.push(e.kind.as_str().to_string());
        self.article_id.push(e.article_id.clone());
        self.rank.push(e.rank.map(|r| r.min(i32::MAX as u32) as i32));
        self.comment.push(e.comment.clone());
        self.uid.push(e.id.clone());
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 8] {
        [&self.query_id, &self.at_ms, &self.session, &self.kind, &self.article_id, &self.rank, &self.comment, &self.uid]
    }
}

/// How the connection to PostgreSQL is secured: the URL's `sslmode` and
/// `sslrootcert`, taken out of it and meaning what they mean to libpq.
///
/// - `disable`: no TLS.
/// - `allow`, `prefer` (the default): TLS when the server offers it,
///   without checking its certificate (encryption against eavesdroppers,
///   not against someone in the middle).
/// - `require`: TLS or no connection; the certificate is checked against
///   `sslrootcert` when the URL names one (as libpq does), else not.
/// - `verify-ca`: TLS, and the certificate must chain to `sslrootcert`, or
///   to the system's roots when there is none.
/// - `verify-full`: as `verify-ca`, and the certificate must name the host.
struct Security {
    mode: SslMode,
    check: Check,
}

enum Check {
    Nothing,
    Chain { roots: rustls::RootCertStore, host: bool },
}

impl Security {
    /// The URL without `sslmode` and `sslrootcert`, and what they say.
    fn of_url(url: &str) -> Result<(String, Security), String> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let (mut mode, mut root) = ("prefer".to_string(), None);
        let mut rest = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("sslmode", value)) => mode = value.to_string(),
                Some(("sslrootcert", value)) => root = Some(percent_decoded(value)),
                _ => rest.push(pair),
            }
        }
        let url = if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) };
        let roots = |root: &Option<String>| -> Result<rustls::RootCertStore, String> {
            let mut store = rustls::RootCertStore::empty();
            match root {
                Some(path) => {
                    use rustls::pki_types::pem::PemObject;
                    let certs = rustls::pki_types::CertificateDer::pem_file_iter(path).map_err(|e| format!("sslrootcert {path}: {e}"))?;
                    for cert in certs {
                        store.add(cert.map_err(|e| format!("sslrootcert {path}: {e}"))?).map_err(|e| format!("sslrootcert {path}: {e}"))?;
                    }
                }
                None => {
                    for cert in rustls_native_certs::load_native_certs().certs {
                        // A system certificate rustls cannot use is skipped.
                        let _ = store.add(cert);
                    }
                }
            }
            Ok(store)
        };
        let security = match mode.as_str() {
            "disable" => Security { mode: SslMode::Disable, check: Check::Nothing },
            "allow" | "prefer" => Security { mode: SslMode::Prefer, check: Check::Nothing },
            "require" if root.is_none() => Security { mode: SslMode::Require, check: Check::Nothing },
            "require" | "verify-ca" => Security { mode: SslMode::Require, check: Check::Chain { roots: roots(&root)?, host: false } },
            "verify-full" => Security { mode: SslMode::Require, check: Check::Chain { roots: roots(&root)?, host: true } },
            other => return Err(format!("sslmode must be disable, allow, prefer, require, verify-ca or verify-full; got `{other}`")),
        };
        Ok((url, security))
    }

    fn connector(self) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone()).with_safe_default_protocol_versions().map_err(|e| e.to_string())?;
        let chain = match self.check {
            Check::Nothing => None,
            Check::Chain { roots, host } => {
                let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().map_err(|e| e.to_string())?;
                Some((webpki, host))
            }
        };
        let config = builder.dangerous().with_custom_certificate_verifier(Arc::new(Verifier { provider, chain })).with_no_client_auth();
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }
}

/// `%2F` and the like in a URL parameter (a path given as `sslrootcert`).
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Checks the server's certificate as [`Check`] says. Without a chain to
/// check (`prefer`, `require` without a root: libpq's behaviour), any
/// certificate is taken; the handshake's signatures are checked always, so
/// the session is with whoever holds the certificate's key.
#[derive(Debug)]
struct Verifier {
    provider: Arc<rustls::crypto::CryptoProvider>,
    /// The chain to check, and whether the certificate must name the host.
    chain: Option<(Arc<rustls::client::WebPkiServerVerifier>, bool)>,
}

impl rustls::client::danger::ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        intermediates: &[rustls::pki_types::CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        use rustls::{CertificateError, Error};
        let Some((webpki, host)) = &self.chain else { return Ok(rustls::client::danger::ServerCertVerified::assertion()) };
        match webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            // verify-ca: the chain alone.
            Err(Error::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. })) if !host => {
                Ok(rustls::client::danger::ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_told_from_a_file_and_shown_without_its_password() {
        assert!(is_url("postgres://doumi@db/doumi") && is_url("postgresql://db/doumi"));
        assert!(!is_url("index/queries.sqlite3") && !is_url("/var/lib/doumi/postgres/queries.sqlite3"));
        assert_eq!(redacted("postgres://doumi:s3cret@db.internal:5432/doumi?sslmode=disable"), "postgres://doumi@db.internal:5432/doumi?sslmode=disable");
        assert_eq!(redacted("postgres://db/doumi"), "postgres://db/doumi");
    }

    #[test]
    fn sslmode_and_sslrootcert_are_taken_out_of_the_url() {
        let (rest, security) = Security::of_url("postgres://doumi@db/doumi?application_name=doumi&sslmode=require").unwrap();
        assert_eq!(rest, "postgres://doumi@db/doumi?application_name=doumi");
        assert!(matches!((security.mode, security.check), (SslMode::Require, Check::Nothing)));
        let (rest, security) = Security::of_url("postgres://doumi@db/doumi").unwrap();
        assert_eq!(rest, "postgres://doumi@db/doumi");
        assert!(matches!(security.mode, SslMode::Prefer), "libpq's default");
        assert!(matches!(Security::of_url("postgres://db/d?sslmode=disable").unwrap().1.mode, SslMode::Disable));
        let missing = Security::of_url("postgres://db/d?sslmode=verify-full&sslrootcert=%2Fnowhere%2Froot.crt").err().unwrap();
        assert!(missing.contains("sslrootcert /nowhere/root.crt"), "{missing}");
        let bad = Security::of_url("postgres://db/d?sslmode=sometimes").err().unwrap();
        assert!(bad.contains("`sometimes`"), "{bad}");
    }
}
