//! The HTTP service: routes, middleware, and `doumi serve`.

mod admin;
mod api;
mod chart;
mod client;
mod connections;
mod embedder;
mod error;
mod events;
mod limits;
mod metrics;
mod middleware;
mod openapi;
mod ops;
mod pages;
mod reload;
mod session;
mod sign_in;
mod state;

pub use client::TrustedProxies;
pub use error::{ApiError, ErrorBody};
pub use openapi::ApiDoc;
pub use reload::Reloader;
pub use state::{AppState, Snapshot};

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;

/// The header the widget sends its anonymous session id in.
pub const SESSION_HEADER: &str = "x-doumi-session";
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";

/// Every route, with the middleware around them.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/search", get(api::search))
        .route("/api/suggest", get(api::suggest))
        .route("/api/articles/{id}", get(api::article))
        .route("/api/events", post(events::record))
        .route("/api/admin/report", get(admin::report))
        .route("/api/openapi.json", get(openapi::document))
        .route("/", get(pages::home))
        .route("/articles/{id}", get(pages::article))
        .route("/articles/{id}/feedback", post(pages::vote))
        .route("/admin/report", get(pages::report_page))
        .route("/admin/report.csv", get(pages::report_csv))
        .route("/admin/login", post(sign_in::login))
        .route("/admin/logout", post(sign_in::logout))
        .route_layer(from_fn_with_state(state.clone(), middleware::rate_limit));
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    // With an ops address, the details and the metrics are served there only.
    let ops = match state.config.ops_addr {
        Some(_) => Router::new().route("/healthz", get(ops::status)),
        None => ops_router(),
    };
    Router::new()
        .merge(api)
        .merge(ops)
        .route("/widget.js", get(pages::widget))
        .route("/assets/site.css", get(pages::site_css))
        .fallback(|| async { ApiError::not_found("no such path; the pages are / and /articles/{id}, the API is under /api (see /api/openapi.json)") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this method is not allowed on this path")
        })
        // One layer of them all, outermost first: every layer that the
        // router applies by itself boxes each route again, and a request
        // then clones each box, from every middleware that passes it on.
        .layer(
            ServiceBuilder::new()
                .layer(from_fn(middleware::security_headers))
                .layer(from_fn(middleware::plain_request_id))
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                    let id = request.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), uri = %request.uri().path(), request_id = %id)
                }))
                .layer(from_fn_with_state(state.clone(), middleware::track))
                .layer(cors(&state.config))
                .layer(from_fn(middleware::json_errors))
                .layer(CatchPanicLayer::custom(middleware::panic_response))
                .layer(from_fn(middleware::uri_length))
                .layer(compression())
                .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_millis(state.config.request_timeout_ms)))
                .layer(DefaultBodyLimit::max(state.config.max_body_bytes)),
        )
        .with_state(state)
}

/// Responses smaller than this are sent as they are: they fit a packet or
/// two, and compressing them costs more than the bytes it saves.
const COMPRESS_ABOVE_BYTES: u16 = 1024;

/// gzip at its fastest level, above [`COMPRESS_ABOVE_BYTES`]. Browsers ask
/// for gzip with every request, and at the default level compressing a 5 KB
/// search answer cost a quarter of the uncached search throughput; the
/// fastest level costs a fraction of that for a slightly larger body
/// (BENCHMARKS.md, "Uncached search").
fn compression() -> CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
    CompressionLayer::new()
        .quality(tower_http::CompressionLevel::Fastest)
        .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE_BYTES)))
}

/// `/healthz` in detail and `/metrics`: on the main address, or alone on
/// `ops_addr`.
fn ops_router() -> Router<AppState> {
    Router::new().route("/healthz", get(ops::healthz)).route("/metrics", get(ops::metrics))
}

fn cors(config: &Config) -> CorsLayer {
    let origins = if config.cors_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(config.cors_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, HeaderName::from_static(SESSION_HEADER)])
        .max_age(Duration::from_secs(3600))
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {cause}")]
    Bind { addr: SocketAddr, cause: std::io::Error },
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// `doumi serve`: listens on `config.addr`, loads the index in the background
/// (503 until ready), watches the content, and stops gracefully on SIGINT or
/// SIGTERM: no new connections, in-flight requests finish, the indexer stops
/// after the change it is applying.
pub async fn serve(config: Config) -> Result<(), ServeError> {
    let addr = config.addr;
    let listener = TcpListener::bind(addr).await.map_err(|cause| ServeError::Bind { addr, cause })?;
    serve_on(listener, config, shutdown_signal()).await
}

/// [`serve`] on a listener already bound, until `shutdown` completes.
pub async fn serve_on(listener: TcpListener, config: Config, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), ServeError> {
    let local = listener.local_addr()?;
    let content = config.content.clone();
    let limits = connections::Limits::of(&config);
    let ops_listener = match config.ops_addr {
        Some(addr) => Some(TcpListener::bind(addr).await.map_err(|cause| ServeError::Bind { addr, cause })?),
        None => None,
    };
    let state = AppState::new(config);
    let reloader = Reloader::start(state.clone());
    let closing = state.clone();
    tracing::info!(addr = %local, content = %content.display(), "doumi listening");
    let ops_local = ops_listener.as_ref().and_then(|l| l.local_addr().ok());
    // Tests and scripts read the addresses from this line (the port may be 0).
    match ops_local {
        Some(ops) => println!("doumi listening on http://{local} · ops on http://{ops}"),
        None => println!("doumi listening on http://{local}"),
    }
    let pruning = tokio::spawn(prune_limits(state.clone()));
    // One shutdown for both addresses.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|s| *s).await;
    };
    let ops = ops_listener.map(|ops_listener| {
        tracing::info!(addr = ?ops_local, "doumi ops (/healthz, /metrics) listening");
        let app = ops_router().with_state(state.clone());
        tokio::spawn(axum::serve(ops_listener, app).with_graceful_shutdown(until_stopped(stopped.clone())).into_future())
    });
    connections::serve(listener, router(state.clone()), limits, state.trusted_proxies.clone(), until_stopped(stopped)).await;
    pruning.abort();
    if let Some(ops) = ops {
        // The ops address is bounded by the same deadline: a client left
        // connected there must not hold the process open.
        if tokio::time::timeout(limits.shutdown_timeout, ops).await.is_err() {
            tracing::warn!("ops connections still open at the shutdown deadline are dropped");
        }
    }
    tokio::task::spawn_blocking(move || {
        reloader.stop();
        // Every search and event accepted before the stop reaches the disk.
        closing.close_query_log();
    })
    .await
    .ok();
    tracing::info!("doumi stopped");
    Ok(())
}

/// Drops what the limits remember of idle clients, once a minute.
async fn prune_limits(state: AppState) {
    let mut every = tokio::time::interval(limits::PRUNE_EVERY);
    loop {
        every.tick().await;
        state.limits.prune(crate::analytics::record::now_ms());
        state.metrics.limited_clients.set(state.limits.tracked_clients() as i64);
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
