//! Operations: `/healthz` and `/metrics`.

use std::time::UNIX_EPOCH;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use super::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`; `degraded` when some file is broken (its last good version is
    /// served) or the last reload failed; `starting` while the index loads.
    pub status: String,
    pub entries: u64,
    /// The content served, as 16 hex digits: replicas serving the same
    /// content tree agree, one that is behind or ahead differs. Empty while
    /// starting.
    pub content: String,
    /// Bumped by every applied change.
    pub generation: u64,
    pub uptime_seconds: u64,
    pub last_reload: Option<LastReload>,
    /// Content errors now, each naming its file and line.
    pub errors: Vec<ProblemBody>,
    /// `ok`, or why searches are not being logged.
    pub query_log: String,
    /// The ranking by meaning: whether it runs, and for how many entries.
    pub semantic: super::embedder::SemanticStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LastReload {
    /// Seconds since the Unix epoch.
    pub at: u64,
    pub took_ms: u64,
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemBody {
    pub path: String,
    pub line: usize,
    pub message: String,
}

/// Whether doumi is serving, and what is wrong with the content if anything.
#[utoipa::path(get, path = "/healthz", responses(
    (status = 200, description = "Serving", body = Health),
    (status = 503, description = "Starting: the index is loading", body = Health),
))]
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    health(&state)
}

/// The public `/healthz` when `ops_addr` serves the detailed one: the status
/// and the content fingerprint, with the same HTTP status, for load balancers.
pub async fn status(State(state): State<AppState>) -> impl IntoResponse {
    let (code, Json(health)) = health(&state);
    (code, Json(serde_json::json!({ "status": health.status, "content": health.content })))
}

fn health(state: &AppState) -> (StatusCode, Json<Health>) {
    let reload = state.reload.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let last_reload = reload.at.map(|at| LastReload {
        at: at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        took_ms: reload.took_ms,
        error: reload.error.clone(),
    });
    let uptime_seconds = state.started.elapsed().as_secs();
    let trouble = state.query_log.as_ref().and_then(|log| log.trouble());
    let query_log = state.query_log_error.clone().or_else(|| trouble.clone()).unwrap_or_else(|| "ok".into());
    let semantic = state.semantic.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let Some(snapshot) = state.current() else {
        let health = Health { status: "starting".into(), entries: 0, content: String::new(), generation: 0, uptime_seconds, last_reload, errors: Vec::new(), query_log, semantic };
        return (StatusCode::SERVICE_UNAVAILABLE, Json(health));
    };
    let errors: Vec<ProblemBody> = snapshot
        .problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| ProblemBody { path: p.path.display().to_string(), line: p.line, message: p.message.clone() })
        .collect();
    // A help center asked to rank by meaning that cannot is degraded: it
    // answers, by words only, and says why.
    let degraded = !errors.is_empty() || reload.error.is_some() || query_log != "ok" || semantic.status == "unavailable";
    let health = Health {
        status: if degraded { "degraded" } else { "ok" }.into(),
        entries: snapshot.entries,
        content: snapshot.content.clone(),
        generation: snapshot.generation,
        uptime_seconds,
        last_reload,
        errors,
        query_log,
        semantic,
    };
    (StatusCode::OK, Json(health))
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render())
}
