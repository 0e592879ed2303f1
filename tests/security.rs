//! The hardening of issue 14 over real HTTP: admin sessions, the sign-in
//! limit, sessions and votes a client may count as, forwarding headers
//! believed only from trusted proxies, and the operations address.

mod util;

use serde_json::json;
use util::{HelpCenter, REFUND_FAQ, Server, encode};

const TOKEN: &str = "security-admin-token";

fn help_center() -> HelpCenter {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    hc
}

fn form(server: &Server, path: &str, body: &str, headers: &[(&str, &str)]) -> util::Answer {
    let mut all = vec![("content-type", "application/x-www-form-urlencoded")];
    all.extend_from_slice(headers);
    server.request("POST", path, &all, Some(body.as_bytes()))
}

fn sign_in(server: &Server, headers: &[(&str, &str)]) -> util::Answer {
    form(server, "/admin/login", &format!("token={TOKEN}"), headers)
}

/// The `name=value` of a `Set-Cookie` header.
fn cookie_pair(answer: &util::Answer) -> String {
    answer.header("set-cookie").expect("a cookie").split(';').next().unwrap().to_string()
}

fn report_page(server: &Server, cookie: &str) -> util::Answer {
    server.request("GET", "/admin/report", &[("cookie", cookie)], None)
}

fn is_signed_in(page: &util::Answer) -> bool {
    page.status == 200 && page.body.contains("class=\"tile\"")
}

#[test]
fn admin_sessions_are_random_kept_server_side_and_end_at_logout() {
    let hc = help_center();
    let mut server = hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN), ("DOUMI_RATE_LIMIT_PER_MINUTE", "0")], &[]);
    let (first, second) = (sign_in(&server, &[]), sign_in(&server, &[]));
    assert_eq!((first.status, second.status), (303, 303));
    let (a, b) = (cookie_pair(&first), cookie_pair(&second));
    assert_ne!(a, b, "every sign-in gets its own random session");
    let id = a.strip_prefix("doumi_admin=").unwrap().to_string();
    assert_eq!(id.len(), 64, "256 random bits: {a}");
    let set = first.header("set-cookie").unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Max-Age=604800"), "{set}");
    assert!(!set.contains("Secure"), "plain HTTP from a direct client: {set}");
    assert!(is_signed_in(&report_page(&server, &a)) && is_signed_in(&report_page(&server, &b)));
    assert!(report_page(&server, &a).body.contains("action=\"/admin/logout\""), "the report page offers to sign out");

    let out = form(&server, "/admin/logout", "", &[("cookie", &a)]);
    assert_eq!(out.status, 303);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"), "the cookie is cleared");
    let after = report_page(&server, &a);
    assert!(!is_signed_in(&after) && after.body.contains("name=\"token\""), "the old cookie signs nobody in: {}", after.body);
    assert_eq!(server.request("GET", "/admin/report.csv", &[("cookie", &a)], None).status, 401);
    assert!(is_signed_in(&report_page(&server, &b)), "other sessions stay open");

    // The database holds hashes: a copy of it signs nobody in.
    server.stop();
    let bytes = std::fs::read(hc.root().join("index/queries.sqlite3")).unwrap();
    let wal = std::fs::read(hc.root().join("index/queries.sqlite3-wal")).unwrap_or_default();
    for file in [&bytes, &wal] {
        assert!(!file.windows(id.len()).any(|w| w == id.as_bytes()), "the session id is stored as given");
        assert!(!file.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()), "the token is stored");
    }
}

#[test]
fn an_admin_session_survives_a_restart_and_ends_when_the_token_changes() {
    let hc = help_center();
    let mut server = hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN)], &[]);
    let cookie = cookie_pair(&sign_in(&server, &[]));
    server.stop();
    let mut server = hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN)], &[]);
    assert!(is_signed_in(&report_page(&server, &cookie)), "sessions are in the database, not in memory");
    server.stop();
    let server = hc.serve(&[("DOUMI_ADMIN_TOKEN", "a-new-admin-token")], &[]);
    assert!(!is_signed_in(&report_page(&server, &cookie)), "a new token ends the sessions opened with the old one");
}

#[test]
fn the_admin_cookie_is_secure_over_https_as_a_trusted_proxy_says_or_when_configured() {
    let hc = help_center();
    let server = hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN), ("DOUMI_TRUSTED_PROXIES", "[\"127.0.0.1/32\"]")], &[]);
    let https = sign_in(&server, &[("x-forwarded-proto", "https"), ("x-forwarded-for", "198.51.100.7")]);
    assert!(https.header("set-cookie").unwrap().contains("; Secure"), "{:?}", https.header("set-cookie"));
    let plain = sign_in(&server, &[("x-forwarded-for", "198.51.100.7")]);
    assert!(!plain.header("set-cookie").unwrap().contains("Secure"));
    drop(server);
    // An untrusted client saying https is not believed …
    let server = hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN)], &[]);
    assert!(!sign_in(&server, &[("x-forwarded-proto", "https")]).header("set-cookie").unwrap().contains("Secure"));
    drop(server);
    // … and `secure_cookies` marks it whatever the request.
    let server = hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN), ("DOUMI_SECURE_COOKIES", "true")], &[]);
    assert!(sign_in(&server, &[]).header("set-cookie").unwrap().contains("; Secure"));
}

#[test]
fn sign_in_attempts_are_limited_per_client_wrong_bearer_tokens_included() {
    let hc = help_center();
    let server = hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN), ("DOUMI_RATE_LIMIT_PER_MINUTE", "0"), ("DOUMI_TRUSTED_PROXIES", "[\"127.0.0.1\"]")], &[]);
    let guesser = [("x-forwarded-for", "203.0.113.66")];
    for n in 0..10 {
        let wrong = form(&server, "/admin/login", &format!("token=guess-{n}"), &guesser);
        assert_eq!(wrong.status, 403, "attempt {n}");
    }
    let limited = sign_in(&server, &guesser);
    assert_eq!(limited.status, 429, "the 11th attempt in a minute, even with the right token: {}", limited.body);
    assert!(limited.header("retry-after").is_some() && limited.body.contains("로그인 시도가 너무 많습니다"));
    let bearer = server.request("GET", "/api/admin/report", &[("authorization", "Bearer guess"), guesser[0]], None);
    assert_eq!((bearer.status, bearer.error_code().as_str()), (429, "rate_limited"));
    // Another customer behind the same proxy signs in.
    assert_eq!(sign_in(&server, &[("x-forwarded-for", "203.0.113.67")]).status, 303);
    // Searching is not held back.
    assert_eq!(server.request("GET", "/api/search?q=x", &guesser, None).status, 200);
}

#[test]
fn a_client_counts_as_a_bounded_number_of_customers_a_day() {
    let hc = help_center();
    let mut server = hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN), ("DOUMI_RATE_LIMIT_PER_MINUTE", "0"), ("DOUMI_SESSIONS_PER_CLIENT", "3")], &[]);
    // One client poses as 12 customers asking what the content lacks. Every
    // search is logged; the customers are not believed past 3.
    for n in 0..12 {
        let session = format!("fake-customer-{n:02}");
        let answer = server.request("GET", &format!("/api/search?q={}", encode("제휴 입점 문의")), &[("x-doumi-session", &session)], None);
        assert_eq!(answer.status, 200);
    }
    let metrics = server.get("/metrics").body;
    assert!(metrics.contains("doumi_sessions_past_budget_total 9"), "{metrics}");
    server.eventually(std::time::Duration::from_secs(5), |s| s.get("/metrics").body.contains("doumi_query_log_searches_total 12"));
    server.stop();
    let report = hc.run(&["report", "--format", "json"]).json();
    assert_eq!(report["kpis"]["sessions"], 4, "3 sessions believed, and one for everything past them: {report:#}");
}

/// The vote form's token and cookie, as a browser that opened the article holds them.
fn vote_token(server: &Server, headers: &[(&str, &str)]) -> (String, String) {
    let page = server.request("GET", "/articles/refund", headers, None);
    let cookie = cookie_pair(&page);
    let token = page.body.split("name=\"token\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap().to_string();
    (cookie, token)
}

#[test]
fn a_vote_posted_from_another_site_is_refused() {
    let hc = help_center();
    let mut server = hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN), ("DOUMI_RATE_LIMIT_PER_MINUTE", "0")], &[]);
    let (cookie, token) = vote_token(&server, &[]);
    // What a hostile page's auto-submitted form sends: no cookie (SameSite)
    // or, at best, the cookie without the token it cannot read.
    for (body, headers) in [
        ("vote=not_helpful".to_string(), vec![]),
        ("vote=not_helpful".to_string(), vec![("cookie", cookie.as_str())]),
        (format!("vote=not_helpful&token={token}"), vec![]),
        ("vote=not_helpful&token=00000000000000000000000000000000".to_string(), vec![("cookie", cookie.as_str())]),
    ] {
        let refused = form(&server, "/articles/refund/feedback", &body, &headers);
        assert_eq!(refused.status, 403, "{body} {headers:?}");
        assert!(refused.body.contains("반영하지 않았습니다") && refused.body.contains("href=\"&#x2f;articles&#x2f;refund\""), "{}", refused.body);
    }
    let accepted = form(&server, "/articles/refund/feedback", &format!("vote=helpful&token={token}"), &[("cookie", &cookie)]);
    assert_eq!(accepted.status, 303);
    // The page keeps the browser's token rather than issuing a new one.
    let again = server.request("GET", "/articles/refund", &[("cookie", &cookie)], None);
    assert!(again.header("set-cookie").is_none() && again.body.contains(&token));
    server.stop();
    let report = hc.run(&["report", "--format", "json"]).json();
    assert_eq!((report["kpis"]["helpful_votes"].as_u64(), report["kpis"]["not_helpful_votes"].as_u64()), (Some(1), Some(0)), "{report:#}");
}

#[test]
fn a_session_may_vote_a_bounded_number_of_times_a_day() {
    let hc = help_center();
    let mut server = hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN), ("DOUMI_RATE_LIMIT_PER_MINUTE", "0"), ("DOUMI_VOTES_PER_SESSION", "2")], &[]);
    let (cookie, token) = vote_token(&server, &[]);
    let vote = || form(&server, "/articles/refund/feedback", &format!("vote=not_helpful&token={token}"), &[("cookie", &cookie)]);
    assert_eq!((vote().status, vote().status), (303, 303));
    let third = vote();
    assert_eq!(third.status, 429);
    assert!(third.body.contains("평가가 너무 많습니다"), "{}", third.body);
    // The same budget through the API.
    let session = [("x-doumi-session", "api-voter-0001")];
    let api = |kind: &str| server.post_json("/api/events", &json!({"type": kind, "article_id": "refund"}), &session);
    assert_eq!((api("helpful").status, api("not_helpful").status), (202, 202));
    let refused = api("helpful");
    assert_eq!((refused.status, refused.error_code().as_str()), (429, "vote_limit"));
    assert!(server.get("/metrics").body.contains("doumi_votes_refused_total 2"));
    server.stop();
    let report = hc.run(&["report", "--format", "json"]).json();
    assert_eq!(report["kpis"]["not_helpful_votes"], 3, "{report:#}");
}

#[test]
fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    let hc = help_center();
    let limit = [("DOUMI_RATE_LIMIT_PER_MINUTE", "3")];
    let search = |server: &Server, from: &str| server.request("GET", "/api/search?q=x", &[("x-forwarded-for", from)], None).status;
    // Not trusted: forging X-Forwarded-For does not buy a fresh allowance.
    let server = hc.serve(&limit, &[]);
    let statuses: Vec<u16> = (0..4).map(|n| search(&server, &format!("198.51.100.{n}"))).collect();
    assert_eq!(statuses, [200, 200, 200, 429]);
    drop(server);
    // Behind a trusted proxy: each customer has their own allowance, and an
    // IPv6 customer's whole /64 shares one.
    let server = hc.serve(&[limit[0], ("DOUMI_TRUSTED_PROXIES", "[\"127.0.0.0/8\", \"::1\"]")], &[]);
    let a: Vec<u16> = (0..4).map(|_| search(&server, "198.51.100.1")).collect();
    assert_eq!(a, [200, 200, 200, 429]);
    assert_eq!(search(&server, "198.51.100.2"), 200, "another customer behind the proxy");
    let rotating: Vec<u16> = (1..=4).map(|n| search(&server, &format!("2001:db8:aa:bb::{n}"))).collect();
    assert_eq!(rotating, [200, 200, 200, 429], "rotating addresses within a /64");
    assert_eq!(search(&server, "2001:db8:aa:bc::1"), 200, "the next /64 is someone else");
    let forwarded = server.request("GET", "/api/search?q=x", &[("forwarded", "for=\"[2001:db8:aa:bb::9]\"")], None);
    assert_eq!(forwarded.status, 429, "`Forwarded` names the same /64");
}

#[test]
fn ops_addr_serves_metrics_and_details_apart_from_the_public_address() {
    let hc = help_center();
    hc.write("broken.md", "---\ntitle: [\n---\n");
    let mut server = hc.serve(&[("DOUMI_OPS_ADDR", "127.0.0.1:0"), ("DOUMI_SHUTDOWN_TIMEOUT_MS", "1000")], &[]);
    let ops = server.ops.clone().expect("the first line names the ops address");
    let public = server.get("/healthz");
    assert_eq!(public.status, 200);
    let public = public.json();
    assert_eq!(public["status"], "degraded");
    assert_eq!(public.as_object().unwrap().len(), 2, "the status and the content fingerprint only: no paths, no versions: {public}");
    assert_eq!(public["content"].as_str().unwrap().len(), 16);
    assert_eq!(server.get("/metrics").status, 404, "metrics are not public");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let details = agent.get(format!("{ops}/healthz")).call().unwrap().body_mut().read_to_string().unwrap();
    let details: serde_json::Value = serde_json::from_str(&details).unwrap();
    assert_eq!(details["status"], "degraded");
    assert!(details["errors"][0]["path"].as_str().unwrap().contains("broken.md"), "{details:#}");
    let metrics = agent.get(format!("{ops}/metrics")).call().unwrap().body_mut().read_to_string().unwrap();
    assert!(metrics.contains("doumi_index_entries"), "{metrics}");
    // A client that never finishes its request on the ops address does not
    // hold the process open past the shutdown deadline (1 s here).
    let mut half = std::net::TcpStream::connect(ops.trim_start_matches("http://")).unwrap();
    std::io::Write::write_all(&mut half, b"GET /healthz HTTP/1.1\r\nHost: ops\r\n").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let stopping = std::time::Instant::now();
    server.stop();
    assert!(stopping.elapsed() < std::time::Duration::from_secs(5), "stopped after {:?}", stopping.elapsed());
}
