//! `GET /api/admin/report`: the gap report for support leads, behind the
//! bearer token configured as `admin_token`.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::api::{Params, truncate};
use super::client::Client;
use super::middleware::too_many;
use super::error::ApiError;
use super::state::AppState;
use crate::analytics::record::now_ms;
use crate::analytics::report::{self, ReportOptions, Since};

/// Proof that the request carries the admin token.
pub struct Admin;

/// Compares hashes of equal length, in constant time, so neither the
/// token's bytes nor its length leak through timing.
pub(super) fn same_token(given: &str, expected: &str) -> bool {
    let (a, b) = (blake3::hash(given.as_bytes()), blake3::hash(expected.as_bytes()));
    constant_time_eq::constant_time_eq_32(a.as_bytes(), b.as_bytes())
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Admin, Response> {
        let given = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        let Some(given) = given.map(str::trim).filter(|g| !g.is_empty()) else {
            let mut response = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send the admin token as `Authorization: Bearer <admin_token>`",
            )
            .into_response();
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return Err(response);
        };
        // Every try of a token counts against the sign-in limit, so the
        // token cannot be guessed faster than sign_in_per_minute.
        if let Err(seconds) = state.limits.sign_in(Client::of(&parts.extensions, &parts.headers, state).key())
        {
            return Err(too_many(seconds, "too many admin token attempts from this address"));
        }
        match &state.config.admin_token {
            None => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "admin_disabled",
                "no admin token is configured on this server: set `admin_token` (or DOUMI_ADMIN_TOKEN) to turn the report on",
            )
            .into_response()),
            Some(expected) if same_token(given, expected) => Ok(Admin),
            Some(_) => Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "this token is not the admin token").into_response()),
        }
    }
}

/// The formats the report is served in.
const FORMATS: &str = "json, md, csv (the gaps) or daily-csv (the KPIs per day)";

/// The gap report: KPIs, their daily series, and the unanswered-query clusters.
#[utoipa::path(
    get,
    path = "/api/admin/report",
    params(
        ("since" = Option<String>, Query, description = "Period: 30d (default), 12h, 2w, or a date such as 2026-11-01."),
        ("format" = Option<String>, Query, description = "json (default), md, csv (gaps) or daily-csv."),
        ("recheck" = Option<bool>, Query, description = "Replay each gap against today's index."),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The report", body = crate::analytics::Report),
        (status = 400, description = "Bad parameter", body = super::error::ErrorBody),
        (status = 401, description = "No bearer token", body = super::error::ErrorBody),
        (status = 403, description = "Wrong token, or no admin token configured", body = super::error::ErrorBody),
        (status = 503, description = "The query log is off, or the index is loading", body = super::error::ErrorBody),
    )
)]
pub async fn report(State(state): State<AppState>, _admin: Admin, params: Params) -> Result<Response, ApiError> {
    let since: Since = match params.text("since").filter(|s| !s.is_empty()) {
        None => Since::Last { ms: 30 * 86_400_000 },
        Some(text) => text.parse().map_err(|_| {
            ApiError::bad_parameter(format!("`since` must be a period such as 30d, 12h or 2w, or a date such as 2026-11-01; got `{}`", truncate(text)))
        })?,
    };
    let format = params.text("format").filter(|f| !f.is_empty()).unwrap_or("json").to_string();
    if !["json", "md", "csv", "daily-csv"].contains(&format.as_str()) {
        return Err(ApiError::bad_parameter(format!("`format` must be {FORMATS}; got `{}`", truncate(&format))));
    }
    let recheck = matches!(params.text("recheck"), Some("true" | "1"));
    let built = build_report(&state, since, recheck).await?;
    let (body, content_type) = match format.as_str() {
        "md" => (built.to_markdown(), "text/markdown; charset=utf-8"),
        "csv" => (built.gaps_csv(), "text/csv; charset=utf-8"),
        "daily-csv" => (built.daily_csv(), "text/csv; charset=utf-8"),
        _ => (built.to_json(), "application/json"),
    };
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Builds the report of the live query log, including what is still on its
/// way to the disk, off the async runtime.
pub(super) async fn build_report(state: &AppState, since: Since, recheck: bool) -> Result<crate::analytics::Report, ApiError> {
    let log = state.query_log.clone().ok_or_else(|| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "query_log_unavailable", "the query log is off on this server; see /healthz")
    })?;
    let snapshot = state.current().ok_or_else(ApiError::not_ready)?;
    tokio::task::spawn_blocking(move || {
        log.flush();
        let store = log.target().open_existing()?;
        report::build(store.as_ref(), &snapshot.engine, ReportOptions { since, now_ms: now_ms(), recheck })
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}
