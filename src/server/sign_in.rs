//! Signing in to the report page: the admin token buys a random session,
//! kept server-side in the query log's database (only hashes: the cookie's id
//! and the token's), which ends after `admin_session_idle_hours` unused,
//! `admin_session_max_hours` after sign-in, at `POST /admin/logout`, or when
//! the admin token changes. Attempts are limited to `sign_in_per_minute`.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::admin::same_token;
use super::client::Client;
use super::pages::signin_page;
use super::session::{cookie, secure_cookie, with_cookie};
use super::state::AppState;
use crate::analytics::record::{now_ms, random_hex};
use crate::analytics::{AdminExpiry, AdminSession};
use crate::config::Config;

/// The cookie holding the session's random id.
const ADMIN_COOKIE: &str = "doumi_admin";

fn expiry(config: &Config) -> AdminExpiry {
    let hour = 3_600_000;
    AdminExpiry { idle_ms: i64::from(config.admin_session_idle_hours) * hour, max_ms: i64::from(config.admin_session_max_hours) * hour }
}

/// The stored form of a session id and the token it was opened with.
fn stored(id: &str, token: &str) -> AdminSession {
    AdminSession { id_hash: id_hash(id), token_hash: blake3::Hash::from_bytes(blake3::derive_key("doumi admin token v2", token.as_bytes())).to_hex().to_string() }
}

/// How a session's id is stored: hashed, so the table signs nobody in.
fn id_hash(id: &str) -> String {
    blake3::hash(id.as_bytes()).to_hex().to_string()
}

/// Whether the request carries the cookie of an open admin session (which
/// is then marked used).
pub async fn signed_in(state: &AppState, headers: &HeaderMap) -> bool {
    let (Some(token), Some(log)) = (state.config.admin_token.clone(), state.query_log.clone()) else { return false };
    let Some(id) = cookie(headers, ADMIN_COOKIE).filter(|id| id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())) else {
        return false;
    };
    let (session, expiry) = (stored(id, &token), expiry(&state.config));
    let used = tokio::task::spawn_blocking(move || log.use_admin_session(&session, now_ms(), &expiry)).await;
    match used {
        Ok(Ok(open)) => open,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot read the admin sessions");
            false
        }
        Err(_) => false,
    }
}

#[derive(Debug, Deserialize)]
pub struct SignIn {
    token: String,
}

/// `POST /admin/login`: checks the token and opens a session.
pub async fn login(State(state): State<AppState>, client: Client, Form(form): Form<SignIn>) -> Response {
    if let Err(seconds) = state.limits.sign_in(client.key())
    {
        let mut response = signin_page(&state, StatusCode::TOO_MANY_REQUESTS, Some(&format!("로그인 시도가 너무 많습니다. {seconds}초 뒤에 다시 시도하세요.")));
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return response;
    }
    let Some(token) = state.config.admin_token.clone() else { return signin_page(&state, StatusCode::FORBIDDEN, None) };
    if !same_token(form.token.trim(), &token) {
        return signin_page(&state, StatusCode::FORBIDDEN, Some("토큰이 맞지 않습니다."));
    }
    let Some(log) = state.query_log.clone() else {
        return signin_page(&state, StatusCode::SERVICE_UNAVAILABLE, Some("검색 기록 데이터베이스를 열 수 없어 로그인할 수 없습니다. /healthz를 확인하세요."));
    };
    let id = random_hex(32);
    let (session, expiry) = (stored(&id, &token), expiry(&state.config));
    let opened = tokio::task::spawn_blocking(move || log.open_admin_session(&session, now_ms(), &expiry)).await;
    if !matches!(opened, Ok(Ok(()))) {
        tracing::error!(?opened, "cannot open an admin session");
        return signin_page(&state, StatusCode::SERVICE_UNAVAILABLE, Some("로그인 세션을 저장하지 못했습니다. 잠시 후 다시 시도하세요."));
    }
    let max_age = u64::from(state.config.admin_session_max_hours) * 3600;
    let attributes = format!("HttpOnly; SameSite=Strict; Path=/admin; Max-Age={max_age}");
    with_cookie(Redirect::to("/admin/report").into_response(), ADMIN_COOKIE, &id, &attributes, secure_cookie(&state, &client))
}

/// `POST /admin/logout`: ends the session and clears its cookie.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let (Some(id), Some(log)) = (cookie(&headers, ADMIN_COOKIE), state.query_log.clone()) {
        let id_hash = id_hash(id);
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || log.close_admin_session(&id_hash)).await {
            tracing::error!(error = %e, "cannot end an admin session");
        }
    }
    with_cookie(Redirect::to("/admin/report").into_response(), ADMIN_COOKIE, "", "HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0", false)
}
