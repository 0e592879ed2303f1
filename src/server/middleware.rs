//! Middleware of our own: the per-IP rate limit, request metrics, an upper
//! bound on URL length, and JSON bodies for errors other layers produce.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::client::Client;
use super::error::ApiError;
use super::metrics::{RequestLabels, RouteLabels};
use super::state::AppState;

/// Longest URL accepted; a search query is at most 500 characters, which
/// percent-encoded Hangul makes about 4.5 KB.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// What the help center's own pages may load and who may frame them: its
/// scripts and styles only (inline styles are used by the pages and the
/// widget's shadow root), images from anywhere over HTTPS, never framed.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers every answer carries (no MIME sniffing, no full URLs leaked to
/// other sites), and pages the content policy and a frame ban. The widget's
/// script and the API carry no frame or content policy: they are used from
/// the shop's own pages.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    let page = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    if page {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_POLICY));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// Drops a client's `x-request-id` unless it looks like an id (8–64 letters,
/// digits, `-` or `_`): one is then generated, so a forged id cannot write
/// `key=value` pairs, quotes or line breaks into the server's log.
pub async fn plain_request_id(mut request: Request, next: Next) -> Response {
    let forged = request.headers().get(super::REQUEST_ID_HEADER).is_some_and(|v| !is_plain_id(v.as_bytes()));
    if forged {
        request.headers_mut().remove(super::REQUEST_ID_HEADER);
    }
    next.run(request).await
}

fn is_plain_id(id: &[u8]) -> bool {
    (8..=64).contains(&id.len()) && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// Refuses a client over `rate_limit_per_minute` with 429 and `Retry-After`.
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if state.limits.limits_requests()
        && let Err(seconds) = state.limits.request(Client::of(request.extensions(), request.headers(), &state).key())
    {
        return too_many(seconds, "too many requests from this address");
    }
    next.run(request).await
}

/// 429 with `Retry-After`, saying what was too many.
pub fn too_many(seconds: u64, what: &str) -> Response {
    let mut response =
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", format!("{what}; retry in {seconds} s")).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// Counts every request by route, method and status, and times it by route.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = request.method().to_string();
    let response = next.run(request).await;
    state.metrics.requests.get_or_create(&RequestLabels { route: route.clone(), method, status: response.status().as_u16() }).inc();
    state.metrics.latency.get_or_create(&RouteLabels { route }).observe(started.elapsed().as_secs_f64());
    response
}

/// 414 for a URL longer than [`MAX_URI_BYTES`].
pub async fn uri_length(request: Request, next: Next) -> Response {
    let length = request.uri().to_string().len();
    if length > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the URL is {length} bytes; the limit is {MAX_URI_BYTES} (a query may have at most 500 characters)"),
        )
        .into_response();
    }
    next.run(request).await
}

/// Gives a JSON error body to error responses made by layers that know only
/// plain text (body limit, timeout, method not allowed …).
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    // JSON errors are ours; HTML errors are pages made for people.
    let ours = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || ours {
        return response;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("body_too_large", "the request body is too large".to_string()),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long; retry".to_string()),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this method is not allowed on this path".to_string()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "send the body as application/json".to_string()),
        StatusCode::NOT_FOUND => ("not_found", "no such path".to_string()),
        s if s.is_server_error() => ("internal", "something went wrong on our side; it has been logged".to_string()),
        s => ("bad_request", s.canonical_reason().unwrap_or("bad request").to_lowercase()),
    };
    let mut json = ApiError::new(status, code, message).into_response();
    // Keep headers such as Allow and Retry-After.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            json.headers_mut().insert(name.clone(), value.clone());
        }
    }
    json
}

/// The answer to a panic inside a handler: logged, then a JSON 500.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown");
    ApiError::internal(format!("panic: {detail}")).into_response()
}
