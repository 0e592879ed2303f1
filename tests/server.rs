//! `doumi serve` over real HTTP on loopback: every endpoint and error code,
//! CORS, rate limiting, live reload of saved files, searches during reloads,
//! and a graceful stop.

mod util;

use std::time::Duration;

use util::{HelpCenter, REFUND_FAQ, Server, encode};

const SHIPPING_FAQ: &str = "---
title: 배송 안내
category: 배송
type: faq
---

## 배송은 얼마나 걸리나요?

결제 후 1~3영업일 안에 출고됩니다.
";

fn small_help_center() -> HelpCenter {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    hc.write("shipping.md", SHIPPING_FAQ);
    hc
}

#[test]
fn search_answers_in_the_design_shape() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    let body = server.search("환불 언제 돼요");
    let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["confidence", "hits", "query", "query_id", "took_ms", "total"]);
    let hit = &body["hits"][0];
    assert_eq!(hit["id"], "refund#환불은-언제-되나요");
    assert_eq!(hit["url"], "/articles/refund#환불은-언제-되나요");
    let keys: Vec<&str> = hit.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["article_id", "article_title", "category", "id", "score", "snippet", "title", "url"]);
    // Paging and the category filter.
    let page = server.get("/api/search?q=%ED%99%98%EB%B6%88&limit=1&offset=1").json();
    assert_eq!(page["hits"].as_array().unwrap().len(), 1);
    assert_ne!(page["hits"][0]["id"], body["hits"][0]["id"]);
    let other = server.get(&format!("/api/search?q={}&category={}", encode("안내"), encode("배송"))).json();
    assert!(other["hits"].as_array().unwrap().iter().all(|h| h["category"] == "배송"), "{other}");
}

#[test]
fn bad_requests_get_4xx_json_errors() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    let cases: Vec<(String, &str, u16, &str)> = vec![
        ("/api/search?q=x&limit=0".into(), "GET", 400, "bad_parameter"),
        ("/api/search?q=x&limit=51".into(), "GET", 400, "bad_parameter"),
        ("/api/search?q=x&limit=abc".into(), "GET", 400, "bad_parameter"),
        ("/api/search?q=x&offset=-1".into(), "GET", 400, "bad_parameter"),
        ("/api/search".into(), "GET", 400, "empty_query"),
        ("/api/search?q=%20%20".into(), "GET", 400, "empty_query"),
        (format!("/api/search?q={}", "a".repeat(5000)), "GET", 400, "query_too_long"),
        (format!("/api/search?q={}", encode(&"환".repeat(5000))), "GET", 414, "uri_too_long"),
        ("/api/search?q=%FF%FE".into(), "GET", 400, "bad_parameter"),
        ("/api/nothing".into(), "GET", 404, "not_found"),
        ("/api/articles/no-such-article".into(), "GET", 404, "not_found"),
        ("/api/articles/..%2F..%2Fetc%2Fpasswd".into(), "GET", 404, "not_found"),
        ("/api/search?q=x".into(), "POST", 405, "method_not_allowed"),
        ("/healthz".into(), "DELETE", 405, "method_not_allowed"),
    ];
    for (path, method, status, code) in cases {
        let answer = server.request(method, &path, &[], None);
        assert_eq!(answer.status, status, "{method} {}: {}", &path[..path.len().min(60)], answer.body);
        assert_eq!(answer.header("content-type"), Some("application/json"), "{path}");
        assert_eq!(answer.error_code(), code, "{}", &path[..path.len().min(60)]);
        assert!(!answer.json()["error"]["message"].as_str().unwrap().is_empty());
    }
    let near = server.get("/api/articles/refnd").json();
    assert_eq!(near["error"]["message"], "no article has the id `refnd` (did you mean `refund`?)");
}

#[test]
fn punctuation_and_emoji_queries_find_nothing_without_an_error() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    let body = server.search("😀?!");
    assert_eq!((body["total"].as_u64(), body["confidence"].as_f64()), (Some(0), Some(0.0)));
}

#[test]
fn articles_are_served_as_sanitized_html_with_anchors() {
    let hc = small_help_center();
    hc.write("unsafe.md", "---\ntitle: 위험\ntype: faq\n---\n## 스크립트\n<script>alert(1)</script>\n[눌러](javascript:alert(1)) <img src=x onerror=alert(1)>\n");
    let server = hc.serve(&[], &[]);
    let article = server.get("/api/articles/refund").json();
    assert_eq!(article["kind"], "faq");
    assert_eq!(article["sections"][0], serde_json::json!({"anchor": "환불은-언제-되나요", "title": "환불은 언제 되나요?"}));
    assert!(article["html"].as_str().unwrap().contains("<h2 id=\"환불은-언제-되나요\">"));
    let html = server.get("/api/articles/unsafe").json()["html"].as_str().unwrap().to_string();
    assert!(!html.contains("<script") && !html.contains("javascript:") && !html.contains("onerror"), "{html}");
}

#[test]
fn suggestions_complete_half_typed_korean() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    let body = server.get(&format!("/api/suggest?q={}", encode("환부"))).json();
    let texts: Vec<&str> = body["suggestions"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect();
    assert_eq!(texts.len(), 2, "{body}");
    assert!(texts.iter().all(|t| t.starts_with("환불")), "{body}");
    let body = server.get(&format!("/api/suggest?q={}", encode("배소"))).json();
    assert_eq!(body["suggestions"][0]["id"], "shipping#배송은-얼마나-걸리나요", "{body}");
}

#[test]
fn health_and_metrics_report_the_index() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    server.search("환불");
    server.search("전혀없는말");
    let health = server.get("/healthz").json();
    assert_eq!((health["status"].as_str(), health["entries"].as_u64()), (Some("ok"), Some(3)));
    let metrics = server.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(metrics.header("content-type").unwrap().starts_with("text/plain"));
    for line in [
        "doumi_http_requests_total{route=\"/api/search\",method=\"GET\",status=\"200\"} 2",
        "doumi_zero_result_searches_total 1",
        "doumi_index_entries 3",
        "doumi_http_request_duration_seconds_count{route=\"/api/search\"} 2",
    ] {
        assert!(metrics.body.lines().any(|l| l == line), "missing `{line}` in\n{}", metrics.body);
    }
}

#[test]
fn responses_carry_a_request_id_and_are_compressed_on_request_when_large_enough_to_pay() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    // A short answer fits a packet: compressing it would cost more than it saves.
    let answer = server.request("GET", "/api/search?q=x", &[("accept-encoding", "gzip")], None);
    assert!(answer.header("x-request-id").is_some_and(|id| id.len() >= 32));
    assert!(answer.body.len() < 1024, "{} bytes", answer.body.len());
    assert_eq!(answer.header("content-encoding"), None);
    let large = server.request("GET", "/api/openapi.json", &[("accept-encoding", "gzip")], None);
    assert_eq!(large.header("content-encoding"), Some("gzip"));
    let plain = server.request("GET", "/api/openapi.json", &[], None);
    assert_eq!(plain.header("content-encoding"), None);
    assert!(plain.body.len() > 1024, "{} bytes", plain.body.len());
    // A client's own plain id is kept, to follow a request across services;
    // one that could forge fields in the text log is replaced.
    let kept = server.request("GET", "/healthz", &[("x-request-id", "shop-req-1234_abcd")], None);
    assert_eq!(kept.header("x-request-id"), Some("shop-req-1234_abcd"));
    for forged in ["a\" admin=true level=error x=\"", "short", "id with spaces in it"] {
        let answer = server.request("GET", "/healthz", &[("x-request-id", forged)], None);
        let id = answer.header("x-request-id").unwrap();
        assert!(id != forged && id.len() >= 32 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'), "{forged:?} → {id:?}");
    }
}

#[test]
fn cors_allows_configured_origins_only() {
    let hc = small_help_center();
    let open = hc.serve(&[], &[]);
    let preflight = open.request(
        "OPTIONS",
        "/api/search?q=x",
        &[("origin", "https://shop.example"), ("access-control-request-method", "GET"), ("access-control-request-headers", "x-doumi-session")],
        None,
    );
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(preflight.header("access-control-allow-headers").unwrap().contains("x-doumi-session"));
    drop(open);
    let strict = hc.serve(&[("DOUMI_CORS_ORIGINS", "[\"https://shop.example\"]")], &[]);
    let allowed = strict.request("GET", "/api/search?q=x", &[("origin", "https://shop.example")], None);
    assert_eq!(allowed.header("access-control-allow-origin"), Some("https://shop.example"));
    let other = strict.request("GET", "/api/search?q=x", &[("origin", "https://evil.example")], None);
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[test]
fn rate_limit_refuses_a_client_over_its_quota() {
    let hc = small_help_center();
    let server = hc.serve(&[("DOUMI_RATE_LIMIT_PER_MINUTE", "5")], &[]);
    let statuses: Vec<u16> = (0..7).map(|_| server.get("/api/search?q=x").status).collect();
    assert_eq!(&statuses[..5], [200; 5]);
    let refused = server.get("/api/search?q=x");
    assert_eq!(refused.status, 429);
    assert_eq!(refused.error_code(), "rate_limited");
    assert!(refused.header("retry-after").is_some_and(|s| s.parse::<u64>().unwrap() >= 1));
    // Health checks are not rate limited.
    assert_eq!(server.get("/healthz").status, 200);
    drop(server);
    // The flag overrides the environment: 0 turns the limit off.
    let unlimited = hc.serve(&[("DOUMI_RATE_LIMIT_PER_MINUTE", "5")], &["--rate-limit-per-minute", "0"]);
    assert!((0..20).all(|_| unlimited.get("/api/search?q=x").status == 200));
}

#[test]
fn until_the_index_is_ready_the_api_answers_503() {
    let hc = HelpCenter::new();
    // No content folder: the index can never open, so the server stays starting.
    let server_dir = hc.root().join("missing");
    let server = {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_doumi"));
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--content"])
            .arg(&server_dir)
            .env("DOUMI_SEMANTIC", "false")
            .current_dir(hc.root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        util::Server::from_child(command.spawn().unwrap())
    };
    let answer = server.get("/api/search?q=x");
    assert_eq!((answer.status, answer.error_code().as_str()), (503, "not_ready"));
    // The first attempt to open the index runs beside the listener: its error
    // shows in /healthz once it has been made (within seconds, on a busy machine).
    let started = std::time::Instant::now();
    let error = loop {
        let health = server.get("/healthz");
        assert_eq!(health.status, 503);
        assert_eq!(health.json()["status"], "starting");
        let error = health.json()["last_reload"]["error"].as_str().unwrap_or_default().to_string();
        if !error.is_empty() || started.elapsed() > std::time::Duration::from_secs(10) {
            break error;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(error.contains("does not exist"), "{error}");
}

#[test]
fn a_saved_file_becomes_searchable_and_deleting_it_removes_it() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    assert_eq!(server.search("선물 포장")["total"], 0);
    hc.write("gift.md", "---\ntitle: 선물 포장\ntype: faq\n---\n## 선물 포장이 되나요?\n주문서에서 선물 포장(2,000원)을 고르세요.\n");
    server.eventually(Duration::from_secs(10), |s| s.search("선물 포장")["hits"][0]["id"] == "gift#선물-포장이-되나요");
    // Edited: the new answer is found, the old one is gone.
    hc.write("gift.md", "---\ntitle: 선물 포장\ntype: faq\n---\n## 선물 포장이 되나요?\n리본 포장은 3,000원입니다.\n");
    server.eventually(Duration::from_secs(10), |s| s.search("리본")["total"] == 1);
    assert_eq!(server.search("선물 포장")["hits"].as_array().unwrap().iter().filter(|h| h["article_id"] == "gift").count(), 1);
    // Renamed: found under its new id only.
    std::fs::rename(hc.content().join("gift.md"), hc.content().join("wrapping.md")).unwrap();
    server.eventually(Duration::from_secs(10), |s| s.search("리본")["hits"][0]["article_id"] == "wrapping");
    assert_eq!(server.search("리본")["total"], 1);
    // Deleted.
    std::fs::remove_file(hc.content().join("wrapping.md")).unwrap();
    server.eventually(Duration::from_secs(10), |s| s.search("리본")["total"] == 0);
    let article = server.get("/api/articles/wrapping");
    assert_eq!(article.status, 404, "{} {}", article.body, server.get("/healthz").body);
}

#[test]
fn a_broken_save_keeps_the_last_good_version_and_shows_the_error() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    hc.write("refund.md", "---\ntitle: [환불\ntype: faq\n---\n## 새 질문\n");
    server.eventually(Duration::from_secs(10), |s| s.get("/healthz").json()["status"] == "degraded");
    let health = server.get("/healthz").json();
    assert_eq!(health["errors"][0]["path"], "content/refund.md");
    assert_eq!(health["errors"][0]["line"], 2);
    assert!(health["errors"][0]["message"].as_str().unwrap().starts_with("front matter is not valid YAML"));
    // The last good version is still searchable and readable.
    assert_eq!(server.search("환불 계좌")["hits"][0]["id"], "refund#환불-계좌는-어디서-바꾸나요");
    assert_eq!(server.get("/api/articles/refund").status, 200);
    let metrics = server.get("/metrics").body;
    assert!(metrics.lines().any(|l| l == "doumi_index_reload_errors_total 1"), "{metrics}");
    // Fixed: healthy again.
    hc.write("refund.md", REFUND_FAQ);
    server.eventually(Duration::from_secs(10), |s| s.get("/healthz").json()["status"] == "ok");
}

#[test]
fn dictionary_edits_apply_without_a_restart() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    assert_eq!(server.search("리펀드")["total"], 0);
    hc.write("synonyms.txt", "리펀드 => 환불\n");
    server.eventually(Duration::from_secs(10), |s| s.search("리펀드")["total"].as_u64() > Some(0));
    hc.write("user-dictionary.txt", "환불계좌 = 환불 계좌\n");
    server.eventually(Duration::from_secs(10), |s| s.get("/healthz").json()["generation"].as_u64() >= Some(3));
    assert_eq!(server.search("환불계좌")["hits"][0]["id"], "refund#환불-계좌는-어디서-바꾸나요");
}

#[test]
fn searches_during_reloads_never_fail() {
    let hc = small_help_center();
    // Searches as fast as the server answers: the rate limit is not under test.
    let server = std::sync::Arc::new(hc.serve(&[("DOUMI_RATE_LIMIT_PER_MINUTE", "0")], &[]));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let searchers: Vec<_> = (0..3)
        .map(|_| {
            let (server, stop) = (server.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut done = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let answer = server.get(&format!("/api/search?q={}", encode("환불 배송")));
                    assert_eq!(answer.status, 200, "{}", answer.body);
                    done += 1;
                }
                done
            })
        })
        .collect();
    for i in 0..20 {
        hc.write(&format!("extra-{}.md", i % 4), format!("---\ntitle: 추가 {i}\ntype: faq\n---\n## 환불 배송 질문 {i}\n답 {i}.\n"));
        std::thread::sleep(Duration::from_millis(60));
    }
    server.eventually(Duration::from_secs(10), |s| s.get("/healthz").json()["entries"] == 7);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let searches: usize = searchers.into_iter().map(|t| t.join().unwrap()).sum();
    assert!(searches > 20, "only {searches} searches ran");
}

#[test]
fn a_restart_reuses_the_index_when_nothing_changed() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    drop(server);
    let meta = hc.root().join("index/search/meta.json");
    let before = std::fs::read(&meta).unwrap();
    let server = hc.serve(&[], &[]);
    assert_eq!(server.get("/healthz").json()["entries"], 3);
    assert_eq!(std::fs::read(&meta).unwrap(), before, "no commit on an unchanged start");
    drop(server);
    // Changed while stopped: applied at start, without a rebuild of the rest.
    hc.write("shipping.md", SHIPPING_FAQ.replace("1~3영업일", "2~4영업일"));
    let server = hc.serve(&[], &[]);
    assert_eq!(server.search("2~4영업일")["hits"][0]["article_id"], "shipping");
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    let hc = small_help_center();
    let mut server = hc.serve(&[], &[]);
    let status = std::process::Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            assert!(exit.success(), "{exit:?}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Checks `value` against an OpenAPI schema: types, required properties, and
/// no property the document does not describe.
fn conforms(value: &serde_json::Value, schema: &serde_json::Value, doc: &serde_json::Value, at: &str, errors: &mut Vec<String>) {
    use serde_json::Value;
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        return conforms(value, &doc["components"]["schemas"][name], doc, at, errors);
    }
    if let Some(options) = schema.get("oneOf").or(schema.get("anyOf")).and_then(Value::as_array) {
        let fits = options.iter().any(|o| {
            let mut e = Vec::new();
            conforms(value, o, doc, at, &mut e);
            e.is_empty()
        });
        if !fits {
            errors.push(format!("{at}: {value} fits none of {schema}"));
        }
        return;
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return,
    };
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if !types.iter().any(|t| *t == actual || (*t == "number" && actual == "integer")) {
        errors.push(format!("{at}: {actual} where the schema says {types:?}"));
        return;
    }
    match value {
        Value::Object(map) => {
            let properties = schema["properties"].as_object().cloned().unwrap_or_default();
            for required in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if !map.contains_key(required) {
                    errors.push(format!("{at}: required `{required}` missing"));
                }
            }
            for (key, v) in map {
                match properties.get(key) {
                    Some(s) => conforms(v, s, doc, &format!("{at}.{key}"), errors),
                    None => errors.push(format!("{at}: `{key}` is not in the document")),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                conforms(item, &schema["items"], doc, &format!("{at}[{i}]"), errors);
            }
        }
        _ => {}
    }
}

#[test]
fn real_responses_match_the_openapi_document() {
    let hc = small_help_center();
    let server = hc.serve(&[("DOUMI_ADMIN_TOKEN", "token-for-the-test")], &[]);
    let doc = server.get("/api/openapi.json").json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/search", "/api/suggest", "/api/articles/{id}", "/healthz", "/metrics"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} undocumented");
    }
    let response_schema = |path: &str, status: &str| doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"].clone();
    let mut errors = Vec::new();
    let checks = [
        (format!("/api/search?q={}", encode("환불 언제 돼요")), "/api/search", "200"),
        (format!("/api/search?q={}", encode("배숑")), "/api/search", "200"),
        (format!("/api/suggest?q={}", encode("환부")), "/api/suggest", "200"),
        ("/api/articles/refund".to_string(), "/api/articles/{id}", "200"),
        ("/api/articles/none".to_string(), "/api/articles/{id}", "404"),
        ("/api/search?q=x&limit=0".to_string(), "/api/search", "400"),
        ("/healthz".to_string(), "/healthz", "200"),
    ];
    for (url, path, status) in checks {
        let answer = server.get(&url);
        assert_eq!(answer.status.to_string(), status, "{url}");
        let schema = response_schema(path, status);
        assert!(schema.is_object(), "no schema for {path} {status}");
        conforms(&answer.json(), &schema, &doc, &url, &mut errors);
    }
    // The routes that are not GETs or need a token.
    let query_id = server.search("환불")["query_id"].as_str().unwrap().to_string();
    let schema = |path: &str, method: &str, status: &str| doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"].clone();
    let click = serde_json::json!({"query_id": query_id, "type": "click", "article_id": "refund", "rank": 1});
    for (body, status) in [(click, "202"), (serde_json::json!({"type": "click"}), "422")] {
        let answer = server.request("POST", "/api/events", &[("content-type", "application/json")], Some(body.to_string().as_bytes()));
        assert_eq!(answer.status.to_string(), status, "{}", answer.body);
        conforms(&answer.json(), &schema("/api/events", "post", status), &doc, "/api/events", &mut errors);
    }
    for (headers, status) in [(vec![("authorization", "Bearer token-for-the-test")], "200"), (vec![], "401")] {
        let answer = server.request("GET", "/api/admin/report", &headers, None);
        assert_eq!(answer.status.to_string(), status, "{}", answer.body);
        conforms(&answer.json(), &schema("/api/admin/report", "get", status), &doc, "/api/admin/report", &mut errors);
    }
    assert!(errors.is_empty(), "responses differ from the document:\n{}", errors.join("\n"));
}

#[test]
fn doumi_index_refuses_an_index_a_server_is_using() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    let run = hc.run(&["index"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "doumi: the index at `index/search` is in use by a running `doumi serve`, which keeps it up to date by itself; stop the server first or pass another --index\n"
    );
    assert_eq!(server.search("환불")["total"].as_u64(), Some(2), "the server is unaffected");
    drop(server);
    assert_eq!(hc.run(&["index"]).code, 0);
}

#[test]
fn a_repeated_search_gets_its_own_query_id_and_never_an_answer_older_than_the_index() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    let first = server.search("환불 계좌");
    let again = server.search("환불 계좌");
    assert_ne!(first["query_id"], again["query_id"], "each search is logged under its own id");
    assert_eq!(first["hits"], again["hits"]);
    assert_eq!(first["total"], again["total"]);
    // An edit makes a new generation; the remembered answer goes with the old one.
    hc.write("refund.md", REFUND_FAQ.replace("환불 계좌", "반품 계좌"));
    server.eventually(Duration::from_secs(10), |s| s.search("환불 계좌")["hits"] != first["hits"]);
}

#[test]
fn a_server_left_alone_stops_checking_the_content_folder() {
    let hc = small_help_center();
    hc.write("synonyms.txt", "리펀드 => 환불\n");
    let server = hc.serve(&[], &[]);
    hc.write("shipping.md", SHIPPING_FAQ.replace("배송", "택배"));
    server.eventually(Duration::from_secs(10), |s| s.search("리펀드")["total"].as_u64() > Some(0) && s.get("/healthz").json()["generation"].as_u64() >= Some(2));
    let syncs = |s: &Server| -> u64 {
        let metrics = s.get("/metrics").body;
        metrics.lines().find_map(|l| l.strip_prefix("doumi_index_syncs_total ")).expect("the sync counter").parse().unwrap()
    };
    // A sync reads the dictionaries; reading a file must not count as a change,
    // or each sync would set off the next and keep a core busy for nothing.
    server.eventually(Duration::from_secs(10), |s| {
        let before = syncs(s);
        std::thread::sleep(Duration::from_millis(1000));
        syncs(s) == before
    });
}

#[test]
fn the_log_written_to_a_file_or_pipe_has_no_colour_codes() {
    let hc = small_help_center();
    let log = hc.root().join("serve.log");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_doumi"));
    command
        .args(["serve", "--addr", "127.0.0.1:0"])
        .current_dir(hc.root())
        .env("DOUMI_LOG", "info")
        .env("DOUMI_SEMANTIC", "false")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap());
    let mut server = util::Server::from_child(command.spawn().unwrap());
    server.wait_ready();
    server.get("/api/search?q=환불");
    server.stop();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("index ready"), "{text}");
    assert!(!text.contains('\u{1b}'), "colour codes in the log: {text:?}");
}

#[test]
fn pages_carry_a_content_policy_and_a_frame_ban_and_every_answer_nosniff() {
    let hc = small_help_center();
    let server = hc.serve(&[], &[]);
    let page = server.get("/?q=환불");
    assert_eq!(page.status, 200);
    let policy = page.header("content-security-policy").unwrap_or_default().to_string();
    assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    for path in ["/?q=환불", "/api/search?q=환불", "/widget.js", "/healthz"] {
        let answer = server.get(path);
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(answer.header("referrer-policy"), Some("strict-origin-when-cross-origin"), "{path}");
    }
    // The widget is embedded on the shop's own pages: its script and the API
    // carry no frame ban or page policy.
    for path in ["/widget.js", "/api/search?q=환불"] {
        let answer = server.get(path);
        assert!(answer.header("x-frame-options").is_none() && answer.header("content-security-policy").is_none(), "{path}");
    }
}
