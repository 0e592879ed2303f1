//! The anonymous session a request belongs to: the id the widget sends in
//! `X-Doumi-Session`, or one derived from the client when it sends none (or
//! has sent more than a customer would in a day).

use axum::extract::FromRequestParts;
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;

use super::SESSION_HEADER;
use super::client::Client;
use super::error::ApiError;
use super::state::AppState;
use crate::analytics::record::{Who, derived_client, derived_session, is_valid_session, now_ms};

/// The session a request belongs to, and the client it came from (keyed
/// with the secret of the day, like derived sessions).
pub struct Session(pub Who);

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

    /// The id the client sent, while its address stays within
    /// `sessions_per_client` a day; else the one derived from the client.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Session, ApiError> {
        let client = Client::of(&parts.extensions, &parts.headers, state).key();
        let at = now_ms();
        let key = state.session_key.of_day(at);
        let address = client.to_string();
        let who = |session: String| Session(Who { session, client: derived_client(&address, &key) });
        if let Some(value) = parts.headers.get(SESSION_HEADER) {
            let Some(id) = value.to_str().ok().filter(|id| is_valid_session(id)) else {
                return Err(ApiError::bad_parameter(format!(
                    "the {SESSION_HEADER} header must be 8–64 letters, digits, `-` or `_` (a UUID will do)"
                )));
            };
            if state.limits.session(client, id, at) {
                return Ok(who(id.to_string()));
            }
            // One more customer at most for everything past the budget.
            state.metrics.sessions_past_budget.inc();
            return Ok(who(derived_session(&address, "sessions past the budget", &key)));
        }
        let agent = parts.headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
        Ok(who(derived_session(&address, agent, &key)))
    }
}

/// The session of the search `query_id`, if it was logged: what a click or a
/// vote made from that search's results belongs to. The log is read off the
/// async runtime.
pub async fn session_of_search(log: &std::sync::Arc<crate::analytics::QueryLog>, query_id: &str) -> Result<Option<String>, ApiError> {
    let (lookup, id) = (log.clone(), query_id.to_string());
    tokio::task::spawn_blocking(move || lookup.session_of(&id)).await.map_err(ApiError::internal)?.map_err(ApiError::internal)
}

/// `response` with the cookie `name=value; attributes` set, and `Secure`
/// when `secure`.
pub fn with_cookie(mut response: axum::response::Response, name: &str, value: &str, attributes: &str, secure: bool) -> axum::response::Response {
    let cookie = format!("{name}={value}; {attributes}{}", if secure { "; Secure" } else { "" });
    if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
        response.headers_mut().append(axum::http::header::SET_COOKIE, value);
    }
    response
}

/// Whether cookies go out `Secure`: always with `secure_cookies`, else when
/// a trusted proxy says the client came over HTTPS.
pub fn secure_cookie(state: &AppState, client: &Client) -> bool {
    state.config.secure_cookies || client.https
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}
