//! The help center's own pages, rendered on the server (minijinja): the home
//! page with search and categories, articles with a 도움이 되었나요? vote, and
//! the support lead's report. Reading works without JavaScript; the widget
//! adds search as you type.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{Environment, context};
use serde::{Deserialize, Serialize};

use super::admin::{build_report, same_token};
use super::api::{Params, run_search};
use super::chart::daily_chart;
use super::client::Client;
use super::error::ApiError;
use super::session::{Loggable, Session, cookie, secure_cookie, session_of_search, with_cookie};
use super::sign_in::signed_in;
use super::state::AppState;
use crate::analytics::record::{now_ms, random_hex};
use crate::analytics::report::{Since, percent};
use crate::analytics::{EventKind, EventRecord, Source};
use crate::content::{ArticleKind, article_html};
use crate::search::{CONFIDENT, SearchRequest};

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("../../web/templates/base.html")),
        ("home.html", include_str!("../../web/templates/home.html")),
        ("article.html", include_str!("../../web/templates/article.html")),
        ("not_found.html", include_str!("../../web/templates/not_found.html")),
        ("signin.html", include_str!("../../web/templates/signin.html")),
        ("report.html", include_str!("../../web/templates/report.html")),
        ("notice.html", include_str!("../../web/templates/notice.html")),
    ] {
        env.add_template(name, source).expect("the bundled templates parse");
    }
    env
});

const WIDGET: &str = include_str!("../../web/widget.js");
const SITE_CSS: &str = include_str!("../../web/site.css");

fn render(name: &str, status: StatusCode, ctx: minijinja::Value) -> Response {
    match TEMPLATES.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => ApiError::internal(format!("template {name}: {e:#}")).into_response(),
    }
}

fn not_found(state: &AppState, message: &str) -> Response {
    render("not_found.html", StatusCode::NOT_FOUND, context! { site_name => state.config.site_name, message })
}

fn not_ready() -> Response {
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, Html("<!doctype html><html lang=\"ko\"><title>잠시만요</title><p>도움말을 불러오는 중입니다. 잠시 후 다시 시도해 주세요.</p></html>")).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

fn is_query_id(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok()
}

/// `/widget.js`, with this server's contact link as the default.
pub async fn widget(State(state): State<AppState>) -> Response {
    let defaults = serde_json::json!({"contactUrl": state.config.contact_url, "contactLabel": state.config.contact_label});
    let script = WIDGET.replacen("var data = script.dataset;", &format!("var data = Object.assign({defaults}, script.dataset);"), 1);
    let mut response = script.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

pub async fn site_css() -> Response {
    let mut response = SITE_CSS.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

#[derive(Serialize)]
struct ArticleLink {
    id: String,
    title: String,
    category: Option<String>,
}

#[derive(Serialize)]
struct Category {
    name: String,
    articles: Vec<ArticleLink>,
}

/// `/` and `/?q=`: search, the most read articles, every category.
pub async fn home(State(state): State<AppState>, session: Session, loggable: Loggable, params: Params) -> Response {
    let Some(snapshot) = state.current() else { return not_ready() };
    let query = params.text("q").map(str::trim).filter(|q| !q.is_empty()).map(str::to_string);
    let mut results = None;
    let mut error = None;
    if let Some(q) = &query {
        let mut request = SearchRequest::new(q.clone());
        request.limit = 10;
        // Ranked by meaning too: see `api::search`.
        match run_search(&snapshot.engine, &request) {
            Ok(response) => {
                if let Some(log) = state.query_log.as_ref().filter(|_| loggable.0) {
                    log.search(q, &response, &session.0, Source::Page);
                }
                results = Some(response);
            }
            Err(e) => error = Some(e.to_string()),
        }
    }
    let link = |id: &str| {
        snapshot.articles.get(id).map(|a| ArticleLink { id: a.id.clone(), title: a.title.clone(), category: a.category.clone() })
    };
    let popular: Vec<ArticleLink> = match state.query_log.clone() {
        Some(log) => tokio::task::spawn_blocking(move || log.popular_articles(now_ms() - 30 * 86_400_000, 6))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default()
            .iter()
            .filter_map(|(id, _)| link(id))
            .collect(),
        None => Vec::new(),
    };
    let mut categories: BTreeMap<String, Vec<ArticleLink>> = BTreeMap::new();
    for article in snapshot.articles.values() {
        let name = article.category.clone().unwrap_or_else(|| "기타".to_string());
        categories.entry(name).or_default().push(ArticleLink { id: article.id.clone(), title: article.title.clone(), category: article.category.clone() });
    }
    let categories: Vec<Category> = categories
        .into_iter()
        .map(|(name, mut articles)| {
            articles.sort_by(|a, b| a.title.cmp(&b.title));
            Category { name, articles }
        })
        .collect();
    let confident = results.as_ref().is_some_and(|r| r.confidence >= CONFIDENT && !r.hits.is_empty());
    render(
        "home.html",
        StatusCode::OK,
        context! {
            site_name => state.config.site_name,
            contact_url => state.config.contact_url,
            contact_label => state.config.contact_label,
            query => query,
            error => error,
            total => results.as_ref().map_or(0, |r| r.total),
            total_is_lower_bound => results.as_ref().is_some_and(|r| r.total_is_lower_bound),
            hits => results.as_ref().map(|r| r.hits.clone()).unwrap_or_default(),
            suggestion => results.as_ref().and_then(|r| r.suggestion.clone()),
            confident => confident,
            popular => popular,
            categories => categories,
        },
    )
}

#[derive(Serialize)]
struct SectionLink {
    anchor: String,
    title: String,
}

#[derive(Serialize)]
struct Related {
    title: String,
    url: String,
}

/// The cookie that the vote form's token repeats (double submit): another
/// site can make a browser post the form but can neither read nor set the
/// cookie, so its votes carry no matching token.
const VOTE_COOKIE: &str = "doumi_vote";

/// The vote token this browser already holds, or a new one.
fn vote_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, VOTE_COOKIE).filter(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit())) {
        Some(token) => (token.to_string(), false),
        None => (random_hex(16), true),
    }
}

/// A page that says what happened to a form, with a way back.
fn notice(state: &AppState, status: StatusCode, title: &str, message: &str, back: &str) -> Response {
    render("notice.html", status, context! { site_name => state.config.site_name, title, message, back })
}

/// `/articles/{id}`: the article, a vote, and related articles.
pub async fn article(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, client: Client, params: Params) -> Response {
    let Some(snapshot) = state.current() else { return not_ready() };
    let Some(article) = snapshot.articles.get(&id) else {
        return not_found(&state, "주소가 바뀌었거나 삭제된 도움말입니다.");
    };
    // Related: what search finds for this article's title, other articles only.
    let mut related: Vec<Related> = Vec::new();
    let mut request = SearchRequest::new(article.title.clone());
    request.limit = 12;
    if let Ok(response) = run_search(&snapshot.engine, &request) {
        for hit in response.hits {
            if hit.article_id != article.id && !related.iter().any(|r| r.url == format!("/articles/{}", hit.article_id)) {
                related.push(Related { title: hit.article_title, url: format!("/articles/{}", hit.article_id) });
            }
            if related.len() == 4 {
                break;
            }
        }
    }
    let voted = params.text("voted").filter(|v| matches!(*v, "helpful" | "not_helpful"));
    let query_id = params.text("qid").filter(|q| is_query_id(q));
    let (vote_token, new_token) = vote_token(&headers);
    let mut page = render(
        "article.html",
        StatusCode::OK,
        context! {
            site_name => state.config.site_name,
            contact_url => state.config.contact_url,
            contact_label => state.config.contact_label,
            article => context! {
                id => article.id,
                title => article.title,
                category => article.category,
                updated => article.updated,
                kind => if article.kind == ArticleKind::Faq { "faq" } else { "guide" },
            },
            sections => article.sections.iter().map(|s| SectionLink { anchor: s.anchor.clone(), title: s.heading.clone() }).collect::<Vec<_>>(),
            html => article_html(article),
            related => related,
            voted => voted,
            query_id => query_id,
            vote_token => vote_token,
        },
    );
    if new_token {
        page = with_cookie(page, VOTE_COOKIE, &vote_token, "HttpOnly; SameSite=Strict; Path=/articles", secure_cookie(&state, &client));
    }
    page
}

#[derive(Debug, Deserialize)]
pub struct Vote {
    vote: String,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    query_id: Option<String>,
    /// The token the page's form carries; it must match the vote cookie.
    #[serde(default)]
    token: Option<String>,
}

/// The 도움이 되었나요? form: logs the vote, then shows the article again
/// with a thank-you (Post/Redirect/Get, so a reload does not vote twice).
/// A vote without the page's token (posted from another site) is refused,
/// and so is a session's vote past `votes_per_session` a day.
pub async fn vote(State(state): State<AppState>, session: Session, headers: HeaderMap, Path(id): Path<String>, Form(vote): Form<Vote>) -> Result<Response, ApiError> {
    let snapshot = state.current().ok_or_else(ApiError::not_ready)?;
    if !snapshot.articles.contains_key(&id) {
        return Ok(not_found(&state, "주소가 바뀌었거나 삭제된 도움말입니다."));
    }
    let back = format!("/articles/{}", urlencode(&id));
    let expected = cookie(&headers, VOTE_COOKIE).unwrap_or_default();
    let given = vote.token.as_deref().unwrap_or_default();
    if expected.is_empty() || !same_token(given, expected) {
        let message = "이 평가는 도움말 페이지에서 보낸 것이 아니어서 반영하지 않았습니다. 페이지를 새로 연 뒤 다시 눌러 주세요.";
        return Ok(notice(&state, StatusCode::FORBIDDEN, "평가를 반영하지 못했습니다", message, &back));
    }
    let kind = match vote.vote.as_str() {
        "helpful" => EventKind::Helpful,
        "not_helpful" => EventKind::NotHelpful,
        _ => return Err(ApiError::bad_parameter("`vote` must be helpful or not_helpful")),
    };
    let comment = vote.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(|c| c.chars().take(super::events::MAX_COMMENT_CHARS).collect::<String>());
    if let Some(log) = state.query_log.clone() {
        // A vote reached from a search belongs to it; otherwise it stands alone.
        let query_id = vote.query_id.filter(|q| is_query_id(q));
        let known = match query_id.clone() {
            Some(q) => session_of_search(&log, &q).await.ok().flatten(),
            None => None,
        };
        let (query_id, session) = match known {
            Some(s) => (query_id, s),
            None => (None, session.0.session),
        };
        if !state.may_vote(&session) {
            let message = "오늘은 이미 여러 번 평가해 주셨습니다. 내일 다시 의견을 보내 주세요.";
            return Ok(notice(&state, StatusCode::TOO_MANY_REQUESTS, "평가가 너무 많습니다", message, &back));
        }
        log.event(EventRecord { id: uuid::Uuid::now_v7().to_string(), query_id, at_ms: now_ms(), session, kind, article_id: Some(id.clone()), rank: None, comment });
    }
    Ok(Redirect::to(&format!("/articles/{}?voted={}#feedback", urlencode(&id), kind.as_str())).into_response())
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The sign-in form, with an error or why sign-in is off.
pub(super) fn signin_page(state: &AppState, status: StatusCode, error: Option<&str>) -> Response {
    let error = error.map(str::to_string).or_else(|| {
        state.config.admin_token.is_none().then(|| "이 서버에는 관리자 토큰이 설정되어 있지 않습니다. admin_token (DOUMI_ADMIN_TOKEN)을 설정하세요.".to_string())
    });
    render("signin.html", status, context! { site_name => state.config.site_name, error => error })
}

fn since_param(params: &Params) -> (String, Since) {
    let text = params.text("since").filter(|s| !s.is_empty()).unwrap_or("30d");
    match text.parse::<Since>() {
        Ok(since) => (text.to_string(), since),
        Err(_) => ("30d".to_string(), Since::Last { ms: 30 * 86_400_000 }),
    }
}

#[derive(Serialize)]
struct Tile {
    label: &'static str,
    value: String,
    previous: String,
}

/// `/admin/report`: sign-in, or KPI tiles, the daily chart and the gaps.
pub async fn report_page(State(state): State<AppState>, headers: HeaderMap, params: Params) -> Response {
    if !signed_in(&state, &headers).await {
        return signin_page(&state, StatusCode::OK, None);
    }
    let (since_text, since) = since_param(&params);
    let report = match build_report(&state, since, false).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let (k, p) = (&report.kpis, &report.previous_kpis);
    let tiles = vec![
        Tile { label: "검색", value: k.searches.to_string(), previous: p.searches.to_string() },
        Tile { label: "고객(세션)", value: k.sessions.to_string(), previous: p.sessions.to_string() },
        Tile { label: "결과 없음 비율", value: percent(k.zero_result_rate), previous: percent(p.zero_result_rate) },
        Tile { label: "클릭률", value: percent(k.click_through_rate), previous: percent(p.click_through_rate) },
        Tile { label: "셀프서비스 비율", value: percent(k.self_service_rate), previous: percent(p.self_service_rate) },
        Tile { label: "도움됨 비율", value: percent(k.helpfulness), previous: percent(p.helpfulness) },
        Tile { label: "문의 전환율", value: percent(k.escalation_rate), previous: percent(p.escalation_rate) },
    ];
    let actions: Vec<String> = report.gaps.iter().map(|g| g.action.korean()).collect();
    let confidences: Vec<String> = report.gaps.iter().map(|g| g.closest.as_ref().map_or_else(String::new, |c| format!("{:.2}", c.confidence))).collect();
    let reworded_actions: Vec<String> = report.reformulations.iter().map(|r| r.suggestion.korean()).collect();
    let trend_labels = context! { new => "새로 생김", rising => "늘어남", falling => "줄어듦", steady => "비슷함" };
    let mut response = render(
        "report.html",
        StatusCode::OK,
        context! {
            site_name => state.config.site_name,
            since => since_text,
            tiles => tiles,
            chart => daily_chart(&report.daily),
            actions => actions,
            confidences => confidences,
            reworded_actions => reworded_actions,
            trend_labels => trend_labels,
            report => report,
        },
    );
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `/admin/report.csv`: the gaps (or `table=daily`, the KPIs per day).
pub async fn report_csv(State(state): State<AppState>, headers: HeaderMap, params: Params) -> Response {
    if !signed_in(&state, &headers).await {
        return ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "sign in at /admin/report first").into_response();
    }
    let (since_text, since) = since_param(&params);
    let report = match build_report(&state, since, false).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let daily = params.text("table") == Some("daily");
    let (body, name) = if daily { (report.daily_csv(), "daily") } else { (report.gaps_csv(), "gaps") };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"doumi-{name}-{since_text}.csv\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
