//! `POST /api/events`: what a customer did after a search — opened a hit,
//! voted on an article, or went on to contact support.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api::truncate;
use super::error::ApiError;
use super::session::{Session, session_of_search};
use super::state::AppState;
use crate::analytics::record::now_ms;
use crate::analytics::{EventKind, EventRecord};

/// Longest comment kept with a 아니오 vote.
pub const MAX_COMMENT_CHARS: usize = 1000;
const MAX_RANK: u32 = 1000;

/// A JSON body whose every rejection is answered in our error shape: 400
/// for JSON that does not parse, 413 too large, 415 not JSON, 422 for
/// fields of the wrong shape.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => {
                let (status, code) = match &rejection {
                    JsonRejection::JsonDataError(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
                    JsonRejection::JsonSyntaxError(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
                    JsonRejection::MissingJsonContentType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
                    _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
                    _ => (rejection.status(), "bad_body"),
                };
                let message = match code {
                    "unsupported_media_type" => "send the event as JSON with `Content-Type: application/json`".to_string(),
                    "body_too_large" => "the request body is too large".to_string(),
                    _ => rejection.body_text(),
                };
                Err(ApiError::new(status, code, message))
            }
        }
    }
}

/// An event as clients send it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    /// An id the client chose for this event (a UUID): an event sent again
    /// with the same id (a retry) is stored once. Made up by the server
    /// when absent.
    pub id: Option<String>,
    /// The `query_id` of the search this followed. Required but for votes
    /// on an article reached without a search.
    pub query_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// The article clicked or voted on; required for clicks.
    pub article_id: Option<String>,
    /// 1-based position of the clicked hit.
    pub rank: Option<u32>,
    /// Why an answer did not help (with `not_helpful`), up to 1000
    /// characters; personal data in it is masked before it is stored.
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventAccepted {
    /// False only when the log was overloaded and dropped the record
    /// (counted in `doumi_query_log_dropped_total`).
    pub recorded: bool,
}

/// How long after a search its id is accepted though not yet in a shared log.
const IN_FLIGHT_MS: i64 = 60_000;

/// Whether `query_id` is a UUIDv7 minted within the last [`IN_FLIGHT_MS`]
/// (and not in the future, beyond clock skew of the same size).
fn minted_lately(query_id: &str, now_ms: i64) -> bool {
    let Ok(id) = uuid::Uuid::parse_str(query_id) else { return false };
    let Some((seconds, nanos)) = id.get_timestamp().map(|t| t.to_unix()) else { return false };
    let minted = seconds as i64 * 1000 + i64::from(nanos / 1_000_000);
    (now_ms - minted).abs() <= IN_FLIGHT_MS
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_event", message)
}

/// Records a click, a vote or an escalation.
#[utoipa::path(
    post,
    path = "/api/events",
    request_body = EventBody,
    params(("x-doumi-session" = Option<String>, Header, description = "Anonymous session id, as sent with searches.")),
    responses(
        (status = 202, description = "Recorded", body = EventAccepted),
        (status = 400, description = "The body is not JSON", body = super::error::ErrorBody),
        (status = 404, description = "No search has this query_id", body = super::error::ErrorBody),
        (status = 413, description = "Body too large", body = super::error::ErrorBody),
        (status = 415, description = "Not sent as application/json", body = super::error::ErrorBody),
        (status = 422, description = "A field is missing, unknown or out of range", body = super::error::ErrorBody),
        (status = 429, description = "Too many requests, or too many votes from this session today", body = super::error::ErrorBody),
        (status = 503, description = "The query log is off, or the index is loading", body = super::error::ErrorBody),
    )
)]
pub async fn record(State(state): State<AppState>, session: Session, JsonBody(body): JsonBody<EventBody>) -> Result<(StatusCode, Json<EventAccepted>), ApiError> {
    let log = state.query_log.clone().ok_or_else(|| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "query_log_unavailable", "the query log is off on this server; see /healthz")
    })?;
    let snapshot = state.current().ok_or_else(ApiError::not_ready)?;
    let needs_search = matches!(body.kind, EventKind::Click | EventKind::ContactSupport);
    if needs_search && body.query_id.is_none() {
        return Err(invalid(format!("`query_id` is required for `{}`", body.kind.as_str())));
    }
    if body.query_id.is_none() && body.article_id.is_none() {
        return Err(invalid("a vote needs a `query_id` or an `article_id`"));
    }
    if body.kind == EventKind::Click && body.article_id.is_none() {
        return Err(invalid("`article_id` is required for `click`"));
    }
    if let Some(rank) = body.rank
        && !(1..=MAX_RANK).contains(&rank)
    {
        return Err(invalid(format!("`rank` must be between 1 and {MAX_RANK}, got {rank}")));
    }
    if let Some(article) = &body.article_id
        && !snapshot.articles.contains_key(article)
    {
        return Err(invalid(format!("no article has the id `{}`", truncate(article))));
    }
    let comment = body.comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = comment
        && c.chars().count() > MAX_COMMENT_CHARS
    {
        return Err(invalid(format!("`comment` is {} characters long; the limit is {MAX_COMMENT_CHARS}", c.chars().count())));
    }
    let shared_log = matches!(log.target(), crate::analytics::LogTarget::Postgres(_));
    let session = match &body.query_id {
        None => session.0.session,
        Some(id) => {
            if uuid::Uuid::parse_str(id).is_err() {
                return Err(invalid(format!("`query_id` must be the query_id a search answered with, got `{}`", truncate(id))));
            }
            match session_of_search(&log, id).await {
                Ok(Some(session)) => session,
                // Replicas share the log: a search another replica answered
                // a moment ago may not be stored yet. Its id (a UUIDv7)
                // says when it was minted.
                Ok(None) if shared_log && minted_lately(id, now_ms()) => session.0.session,
                Ok(None) => return Err(ApiError::new(StatusCode::NOT_FOUND, "unknown_query", "no search has this query_id")),
                // The shared log is away: the event is kept (spooled) under
                // the session the request came with, rather than lost.
                Err(e) => {
                    tracing::warn!(error = ?e, "cannot look up the search of an event; keeping it under the request's session");
                    session.0.session
                }
            }
        }
    };
    let event_id = match &body.id {
        Some(id) => match uuid::Uuid::parse_str(id) {
            Ok(uuid) => uuid.hyphenated().to_string(),
            Err(_) => return Err(invalid(format!("`id` must be a UUID, got `{}`", truncate(id)))),
        },
        None => uuid::Uuid::now_v7().to_string(),
    };
    let vote = matches!(body.kind, EventKind::Helpful | EventKind::NotHelpful);
    if vote && !state.may_vote(&session) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "vote_limit",
            format!("this session has voted {} times today, the most it may", state.config.votes_per_session),
        ));
    }
    let recorded = log.event(EventRecord {
        id: event_id,
        query_id: body.query_id,
        at_ms: now_ms(),
        session,
        kind: body.kind,
        article_id: body.article_id,
        rank: body.rank,
        comment: comment.map(str::to_string),
    });
    Ok((StatusCode::ACCEPTED, Json(EventAccepted { recorded })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_uuid_v7_minted_within_a_minute_is_in_flight() {
        let now = now_ms();
        assert!(minted_lately(&uuid::Uuid::now_v7().to_string(), now));
        assert!(!minted_lately(&uuid::Uuid::now_v7().to_string(), now + 2 * IN_FLIGHT_MS), "too old");
        assert!(!minted_lately(&uuid::Uuid::now_v7().to_string(), now - 2 * IN_FLIGHT_MS), "from the future");
        assert!(!minted_lately(&uuid::Uuid::new_v4().to_string(), now), "no time in a v4");
        assert!(!minted_lately("not-a-uuid", now));
    }
}
