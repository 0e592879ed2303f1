//! `GET /api/openapi.json`, generated from the handlers and types.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "doumi", description = "Korean help-center search: search, suggestions, articles, health."),
    paths(super::api::search, super::api::suggest, super::api::article, super::ops::healthz, super::ops::metrics),
    components(schemas(
        crate::search::SearchResponse,
        crate::search::Hit,
        super::api::Suggestions,
        super::api::Suggestion,
        super::api::ArticleResponse,
        super::api::SectionLink,
        super::ops::Health,
        super::ops::LastReload,
        super::ops::ProblemBody,
        super::error::ErrorBody,
        super::error::ErrorDetail,
    ))
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
