//! The query log over real HTTP: searches and events logged off the request
//! path into a real SQLite file, personal data masked before it is stored,
//! the admin report behind its token, and no committed record lost to a crash.

mod util;

use std::time::Duration;

use serde_json::json;
use util::{HelpCenter, REFUND_FAQ, Server, encode};

const TOKEN: &str = "s3cret-admin-token";

fn help_center() -> HelpCenter {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    hc
}

/// A server without request or vote limits: these tests send one session's
/// dozens of votes on purpose.
fn serve(hc: &HelpCenter) -> Server {
    hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN), ("DOUMI_RATE_LIMIT_PER_MINUTE", "0"), ("DOUMI_VOTES_PER_SESSION", "0")], &[])
}

fn search_as(server: &Server, session: &str, q: &str) -> serde_json::Value {
    let answer = server.request("GET", &format!("/api/search?source=widget&q={}", encode(q)), &[("x-doumi-session", session)], None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

fn event(server: &Server, body: serde_json::Value) -> util::Answer {
    server.post_json("/api/events", &body, &[])
}

/// Every byte of the log: the database and its write-ahead log.
fn log_bytes(hc: &HelpCenter) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-journal"] {
        if let Ok(b) = std::fs::read(hc.root().join(format!("index/queries.sqlite3{suffix}"))) {
            bytes.extend(b);
        }
    }
    assert!(!bytes.is_empty(), "no query log was written");
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn metric(server: &Server, name: &str) -> u64 {
    let body = server.get("/metrics").body;
    body.lines().find_map(|l| l.strip_prefix(&format!("{name} "))).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no {name} in {body}"))
}

#[test]
fn searches_and_events_reach_the_gap_report_over_http_and_on_the_command_line() {
    let hc = help_center();
    let mut server = serve(&hc);
    // Found and helped.
    let found = search_as(&server, "customer-0001", "환불 언제 돼요");
    let query_id = found["query_id"].as_str().unwrap();
    let click = event(&server, json!({"query_id": query_id, "type": "click", "article_id": "refund", "rank": 1}));
    assert_eq!((click.status, click.json()["recorded"].as_bool()), (202, Some(true)), "{}", click.body);
    assert_eq!(event(&server, json!({"query_id": query_id, "type": "helpful", "article_id": "refund"})).status, 202);
    // Not answered, twice, by two customers who left their phone number; one
    // of them contacts support.
    let missed = search_as(&server, "customer-0002", "제휴 문의 010-1234-5678");
    search_as(&server, "customer-0003", "제휴문의 01012345678");
    let contact = event(&server, json!({"query_id": missed["query_id"], "type": "contact_support"}));
    assert_eq!(contact.status, 202, "{}", contact.body);

    // The admin report: 401 without the token, 403 with a wrong one.
    let none = server.get("/api/admin/report");
    assert_eq!((none.status, none.error_code().as_str()), (401, "unauthorized"));
    assert_eq!(none.header("www-authenticate"), Some("Bearer"));
    let wrong = server.request("GET", "/api/admin/report", &[("authorization", "Bearer not-the-token")], None);
    assert_eq!((wrong.status, wrong.error_code().as_str()), (403, "forbidden"));
    let bearer = format!("Bearer {TOKEN}");
    let auth = [("authorization", bearer.as_str())];
    let report = server.request("GET", "/api/admin/report?since=7d", &auth, None);
    assert_eq!(report.status, 200, "{}", report.body);
    let report = report.json();
    assert_eq!(report["kpis"]["searches"], 3);
    assert_eq!(report["kpis"]["sessions"], 3);
    assert_eq!(report["kpis"]["escalations"], 1);
    let gap = &report["gaps"][0];
    assert_eq!(gap["count"], 2, "{report:#}");
    assert!(gap["representative"].as_str().unwrap().starts_with("제휴"), "{gap}");
    assert!(gap["representative"].as_str().unwrap().contains("[전화번호]"), "{gap}");
    assert_eq!(gap["action"]["kind"], "write_article");
    assert_eq!(gap["outcomes"]["contact_support"], 1);
    let csv = server.request("GET", "/api/admin/report?format=csv", &auth, None);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv.body.starts_with("rank,representative,searches"), "{}", csv.body);
    let bad = server.request("GET", "/api/admin/report?since=forever", &auth, None);
    assert_eq!((bad.status, bad.error_code().as_str()), (400, "bad_parameter"));

    // After a graceful stop everything is on disk, and the CLI reads it.
    server.stop();
    let run = hc.run(&["report", "--since", "7d", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let cli = run.json();
    assert_eq!(cli["kpis"], report["kpis"]);
    assert_eq!(cli["gaps"][0]["count"], 2);
    // Nothing in a refund-only help center comes close to partnerships.
    assert_eq!(cli["gaps"][0]["closest"], serde_json::Value::Null, "{cli:#}");
    let md = hc.run(&["report"]);
    assert!(md.stdout.contains("## Gaps to fill"), "{}", md.stdout);
    // The phone numbers were masked before they were stored.
    let bytes = log_bytes(&hc);
    for raw in ["010-1234-5678", "01012345678", "1234-5678"] {
        assert!(!contains(&bytes, raw), "{raw} is in the query log");
    }
}

#[test]
fn personal_data_in_queries_and_comments_never_reaches_the_database() {
    let hc = help_center();
    let mut server = serve(&hc);
    let raw = [
        "010-9876-5432",
        "01098765432",
        "+82 10 9876 5432",
        "02-987-6543",
        "850505-1987654",
        "8505051987654",
        "someone.private@example.co.kr",
        "4111 1111 1111 1111",
        "5500000000000004",
        "110-987-654321",
        "3333-09-8765432",
        "2024112398765",
    ];
    let mut ids = Vec::new();
    for (i, value) in raw.iter().enumerate() {
        // Bare, and glued to Korean as customers type it.
        search_as(&server, "customer-pii1", &format!("환불 {value}"));
        let response = search_as(&server, "customer-pii1", &format!("제번호는{value}이에요 환불"));
        ids.push((response["query_id"].as_str().unwrap().to_string(), i));
    }
    for (id, i) in &ids {
        let vote = event(&server, json!({"query_id": id, "type": "not_helpful", "article_id": "refund", "comment": format!("연락주세요 {}", raw[*i])}));
        assert_eq!(vote.status, 202, "{}", vote.body);
    }
    server.stop();
    let bytes = log_bytes(&hc);
    for value in raw {
        assert!(!contains(&bytes, value), "{value} is in the query log");
    }
    // What was stored is still useful: the words around the placeholders.
    let run = hc.run(&["report", "--format", "json"]);
    assert_eq!(run.json()["kpis"]["searches"], 24, "{}", run.stderr);
    assert!(run.stdout.contains("[전화번호]") && run.stdout.contains("[카드번호]"), "{}", run.stdout);
}

#[test]
fn personal_data_behind_odd_separators_spellings_and_widths_never_reaches_the_database() {
    let hc = help_center();
    let mut server = serve(&hc);
    let raw = [
        "850505 - 1987654",
        "850505ㅡ1987654",
        "850505–1987654",
        "4111 - 1111 - 1111 - 1111",
        "4111–1111–1111–1111",
        "4111/1111/1111/1111",
        "110 - 987 - 654321",
        "110ㅡ987ㅡ654321",
        "20241123 - 98765",
        "010 - 9876 - 5432",
        "010 . 9876 . 5432",
        "010–9876–5432",
        "010\u{2212}9876\u{2212}5432",
        "010\u{2010}9876\u{2010}5432",
        "010ㅡ9876ㅡ5432",
        "010/9876/5432",
        "010_9876_5432",
        "010,9876,5432",
        "010~9876~5432",
        "O1O-9876-5432",
        "010\t9876\t5432",
        "010    9876    5432",
        "０１０-９８７６-５４３２",
        "공일공 구팔칠육 오사삼이",
        "secret.kim @ naver.com",
        "secretkim(at)naver.com",
        "secretkim at naver dot com",
        "secretkim골뱅이naver.com",
        "김비밀@naver.com",
        "secretkim@네이버.한국",
        "secretkim@naver,com",
        "secret.kim@naver.com010-9876-5432",
    ];
    let mut ids = Vec::new();
    for value in raw {
        let response = search_as(&server, "customer-pii2", &format!("환불 {value} 연락주세요"));
        ids.push((response["query_id"].as_str().unwrap().to_string(), value));
    }
    for (id, value) in &ids {
        let vote = event(&server, json!({"query_id": id, "type": "not_helpful", "article_id": "refund", "comment": format!("연락주세요{value}")}));
        assert_eq!(vote.status, 202, "{}", vote.body);
    }
    server.stop();
    let bytes = log_bytes(&hc);
    for value in raw {
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        assert!(!contains(&bytes, value), "{value:?} is in the query log");
        assert!(digits.len() < 9 || !contains(&bytes, &digits), "the digits of {value:?} are in the query log");
    }
    for local in ["secret.kim", "secretkim", "김비밀"] {
        assert!(!contains(&bytes, local), "{local} is in the query log");
    }
}

#[test]
fn events_with_bad_bodies_get_4xx_json_errors() {
    let hc = help_center();
    let server = serve(&hc);
    let query_id = search_as(&server, "customer-0009", "환불")["query_id"].as_str().unwrap().to_string();
    let post = |headers: &[(&str, &str)], body: &[u8]| server.request("POST", "/api/events", headers, Some(body));
    let json_type = [("content-type", "application/json")];
    let cases: Vec<(util::Answer, u16, &str)> = vec![
        (post(&[], br#"{"query_id":"x","type":"click"}"#), 415, "unsupported_media_type"),
        (post(&json_type, b"{not json"), 400, "malformed_json"),
        (post(&json_type, br#"{"query_id":"x"}"#), 422, "invalid_body"),
        (post(&json_type, format!(r#"{{"query_id":"{query_id}","type":"purchase"}}"#).as_bytes()), 422, "invalid_body"),
        (post(&json_type, format!(r#"{{"query_id":"{query_id}","type":"click","article_id":"refund","extra":1}}"#).as_bytes()), 422, "invalid_body"),
        (post(&json_type, format!(r#"{{"query_id":"{query_id}","type":"click"}}"#).as_bytes()), 422, "invalid_event"),
        (post(&json_type, br#"{"type":"contact_support"}"#), 422, "invalid_event"),
        (post(&json_type, br#"{"type":"helpful"}"#), 422, "invalid_event"),
        (post(&json_type, format!(r#"{{"query_id":"{query_id}","type":"click","article_id":"refund","rank":0}}"#).as_bytes()), 422, "invalid_event"),
        (post(&json_type, format!(r#"{{"query_id":"{query_id}","type":"click","article_id":"no-such-article"}}"#).as_bytes()), 422, "invalid_event"),
        (post(&json_type, br#"{"query_id":"not-a-uuid","type":"contact_support"}"#), 422, "invalid_event"),
        (post(&json_type, br#"{"query_id":"0190a6c0-0000-7000-8000-000000000000","type":"contact_support"}"#), 404, "unknown_query"),
        (
            post(&json_type, format!(r#"{{"query_id":"{query_id}","type":"not_helpful","comment":"{}"}}"#, "가".repeat(1001)).as_bytes()),
            422,
            "invalid_event",
        ),
        (post(&json_type, &vec![b' '; 20 * 1024]), 413, "body_too_large"),
        (post(&[("content-type", "application/json"), ("x-doumi-session", "세션")], br#"{"type":"helpful","article_id":"refund"}"#), 400, "bad_parameter"),
    ];
    for (i, (answer, status, code)) in cases.iter().enumerate() {
        assert_eq!((answer.status, answer.error_code().as_str()), (*status, *code), "case {i}: {}", answer.body);
    }
    // A vote on an article reached without a search is fine.
    let vote = post(&json_type, br#"{"type":"helpful","article_id":"refund"}"#);
    assert_eq!(vote.status, 202, "{}", vote.body);
    let wrong_method = server.get("/api/events");
    assert_eq!(wrong_method.status, 405);
    assert_eq!(metric(&server, "doumi_query_log_dropped_total"), 0);
}

#[test]
fn a_search_source_must_be_one_the_log_knows() {
    let hc = help_center();
    let server = serve(&hc);
    let answer = server.get("/api/search?q=%ED%99%98%EB%B6%88&source=robot");
    assert_eq!((answer.status, answer.error_code().as_str()), (400, "bad_parameter"));
}

#[test]
fn kill_9_during_heavy_logging_keeps_every_committed_record_and_a_sound_file() {
    let hc = help_center();
    let server = serve(&hc);
    let mut committed = Vec::new();
    for i in 0..200 {
        committed.push(search_as(&server, "customer-k9-1", &format!("환불 {i}"))["query_id"].as_str().unwrap().to_string());
    }
    // These are on disk once the writer says so.
    server.eventually(Duration::from_secs(10), |s| metric(s, "doumi_query_log_searches_total") >= 200);
    let server = std::sync::Arc::new(server);
    let load: Vec<_> = (0..3)
        .map(|t| {
            let server = server.clone();
            std::thread::spawn(move || {
                for i in 0..400 {
                    let url = format!("/api/search?q={}", encode(&format!("환불 계좌 {t} {i}")));
                    let Ok(answer) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| server.get(&url))) else { return };
                    if answer.status != 200 {
                        return;
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(400));
    let pid = server.child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-KILL", &pid]).status().unwrap().success());
    for thread in load {
        let _ = thread.join();
    }
    let store = doumi::analytics::Store::open(&hc.root().join("index/queries.sqlite3")).unwrap();
    store.check_integrity().unwrap();
    for id in &committed {
        assert!(store.has_search(id).unwrap(), "{id} was lost");
    }
    let (searches, _) = doumi::analytics::LogStore::counts(&store).unwrap();
    assert!(searches >= 200, "{searches}");
}

#[test]
fn a_derived_session_is_keyed_with_a_secret_no_one_else_holds() {
    let hc = help_center();
    let sessions = |hc: &HelpCenter| -> u64 {
        let run = hc.run(&["report", "--format", "json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()["kpis"]["sessions"].as_u64().unwrap()
    };
    // The same client (address and browser) without a session header, twice
    // on one server: one session.
    let mut server = serve(&hc);
    for q in ["환불", "환불 언제"] {
        assert_eq!(server.request("GET", &format!("/api/search?q={}", encode(q)), &[("user-agent", "Firefox/130")], None).status, 200);
    }
    server.stop();
    assert_eq!(sessions(&hc), 1);
    // A restarted server holds another secret: a derived id cannot be
    // recomputed from the address by anyone, the server after a restart included.
    let mut server = serve(&hc);
    assert_eq!(server.request("GET", &format!("/api/search?q={}", encode("환불")), &[("user-agent", "Firefox/130")], None).status, 200);
    server.stop();
    assert_eq!(sessions(&hc), 2);
}

#[test]
fn head_requests_and_other_sites_loading_a_search_as_an_image_are_not_logged() {
    let hc = help_center();
    let mut server = serve(&hc);
    assert_eq!(server.request("HEAD", "/api/search?q=%ED%99%98%EB%B6%88", &[], None).status, 200);
    assert_eq!(server.request("GET", "/?q=%ED%99%98%EB%B6%88", &[("sec-fetch-dest", "image"), ("sec-fetch-site", "cross-site")], None).status, 200);
    assert_eq!(server.request("GET", "/api/search?q=%ED%99%98%EB%B6%88", &[("sec-fetch-dest", "script")], None).status, 200);
    // A customer's own search is.
    assert_eq!(server.request("GET", "/?q=%ED%99%98%EB%B6%88", &[("sec-fetch-dest", "document")], None).status, 200);
    server.stop();
    let run = hc.run(&["report", "--format", "json"]);
    assert_eq!(run.json()["kpis"]["searches"], 1, "{}", run.stdout);
}

#[test]
fn an_event_sent_twice_with_its_id_is_stored_once() {
    let hc = help_center();
    let mut server = serve(&hc);
    let query_id = search_as(&server, "customer-retry1", "환불")["query_id"].as_str().unwrap().to_string();
    let vote = json!({"id": "0b9f8f1e-5d55-4c1f-9a53-3c2f0a8c1d11", "query_id": query_id, "type": "helpful", "article_id": "refund"});
    // A load balancer retrying the same request.
    assert_eq!(event(&server, vote.clone()).status, 202);
    assert_eq!(event(&server, vote).status, 202);
    let bad = event(&server, json!({"id": "not-a-uuid", "query_id": query_id, "type": "helpful", "article_id": "refund"}));
    assert_eq!((bad.status, bad.error_code().as_str()), (422, "invalid_event"));
    server.stop();
    let report = hc.run(&["report", "--format", "json"]).json();
    assert_eq!(report["kpis"]["helpful_votes"], 1, "{report:#}");
}
