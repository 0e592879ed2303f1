//! The public API: search, suggestions while typing, and articles.

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ApiError;
use super::session::{Loggable, Session};
use crate::analytics::Source;
use super::state::AppState;
use crate::content::{ArticleKind, article_html};
use crate::search::{DEFAULT_LIMIT, Engine, SearchError, SearchRequest, SearchResponse};

/// The query string as text; a string that cannot be decoded is a 400 in our
/// error shape, not axum's plain-text rejection. Of a name given twice, the
/// last value counts.
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Params, ApiError> {
        let raw = parts.uri.query().unwrap_or_default();
        // Decoding is lossy (bad bytes become U+FFFD); a query that is not
        // UTF-8 is refused instead of searched as garbage. (`+` is a space,
        // which changes nothing here.)
        if simdutf8::basic::from_utf8(&crate::content::percent_decode_bytes(raw)).is_err() {
            return Err(ApiError::bad_parameter("the query string is not valid UTF-8 once percent-decoded"));
        }
        // A handful of parameters: a list, no map to hash them into.
        Ok(Params(form_urlencoded::parse(raw.as_bytes()).map(|(name, value)| (name.into_owned(), value.into_owned())).collect()))
    }
}

impl Params {
    pub(super) fn text(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(n, _)| n == name).map(|(_, value)| value.as_str())
    }

    /// A whole-number parameter, `default` when absent.
    fn number(&self, name: &str, default: usize) -> Result<usize, ApiError> {
        match self.text(name) {
            None | Some("") => Ok(default),
            Some(raw) => raw
                .trim()
                .parse()
                .map_err(|_| ApiError::bad_parameter(format!("`{name}` must be a whole number, got `{}`", truncate(raw)))),
        }
    }

    /// A yes/no parameter, no when absent.
    fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.text(name).map(str::trim) {
            None | Some("" | "false" | "0") => Ok(false),
            Some("true" | "1") => Ok(true),
            Some(raw) => Err(ApiError::bad_parameter(format!("`{name}` must be true or false, got `{}`", truncate(raw)))),
        }
    }
}

pub(super) fn truncate(raw: &str) -> String {
    let mut s: String = raw.chars().take(40).collect();
    if raw.chars().count() > 40 {
        s.push('…');
    }
    s
}

/// Search the help center.
/// A search run from a handler. Embedding a question takes tens of
/// milliseconds of CPU: for a search that may, the worker hands its other
/// connections to the rest of the runtime meanwhile.
pub(super) fn run_search(engine: &Engine, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
    if engine.may_embed(request) { tokio::task::block_in_place(|| engine.search(request)) } else { engine.search(request) }
}

#[utoipa::path(
    get,
    path = "/api/search",
    params(
        ("q" = String, Query, description = "The customer's question, up to 500 characters; Korean in any form."),
        ("limit" = Option<usize>, Query, description = "Hits per page, 1–50 (default 10)."),
        ("offset" = Option<usize>, Query, description = "Hits to skip, at most 1000."),
        ("category" = Option<String>, Query, description = "Only entries of this category."),
        ("source" = Option<String>, Query, description = "Who is asking, for the query log: `widget`, `page` or `api` (default)."),
        ("typing" = Option<bool>, Query, description = "`true` while the customer is still typing: the answer is lexical only and fast; the settled question (default) is also ranked by meaning."),
        ("x-doumi-session" = Option<String>, Header, description = "Anonymous session id (8–64 letters, digits, - or _); derived from the client when absent."),
    ),
    responses(
        (status = 200, description = "Ranked entries", body = SearchResponse),
        (status = 400, description = "Bad parameter", body = super::error::ErrorBody),
        (status = 429, description = "Too many requests from this address", body = super::error::ErrorBody),
        (status = 503, description = "The index is still loading", body = super::error::ErrorBody),
    )
)]
pub async fn search(State(state): State<AppState>, session: Session, loggable: Loggable, params: Params) -> Result<Response, ApiError> {
    let snapshot = state.current().ok_or_else(ApiError::not_ready)?;
    let source = match params.text("source") {
        None | Some("") => Source::Api,
        Some(name) => Source::from_client(name)
            .ok_or_else(|| ApiError::bad_parameter(format!("`source` must be widget, page or api, got `{}`", truncate(name))))?,
    };
    let request = SearchRequest {
        q: params.text("q").unwrap_or_default().to_string(),
        limit: params.number("limit", DEFAULT_LIMIT)?,
        offset: params.number("offset", 0)?,
        category: params.text("category").filter(|c| !c.is_empty()).map(str::to_string),
        semantic: !params.flag("typing")?,
    };
    let response = run_search(&snapshot.engine, &request)?;
    if response.total == 0 {
        state.metrics.zero_result_searches.inc();
    }
    if response.ranked_by_meaning {
        state.metrics.searches_ranked_by_meaning.inc();
    }
    if let Some(log) = state.query_log.as_ref().filter(|_| loggable.0) {
        // Never waits: a full log drops the record and counts it.
        log.search(&request.q, &response, &session.0, source);
    }
    // What `Json(response)` would send, written without serde's byte-by-byte walk.
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], response.to_json()).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestions {
    pub query: String,
    pub suggestions: Vec<Suggestion>,
}

/// A question or title the customer may be typing toward.
#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestion {
    pub text: String,
    pub id: String,
    pub url: String,
    pub category: Option<String>,
}

/// How many completions a search box shows.
const SUGGESTIONS: usize = 8;

/// Questions and titles completing what the customer is typing, half-typed
/// syllables (비밀버) and initials (ㅂㅁㅂㅎ) included.
#[utoipa::path(
    get,
    path = "/api/suggest",
    params(("q" = String, Query, description = "What the customer has typed so far.")),
    responses(
        (status = 200, description = "Completions, best first", body = Suggestions),
        (status = 400, description = "Bad parameter", body = super::error::ErrorBody),
        (status = 503, description = "The index is still loading", body = super::error::ErrorBody),
    )
)]
pub async fn suggest(State(state): State<AppState>, params: Params) -> Result<Json<Suggestions>, ApiError> {
    let snapshot = state.current().ok_or_else(ApiError::not_ready)?;
    let mut request = SearchRequest::new(params.text("q").unwrap_or_default());
    request.limit = SUGGESTIONS;
    request.semantic = false;
    let response = snapshot.engine.search(&request)?;
    let suggestions = response
        .hits
        .into_iter()
        .map(|h| Suggestion { text: h.title, id: h.id, url: h.url, category: h.category })
        .collect();
    Ok(Json(Suggestions { query: response.query, suggestions }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleResponse {
    pub id: String,
    pub title: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub updated: Option<String>,
    /// `faq` or `guide`.
    pub kind: String,
    pub url: String,
    /// The `##` questions or sections, with the anchors search links to.
    pub sections: Vec<SectionLink>,
    /// The article rendered from Markdown and sanitized.
    pub html: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectionLink {
    pub anchor: String,
    pub title: String,
}

/// An article's metadata and sanitized HTML.
#[utoipa::path(
    get,
    path = "/api/articles/{id}",
    params(("id" = String, Path, description = "Article id (its file name, or `id:` in its front matter).")),
    responses(
        (status = 200, description = "The article", body = ArticleResponse),
        (status = 404, description = "No article has this id", body = super::error::ErrorBody),
        (status = 503, description = "The index is still loading", body = super::error::ErrorBody),
    )
)]
pub async fn article(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<ArticleResponse>, ApiError> {
    let snapshot = state.current().ok_or_else(ApiError::not_ready)?;
    let Some(article) = snapshot.articles.get(&id) else {
        let ids: Vec<&str> = snapshot.articles.keys().map(String::as_str).collect();
        let hint = crate::content::did_you_mean(&id, &ids).map(|i| format!(" (did you mean `{i}`?)")).unwrap_or_default();
        return Err(ApiError::not_found(format!("no article has the id `{}`{hint}", truncate(&id))));
    };
    Ok(Json(ArticleResponse {
        id: article.id.clone(),
        title: article.title.clone(),
        category: article.category.clone(),
        tags: article.tags.clone(),
        updated: article.updated.clone(),
        kind: match article.kind {
            ArticleKind::Faq => "faq",
            ArticleKind::Guide => "guide",
        }
        .to_string(),
        url: format!("/articles/{}", article.id),
        sections: article.sections.iter().map(|s| SectionLink { anchor: s.anchor.clone(), title: s.heading.clone() }).collect(),
        html: article_html(article),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn params(uri: &str) -> Result<Params, ApiError> {
        let (mut parts, ()) = axum::http::Request::builder().uri(uri).body(()).unwrap().into_parts();
        Params::from_request_parts(&mut parts, &()).await
    }

    #[tokio::test]
    async fn query_string_parameters_are_decoded_and_the_last_of_a_name_counts() {
        let p = params("/api/search?q=%ED%99%98%EB%B6%88&limit=3&q=%EB%B0%B0%EC%86%A1+%EC%A1%B0%ED%9A%8C&typing=").await.ok().unwrap();
        assert_eq!(p.text("q"), Some("배송 조회"));
        assert_eq!(p.number("limit", 10).ok(), Some(3));
        assert_eq!(p.number("offset", 0).ok(), Some(0), "absent: the default");
        assert_eq!(p.flag("typing").ok(), Some(false), "empty: no");
        assert_eq!(p.text("category"), None);
        let p = params("/api/search").await.ok().unwrap();
        assert_eq!(p.text("q"), None);
        let p = params("/api/search?q=a%2Bb%26c%3Dd&flag").await.ok().unwrap();
        assert_eq!(p.text("q"), Some("a+b&c=d"), "escaped separators are text");
        assert_eq!(p.text("flag"), Some(""));
    }

    #[tokio::test]
    async fn a_query_string_that_is_not_utf8_once_decoded_is_refused() {
        for uri in ["/api/search?q=%FF%FE", "/api/search?q=%ED%99", "/api/search?q=ok&x=%C3%28"] {
            assert!(params(uri).await.is_err(), "{uri}");
        }
    }
}
