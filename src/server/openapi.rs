//! `GET /api/openapi.json`, generated from the handlers and types.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "doumi", description = "Korean help-center search: search, suggestions, articles, events, the gap report, health."),
    paths(
        super::api::search,
        super::api::suggest,
        super::api::article,
        super::events::record,
        super::admin::report,
        super::ops::healthz,
        super::ops::metrics
    ),
    modifiers(&AdminToken),
    components(schemas(
        crate::search::SearchResponse,
        crate::search::Hit,
        super::api::Suggestions,
        super::api::Suggestion,
        super::api::ArticleResponse,
        super::api::SectionLink,
        super::ops::Health,
        super::ops::LastReload,
        super::embedder::SemanticStatus,
        super::ops::ProblemBody,
        super::error::ErrorBody,
        super::error::ErrorDetail,
        super::events::EventBody,
        super::events::EventAccepted,
        crate::analytics::EventKind,
        crate::analytics::Report,
    ))
)]
pub struct ApiDoc;

/// Declares the bearer token that guards the admin report.
struct AdminToken;

impl utoipa::Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("admin_token", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
