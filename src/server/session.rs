//! The anonymous session a request belongs to: the id the widget sends in
//! `X-Doumi-Session`, or one derived from the client when it sends none.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;

use super::SESSION_HEADER;
use super::error::ApiError;
use super::state::AppState;
use crate::analytics::record::{derived_session, is_valid_session, now_ms};

pub struct Session(pub String);

/// Whether a search request is a customer searching, worth a line in the
/// query log: not a `HEAD` (no one reads its answer), and not a page of
/// another site loading the URL as an image, a script or a style, which
/// browsers say in `Sec-Fetch-Dest` (an `<img src="…/?q=…">` would otherwise
/// log searches on anyone's behalf).
pub struct Loggable(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for Loggable {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Loggable, Self::Rejection> {
        let embedded = parts.headers.get("sec-fetch-dest").is_some_and(|d| matches!(d.as_bytes(), b"image" | b"script" | b"style" | b"font" | b"audio" | b"video" | b"object" | b"embed"));
        Ok(Loggable(parts.method != axum::http::Method::HEAD && !embedded))
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Session, ApiError> {
        if let Some(value) = parts.headers.get(SESSION_HEADER) {
            return match value.to_str() {
                Ok(id) if is_valid_session(id) => Ok(Session(id.to_string())),
                _ => Err(ApiError::bad_parameter(format!(
                    "the {SESSION_HEADER} header must be 8–64 letters, digits, `-` or `_` (a UUID will do)"
                ))),
            };
        }
        let client = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or_else(String::new, |c| c.0.ip().to_string());
        let agent = parts.headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
        Ok(Session(derived_session(&client, agent, &state.session_key.of_day(now_ms()))))
    }
}

/// The session of the search `query_id`, if it was logged: what a click or a
/// vote made from that search's results belongs to. The log is read off the
/// async runtime.
pub async fn session_of_search(log: &std::sync::Arc<crate::analytics::QueryLog>, query_id: &str) -> Result<Option<String>, ApiError> {
    let (lookup, id) = (log.clone(), query_id.to_string());
    tokio::task::spawn_blocking(move || lookup.session_of(&id)).await.map_err(ApiError::internal)?.map_err(ApiError::internal)
}
