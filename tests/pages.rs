//! The help-center pages over real HTTP, without a browser: they render on
//! the server, read without JavaScript, escape what customers type, and take
//! votes and the admin sign-in as plain forms.

mod util;

use util::{HelpCenter, REFUND_FAQ, Server, encode};

const TOKEN: &str = "pages-admin-token";

fn serve() -> (HelpCenter, Server) {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    hc.write("shipping.md", "---\ntitle: 배송 안내\ncategory: 배송\ntype: faq\n---\n## 배송은 얼마나 걸리나요?\n결제 후 1~3일 안에 도착합니다. 환불은 [환불 안내](/articles/refund)를 보세요.\n");
    let server = hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN), ("DOUMI_RATE_LIMIT_PER_MINUTE", "0"), ("DOUMI_SITE_NAME", "테스트 도움말")], &[]);
    (hc, server)
}

fn form(server: &Server, path: &str, body: &str, headers: &[(&str, &str)]) -> util::Answer {
    let mut all = vec![("content-type", "application/x-www-form-urlencoded")];
    all.extend_from_slice(headers);
    server.request("POST", path, &all, Some(body.as_bytes()))
}

#[test]
fn the_home_page_lists_categories_and_answers_a_search_without_javascript() {
    let (_hc, server) = serve();
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(home.body.contains("<title>테스트 도움말</title>"), "{}", home.body);
    assert!(home.body.contains("환불 안내") && home.body.contains("배송 안내"));
    let results = server.get(&format!("/?q={}", encode("환불 언제")));
    assert!(results.body.contains("환불은 언제 되나요?"), "{}", results.body);
    // What a customer types is shown escaped, never run.
    let hostile = server.get(&format!("/?q={}", encode("<script>alert(1)</script>환불")));
    assert!(!hostile.body.contains("<script>alert(1)"), "{}", hostile.body);
    assert!(hostile.body.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;환불"), "{}", hostile.body);
    let long = server.get(&format!("/?q={}", encode(&"환불".repeat(300))));
    assert_eq!(long.status, 200);
    assert!(long.body.contains("class=\"error\"") && long.body.contains("the limit is 500"), "{}", long.body);
    let nothing = server.get(&format!("/?q={}", encode("제휴 문의")));
    assert!(nothing.body.contains("찾으시는 답이 없나요?"), "{}", nothing.body);
}

#[test]
fn the_home_page_offers_a_correction_as_a_link_for_typos_and_keyboard_layout() {
    let (_hc, server) = serve();
    // Each branch of home.html: a suggestion (typo, then English keyboard
    // layout), hits, no hits. The suggestion link is URL-encoded.
    for (typed, corrected) in [("배숑 안내", "배송"), ("ghksqnf", "환불")] {
        let page = server.get(&format!("/?q={}", encode(typed)));
        assert_eq!(page.status, 200, "{typed}: {}", page.body);
        assert!(page.body.contains("을(를) 찾으셨나요?"), "{typed}: {}", page.body);
        let link = format!("<a href=\"/?q={}", encode(corrected));
        assert!(page.body.contains(&link), "{typed}: a link to the corrected search {link}: {}", page.body);
    }
}

#[test]
fn an_article_page_shows_the_article_a_vote_and_related_articles() {
    let (_hc, server) = serve();
    let page = server.get("/articles/refund");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h1>환불 안내</h1>"), "{}", page.body);
    assert!(page.body.contains("id=\"환불은-언제-되나요\""), "anchors for deep links: {}", page.body);
    assert!(page.body.contains("도움이 되었나요?") && page.body.contains("value=\"not_helpful\""));
    let shipping = server.get("/articles/shipping");
    assert!(shipping.body.contains("관련 도움말") || shipping.body.contains("환불 안내"), "{}", shipping.body);
    for missing in ["/articles/nope", "/articles/..%2F..%2Fetc%2Fpasswd", "/articles/%2E%2E"] {
        let answer = server.get(missing);
        assert_eq!(answer.status, 404, "{missing}");
        assert!(answer.body.contains("찾을 수 없는 도움말입니다"), "{missing}: {}", answer.body);
    }
}

/// The vote form's token and the cookie it must match, as a browser that
/// opened the article holds them.
fn vote_token(server: &Server, article: &str) -> (String, String) {
    let page = server.get(&format!("/articles/{article}"));
    let cookie = page.header("set-cookie").expect("the article page sets the vote cookie").split(';').next().unwrap().to_string();
    let token = page.body.split("name=\"token\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("the form carries a token");
    assert_eq!(cookie, format!("doumi_vote={token}"));
    (cookie, token.to_string())
}

#[test]
fn a_vote_is_logged_and_the_page_thanks_the_customer() {
    let (_hc, server) = serve();
    let query_id = server.search("환불")["query_id"].as_str().unwrap().to_string();
    let (cookie, token) = vote_token(&server, "refund");
    let body = format!("vote=not_helpful&comment={}&query_id={query_id}&token={token}", encode("계좌 변경이 안돼요 010-1111-2222"));
    let answer = form(&server, "/articles/refund/feedback", &body, &[("cookie", &cookie)]);
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.header("location"), Some("/articles/refund?voted=not_helpful#feedback"));
    let thanks = server.get("/articles/refund?voted=not_helpful");
    assert!(thanks.body.contains("의견을 보내 주셔서 감사합니다"), "{}", thanks.body);
    let bad = form(&server, "/articles/refund/feedback", &format!("vote=maybe&token={token}"), &[("cookie", &cookie)]);
    assert_eq!((bad.status, bad.error_code().as_str()), (400, "bad_parameter"));
    let report = server.request("GET", "/api/admin/report", &[("authorization", &format!("Bearer {TOKEN}"))], None).json();
    assert_eq!(report["kpis"]["not_helpful_votes"], 1, "{report:#}");
}

#[test]
fn the_report_page_needs_the_token_and_then_shows_tiles_chart_and_csv() {
    let (_hc, server) = serve();
    server.search("제휴 문의");
    let signin = server.get("/admin/report");
    assert_eq!(signin.status, 200);
    assert!(signin.body.contains("name=\"token\""), "a sign-in form: {}", signin.body);
    assert!(!signin.body.contains("class=\"tile\""));
    let wrong = form(&server, "/admin/login", "token=nope", &[]);
    assert_eq!(wrong.status, 403);
    assert!(wrong.body.contains("토큰이 맞지 않습니다"));
    let right = form(&server, "/admin/login", &format!("token={TOKEN}"), &[]);
    assert_eq!(right.status, 303);
    let cookie = right.header("set-cookie").unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains(TOKEN), "{cookie}");
    let cookie = cookie.split(';').next().unwrap().to_string();
    let page = server.request("GET", "/admin/report?since=7d", &[("cookie", &cookie)], None);
    assert_eq!(page.status, 200);
    assert_eq!(page.body.matches("class=\"tile\"").count(), 7, "{}", page.body);
    assert_eq!(page.body.matches("class=\"bar\"").count(), 8, "one bar per day of 7d");
    assert!(page.body.contains("제휴 문의") && page.body.contains("새 도움말 작성"), "{}", page.body);
    let csv = server.request("GET", "/admin/report.csv?since=7d", &[("cookie", &cookie)], None);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv.header("content-disposition").unwrap().starts_with("attachment"));
    assert!(csv.body.contains("제휴 문의"), "{}", csv.body);
    let forged = server.request("GET", "/admin/report.csv", &[("cookie", "doumi_admin=0000")], None);
    assert_eq!(forged.status, 401);
}

#[test]
fn the_widget_script_is_small_and_carries_the_configured_contact_link() {
    let (_hc, server) = serve();
    let script = server.get("/widget.js");
    assert_eq!(script.status, 200);
    assert_eq!(script.header("content-type"), Some("text/javascript; charset=utf-8"));
    assert!(script.body.len() < 30 * 1024, "{} bytes", script.body.len());
    assert!(script.body.contains("\"contactUrl\":\"mailto:help@example.com\""), "the default contact link");
    assert!(script.body.contains("attachShadow({ mode: \"open\" })"));
    let css = server.get("/assets/site.css");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
}

/// Past 1,000 matching entries the count stops: the page says "1,000개 이상"
/// and the API says the total is a lower bound; below it the count is exact.
#[test]
fn a_search_matching_more_than_a_thousand_entries_says_so_on_the_page_and_in_the_api() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let mut many = String::from("---\ntitle: 주문 안내\ncategory: 주문\ntype: faq\n---\n");
    for n in 1..=1001 {
        many.push_str(&format!("## 주문 {n}번 상품은 언제 오나요?\n주문 {n}번 상품은 결제 후 {n}일 안에 도착합니다.\n\n"));
    }
    hc.write("orders.md", many);
    let server = hc.serve(&[("DOUMI_RATE_LIMIT_PER_MINUTE", "0")], &[]);
    let page = server.get(&format!("/?q={}", encode("주문 상품")));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("검색 결과 1000개 이상</h2>"), "{}", page.body);
    let api = server.search("주문 상품");
    assert_eq!((api["total"].as_u64(), api["total_is_lower_bound"].as_bool()), (Some(1000), Some(true)), "{api}");
    let few = server.search("환불");
    assert!(few.get("total_is_lower_bound").is_none(), "an exact count keeps the design's shape: {few}");
    assert!(few["total"].as_u64().is_some_and(|n| (1..1000).contains(&n)), "{few}");
    let page = server.get(&format!("/?q={}", encode("환불")));
    assert!(page.body.contains(&format!("검색 결과 {}개</h2>", few["total"])), "{}", page.body);
}
