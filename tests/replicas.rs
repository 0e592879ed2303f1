//! Several `doumi serve` replicas of one help center: each reads its own
//! checkout of the content and keeps its own index, and `/healthz` tells
//! which content each one serves.

mod util;

use std::time::Duration;

use serde_json::json;
use util::nginx::Nginx;
use util::postgres::Postgres;
use util::{HelpCenter, REFUND_FAQ, Server, copy_tree, encode};

const TOKEN: &str = "replicas-admin-token";

fn content_of(server: &util::Server) -> String {
    server.get("/healthz").json()["content"].as_str().unwrap().to_string()
}

#[test]
fn replicas_of_the_same_content_agree_on_its_fingerprint_and_one_behind_differs() {
    let (a, b) = (HelpCenter::new(), HelpCenter::new());
    a.write("refund.md", REFUND_FAQ);
    a.write("shipping.md", "---\ntitle: 배송 안내\n---\n## 배송은 얼마나 걸리나요?\n1~3일 걸립니다.\n");
    // Another checkout, elsewhere on disk: the same files.
    copy_tree(&a.content(), &b.content());
    let (first, second) = (a.serve(&[], &[]), b.serve(&[], &[]));
    let fingerprint = content_of(&first);
    assert_eq!(fingerprint.len(), 16);
    assert_eq!(content_of(&second), fingerprint, "the same content, wherever it is checked out");

    // The first replica pulls an edit; the second is behind until it does too.
    a.write("shipping.md", "---\ntitle: 배송 안내\n---\n## 배송은 얼마나 걸리나요?\n2~3일 걸립니다.\n");
    first.eventually(std::time::Duration::from_secs(10), |s| content_of(s) != fingerprint);
    assert_eq!(content_of(&second), fingerprint);
    b.write("shipping.md", "---\ntitle: 배송 안내\n---\n## 배송은 얼마나 걸리나요?\n2~3일 걸립니다.\n");
    let updated = content_of(&first);
    second.eventually(std::time::Duration::from_secs(10), |s| content_of(s) == updated);
}

/// A replica of `hc`'s content in a checkout of its own, logging to `url`.
fn replica(hc: &HelpCenter, url: &str) -> (HelpCenter, Server) {
    let checkout = HelpCenter::new();
    copy_tree(&hc.content(), &checkout.content());
    let server = replica_of(&checkout, url, "127.0.0.1:0");
    (checkout, server)
}

/// `doumi serve` of `checkout` on `addr`, as every replica here is set up.
fn replica_of(checkout: &HelpCenter, url: &str, addr: &str) -> Server {
    let env = [
        ("DOUMI_QUERY_LOG", url),
        ("DOUMI_ADMIN_TOKEN", TOKEN),
        ("DOUMI_RATE_LIMIT_PER_MINUTE", "0"),
        ("DOUMI_SESSIONS_PER_CLIENT", "0"),
        // nginx on this machine forwards the customers' addresses.
        ("DOUMI_TRUSTED_PROXIES", "[\"127.0.0.1\"]"),
    ];
    checkout.serve_at(addr, &env, &[])
}

/// A PostgreSQL server, a help center, and two replicas of it logging to
/// one database there.
struct Cluster {
    pg: Postgres,
    url: String,
    hc: HelpCenter,
    first: Server,
    second: Server,
    _checkouts: [HelpCenter; 2],
}

impl Cluster {
    fn start() -> Option<Cluster> {
        let pg = Postgres::start()?;
        let url = pg.database("doumi");
        let hc = HelpCenter::new();
        hc.write("refund.md", REFUND_FAQ);
        let (a, first) = replica(&hc, &url);
        let (b, second) = replica(&hc, &url);
        Some(Cluster { pg, url, hc, first, second, _checkouts: [a, b] })
    }
}

fn report(server: &Server) -> serde_json::Value {
    let answer = server.request("GET", "/api/admin/report?since=1d", &[("authorization", &format!("Bearer {TOKEN}"))], None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

#[test]
fn replicas_share_one_log_in_postgresql_and_every_report_agrees() {
    let Some(cluster) = Cluster::start() else { return };
    let Cluster { pg, url, hc, first, second, .. } = &cluster;
    let replicas = [first, second];

    // 200 customers from 4 threads, each search on one replica or the other;
    // 6 of them ask what no article answers, 3 on each replica.
    let ids: Vec<(usize, String)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|t| {
                scope.spawn(move || {
                    (0..50)
                        .map(|i| {
                            let n = t * 50 + i;
                            let q = if n < 6 { "제휴 입점 문의" } else { ["환불 언제 돼요", "환불 계좌", "부분 환불"][n % 3] };
                            let answer = replicas[n % 2].request("GET", &format!("/api/search?q={}", encode(q)), &[("x-doumi-session", &format!("replica-customer-{n:04}"))], None);
                            assert_eq!(answer.status, 200, "{}", answer.body);
                            (n, answer.json()["query_id"].as_str().unwrap().to_string())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    let count = |table: &str| pg.query("doumi", &format!("SELECT count(*) FROM {table}"));
    first.eventually(Duration::from_secs(10), |_| count("searches") == "200");

    // 30 clicks, each on the replica that did not answer the search.
    for (n, id) in ids.iter().filter(|(n, _)| *n >= 6).take(30) {
        let click = json!({"query_id": id, "type": "click", "article_id": "refund", "rank": 1});
        let answer = replicas[(n + 1) % 2].post_json("/api/events", &click, &[]);
        assert_eq!(answer.status, 202, "{}", answer.body);
    }
    first.eventually(Duration::from_secs(10), |_| count("events") == "30");

    let (a, b) = (report(first), report(second));
    assert_eq!(a["kpis"], b["kpis"], "both replicas read the same log");
    assert_eq!(a["kpis"]["searches"], 200);
    assert_eq!(a["kpis"]["sessions"], 200);
    let gap = a["gaps"].as_array().unwrap().iter().find(|g| g["representative"] == "제휴 입점 문의").expect("the gap");
    assert_eq!((gap["count"].as_u64(), gap["sessions"].as_u64()), (Some(6), Some(6)), "one gap of the customers of both replicas: {gap:#}");
    let cli = hc.run_with_env(&["report", "--format", "json", "--since", "1d"], &[("DOUMI_QUERY_LOG", url)]);
    assert_eq!(cli.json()["kpis"], a["kpis"], "`doumi report` reads the same log: {}", cli.stderr);
}

#[test]
fn admin_sessions_in_postgresql_hold_on_every_replica() {
    let Some(cluster) = Cluster::start() else { return };
    let Cluster { pg, first, second, .. } = &cluster;
    let signed = first.request("POST", "/admin/login", &[("content-type", "application/x-www-form-urlencoded")], Some(format!("token={TOKEN}").as_bytes()));
    assert_eq!(signed.status, 303);
    let cookie = signed.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let page = second.request("GET", "/admin/report", &[("cookie", &cookie)], None);
    assert!(page.body.contains("class=\"tile\""), "signed in on one replica, the other knows the session: {}", page.body);
    let out = second.request("POST", "/admin/logout", &[("cookie", &cookie)], None);
    assert_eq!(out.status, 303);
    assert!(!first.request("GET", "/admin/report", &[("cookie", &cookie)], None).body.contains("class=\"tile\""));
    assert_eq!(pg.query("doumi", "SELECT count(*) FROM admin_sessions"), "0");
}

fn metric(server: &Server, name: &str) -> f64 {
    let text = server.get("/metrics").body;
    text.lines().find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok())).unwrap_or_else(|| panic!("no {name} in {text}"))
}

fn query_log_health(server: &Server) -> (String, String) {
    let health = server.get("/healthz").json();
    (health["status"].as_str().unwrap().to_string(), health["query_log"].as_str().unwrap().to_string())
}

#[test]
fn postgresql_away_for_ten_seconds_loses_nothing_and_fails_no_search() {
    let Some(cluster) = Cluster::start() else { return };
    let Cluster { pg, first, second, .. } = &cluster;
    let replicas = [first, second];
    let stop = std::sync::atomic::AtomicBool::new(false);
    let count = |table: &str| pg.query("doumi", &format!("SELECT count(*) FROM {table}"));
    let (searches, events) = std::thread::scope(|scope| {
        // Two customers' worth of load, each on a replica, until told to stop.
        let load: Vec<_> = (0..2)
            .map(|t| {
                let stop = &stop;
                scope.spawn(move || {
                    let (mut searches, mut events) = (0u64, 0u64);
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let server = replicas[t];
                        let session = format!("outage-{t}-{searches:05}");
                        let answer = server.request("GET", &format!("/api/search?q={}", encode("환불 언제 돼요")), &[("x-doumi-session", &session)], None);
                        assert_eq!(answer.status, 200, "a search failed: {}", answer.body);
                        searches += 1;
                        if searches % 5 == 0 {
                            // A click on the replica that answered, and one on the other.
                            let id = answer.json()["query_id"].as_str().unwrap().to_string();
                            for clicked in [server, replicas[1 - t]] {
                                let click = json!({"query_id": id, "type": "click", "article_id": "refund", "rank": 1});
                                let answer = clicked.post_json("/api/events", &click, &[("x-doumi-session", &session)]);
                                assert_eq!(answer.status, 202, "an event failed: {}", answer.body);
                                events += 1;
                            }
                        }
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    (searches, events)
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs(1));
        pg.halt();
        first.eventually(Duration::from_secs(10), |s| query_log_health(s).0 == "degraded");
        let (_, why) = query_log_health(first);
        assert!(why.contains("spool"), "{why}");
        std::thread::sleep(Duration::from_secs(10));
        assert!(metric(first, "doumi_query_log_spooled") > 0.0 && metric(second, "doumi_query_log_spooled") > 0.0);
        pg.resume();
        std::thread::sleep(Duration::from_secs(1));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        load.into_iter().map(|l| l.join().unwrap()).fold((0, 0), |(s, e), (s2, e2)| (s + s2, e + e2))
    });
    for server in replicas {
        server.eventually(Duration::from_secs(15), |s| query_log_health(s) == ("ok".to_string(), "ok".to_string()));
        assert_eq!(metric(server, "doumi_query_log_spooled"), 0.0);
        assert_eq!(metric(server, "doumi_query_log_dropped_total"), 0.0);
    }
    first.eventually(Duration::from_secs(10), |_| count("searches") == searches.to_string() && count("events") == events.to_string());
    assert!(searches > 100, "the load ran through the outage: {searches} searches");
}

#[test]
fn records_spooled_when_a_replica_is_killed_are_delivered_once_after_its_restart() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("doumi");
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let (checkout, mut server) = replica(&hc, &url);
    server.search("환불");
    let count = || pg.query("doumi", "SELECT count(*) FROM searches");
    server.eventually(Duration::from_secs(10), |_| count() == "1");
    pg.halt();
    for n in 0..40 {
        let answer = server.request("GET", &format!("/api/search?q={}", encode("부분 환불")), &[("x-doumi-session", &format!("spooled-{n:04}"))], None);
        assert_eq!(answer.status, 200);
    }
    server.eventually(Duration::from_secs(10), |s| metric(s, "doumi_query_log_spooled") == 40.0);
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    pg.resume();
    // Restarted with the log given as a flag rather than in the environment.
    let env = [("DOUMI_ADMIN_TOKEN", TOKEN), ("DOUMI_RATE_LIMIT_PER_MINUTE", "0")];
    let restarted = checkout.serve(&env, &["--query-log", &url]);
    restarted.eventually(Duration::from_secs(15), |s| metric(s, "doumi_query_log_spooled") == 0.0);
    assert_eq!(count(), "41", "every spooled search, once");
    assert_eq!(pg.query("doumi", "SELECT count(DISTINCT id) FROM searches"), "41");
}

#[test]
fn log_export_copies_a_sqlite_log_to_postgresql_once_however_often_it_runs() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("moved");
    let hc = HelpCenter::bundled();
    let queries = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/queries.jsonl");
    let made = hc.run(&["simulate", "--queries", queries.to_str().unwrap(), "--sessions", "300", "--days", "14", "--log", "index/old.sqlite3"]);
    assert!(made.code == 0, "{}", made.stderr);
    let before = hc.run(&["report", "--format", "json", "--since", "30d", "--log", "index/old.sqlite3"]).json();
    let copy = || hc.run(&["log", "export", "--log", "index/old.sqlite3", "--to", &url]);
    let first = copy();
    assert!(first.code == 0, "{}", first.stderr);
    let counts = || (pg.query("moved", "SELECT count(*) FROM searches"), pg.query("moved", "SELECT count(*) FROM events"));
    let copied = counts();
    assert_ne!(copied.0, "0");
    assert!(first.stderr.contains(&format!("it now holds {} searches and {} events", copied.0, copied.1)), "{}", first.stderr);
    assert!(copy().code == 0);
    assert_eq!(counts(), copied, "a second run copies nothing twice");
    let after = hc.run_with_env(&["report", "--format", "json", "--since", "30d"], &[("DOUMI_QUERY_LOG", &url)]).json();
    assert_eq!(after["kpis"], before["kpis"], "the report reads the same from the moved log");
    assert_eq!(after["gaps"], before["gaps"]);
    let refused = hc.run(&["log", "export", "--log", "index/old.sqlite3", "--to", "index/other.sqlite3"]);
    assert!(refused.code != 0 && refused.stderr.contains("--to must be a PostgreSQL URL"), "{}", refused.stderr);
}

/// Requests through nginx, as customers send them.
struct Customer {
    agent: ureq::Agent,
    base: String,
}

impl Customer {
    fn new(base: &str) -> Customer {
        Customer { agent: ureq::Agent::config_builder().http_status_as_error(false).build().into(), base: base.to_string() }
    }

    fn send(&self, request: ureq::http::request::Builder, body: Option<String>) -> (u16, String) {
        let result = match body {
            Some(b) => self.agent.run(request.header("content-type", "application/json").body(b).unwrap()),
            None => self.agent.run(request.body(()).unwrap()),
        };
        let mut response = result.unwrap();
        (response.status().as_u16(), response.body_mut().read_to_string().unwrap_or_default())
    }

    fn search(&self, q: &str, session: &str) -> (u16, String) {
        let uri = format!("{}/api/search?q={}", self.base, encode(q));
        self.send(ureq::http::Request::get(uri).header("x-doumi-session", session), None)
    }

    /// Posts an event with an id of its own, as the widget does.
    fn event(&self, mut body: serde_json::Value, session: &str) -> (u16, String) {
        body["id"] = json!(uuid::Uuid::new_v4().to_string());
        let uri = format!("{}/api/events", self.base);
        self.send(ureq::http::Request::post(uri).header("x-doumi-session", session), Some(body.to_string()))
    }
}

#[test]
fn two_replicas_behind_nginx_answer_every_request_and_log_each_once() {
    let Some(cluster) = Cluster::start() else { return };
    let Cluster { pg, url, hc, first, second, .. } = &cluster;
    let Some(nginx) = Nginx::start(&[&first.base, &second.base]) else { return };
    // 2,000 searches and 300 events from 8 concurrent customers' browsers;
    // 16 searches, none followed by an event, ask what no article answers.
    let kinds = |i: usize| match i {
        0..150 => "helpful",
        150..250 => "not_helpful",
        _ => "contact_support",
    };
    std::thread::scope(|scope| {
        for t in 0..8 {
            let base = nginx.base.clone();
            scope.spawn(move || {
                let customer = Customer::new(&base);
                for i in 0..250 {
                    let n = t * 250 + i;
                    let session = format!("nginx-customer-{n:05}");
                    let q = if i >= 240 && i % 5 == 0 { "제휴 입점 문의" } else { ["환불 언제 돼요", "배송 조회", "부분 환불", "비밀번호 변경"][n % 4] };
                    let (status, body) = customer.search(q, &session);
                    assert_eq!(status, 200, "{body}");
                    if i < 300 / 8 + usize::from(t < 300 % 8) {
                        let e = t + 8 * i;
                        let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["query_id"].as_str().unwrap().to_string();
                        let (status, body) = customer.event(json!({"query_id": id, "type": kinds(e), "article_id": "refund"}), &session);
                        assert_eq!(status, 202, "{body}");
                    }
                }
            });
        }
    });
    let count = |table: &str| pg.query("doumi", &format!("SELECT count(*) FROM {table}"));
    first.eventually(Duration::from_secs(15), |_| count("searches") == "2000" && count("events") == "300");
    for replica in [first, second] {
        let served = replica.get("/metrics").body;
        assert!(served.lines().any(|l| l.starts_with("doumi_http_requests_total{route=\"/api/search\"") && !l.ends_with(" 0")), "each replica answered searches");
    }
    let (a, b) = (report(first), report(second));
    assert_eq!(a["kpis"], b["kpis"]);
    let k = &a["kpis"];
    assert_eq!((k["searches"].as_u64(), k["helpful_votes"].as_u64(), k["not_helpful_votes"].as_u64(), k["escalations"].as_u64()), (Some(2000), Some(150), Some(100), Some(50)), "{k:#}");
    let gap = a["gaps"].as_array().unwrap().iter().find(|g| g["representative"] == "제휴 입점 문의").expect("the gap");
    assert_eq!((gap["count"].as_u64(), gap["sessions"].as_u64()), (Some(16), Some(16)), "one gap across replicas: {gap:#}");
    let cli = hc.run_with_env(&["report", "--format", "json", "--since", "1d"], &[("DOUMI_QUERY_LOG", url)]);
    assert_eq!(cli.json()["kpis"], a["kpis"]);
}

#[test]
fn replicas_upgraded_one_at_a_time_behind_nginx_fail_no_request() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("doumi");
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let checkouts = [HelpCenter::new(), HelpCenter::new()];
    let addrs: Vec<String> = (0..2).map(|_| format!("127.0.0.1:{}", std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port())).collect();
    let mut replicas: Vec<Server> = checkouts
        .iter()
        .zip(&addrs)
        .map(|(checkout, addr)| {
            copy_tree(&hc.content(), &checkout.content());
            replica_of(checkout, &url, addr)
        })
        .collect();
    let bases: Vec<String> = replicas.iter().map(|r| r.base.clone()).collect();
    let Some(nginx) = Nginx::start(&[&bases[0], &bases[1]]) else { return };
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (searches, events) = std::thread::scope(|scope| {
        let load: Vec<_> = (0..4)
            .map(|t| {
                let (stop, base) = (&stop, nginx.base.clone());
                scope.spawn(move || {
                    let customer = Customer::new(&base);
                    let (mut searches, mut events) = (0u64, 0u64);
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let session = format!("upgrade-{t}-{searches:05}");
                        let (status, body) = customer.search("환불 언제 돼요", &session);
                        assert_eq!(status, 200, "a search failed during the upgrade: {body}");
                        searches += 1;
                        if searches % 4 == 0 {
                            let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["query_id"].as_str().unwrap().to_string();
                            let (status, body) = customer.event(json!({"query_id": id, "type": "click", "article_id": "refund", "rank": 1}), &session);
                            assert_eq!(status, 202, "an event failed during the upgrade: {body}");
                            events += 1;
                        }
                    }
                    (searches, events)
                })
            })
            .collect();
        // Each replica in turn, as docs/deploy.md says: stopped (SIGTERM),
        // started again on its port, and once it is ready, given nginx's
        // fail_timeout (3 s) to be tried again before the next one stops.
        for (i, replica) in replicas.iter_mut().enumerate() {
            std::thread::sleep(Duration::from_millis(500));
            replica.stop();
            std::thread::sleep(Duration::from_millis(300));
            *replica = replica_of(&checkouts[i], &url, &addrs[i]);
            std::thread::sleep(Duration::from_millis(3_500));
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        load.into_iter().map(|l| l.join().unwrap()).fold((0, 0), |(s, e), (s2, e2)| (s + s2, e + e2))
    });
    let count = |table: &str| pg.query("doumi", &format!("SELECT count(*) FROM {table}"));
    replicas[0].eventually(Duration::from_secs(10), |_| count("searches") == searches.to_string() && count("events") == events.to_string());
    assert!(searches > 100, "{searches} searches");
}

#[test]
fn a_replica_started_while_postgresql_is_away_spools_from_its_first_search() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("doumi");
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    pg.halt();
    let (_checkout, server) = replica(&hc, &url);
    let (status, why) = query_log_health(&server);
    assert_eq!(status, "degraded");
    assert!(why.contains("spooled"), "{why}");
    for n in 0..25 {
        let answer = server.request("GET", &format!("/api/search?q={}", encode("환불 언제")), &[("x-doumi-session", &format!("early-{n:04}"))], None);
        assert_eq!(answer.status, 200);
    }
    server.eventually(Duration::from_secs(10), |s| metric(s, "doumi_query_log_spooled") == 25.0);
    pg.resume();
    server.eventually(Duration::from_secs(15), |s| metric(s, "doumi_query_log_spooled") == 0.0);
    assert_eq!(pg.query("doumi", "SELECT count(*) FROM searches"), "25", "the tables were made on the first reach, and every search stored once");
    assert_eq!(query_log_health(&server), ("ok".to_string(), "ok".to_string()));
}

#[test]
fn the_connection_to_postgresql_is_encrypted_and_checked_as_the_url_says() {
    let Some((pg, ca)) = Postgres::start_with_tls() else { return };
    let url = pg.database("doumi");
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let encrypted = || pg.query("doumi", "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = 'doumi' AND s.ssl");
    // The default (prefer): encrypted, as the server offers TLS.
    let (_a, server) = replica(&hc, &url);
    server.search("환불");
    server.eventually(Duration::from_secs(10), |_| pg.query("doumi", "SELECT count(*) FROM searches") == "1");
    assert_ne!(encrypted(), "0", "doumi's connections are encrypted");
    drop(server);
    let report = |query: &str| hc.run(&["report", "--format", "json", "--log", &format!("{url}?{query}")]);
    // verify-full against the CA that signed the server's certificate.
    let ca = ca.to_str().unwrap();
    let verified = report(&format!("sslmode=verify-full&sslrootcert={ca}"));
    assert_eq!(verified.code, 0, "{}", verified.stderr);
    assert_eq!(verified.json()["kpis"]["searches"], 1);
    // By another name than the certificate's (127.0.0.1): verify-ca checks
    // the chain alone, verify-full the name too.
    let by_name = |query: &str| hc.run(&["report", "--format", "json", "--log", &format!("{}?{query}", url.replace("127.0.0.1", "localhost"))]);
    let chain_only = by_name(&format!("sslmode=verify-ca&sslrootcert={ca}"));
    assert_eq!(chain_only.code, 0, "{}", chain_only.stderr);
    assert_ne!(by_name(&format!("sslmode=verify-full&sslrootcert={ca}")).code, 0);
    // verify-full against the system's roots: this certificate is not theirs.
    let unknown = report("sslmode=verify-full");
    assert_ne!(unknown.code, 0);
    assert!(unknown.stderr.contains("certificate") || unknown.stderr.contains("TLS"), "{}", unknown.stderr);
    assert!(!unknown.stderr.contains("panicked"), "{}", unknown.stderr);
    // disable: in plain text.
    assert_eq!(report("sslmode=disable").code, 0);
    let bad = report("sslmode=sometimes");
    assert!(bad.code != 0 && bad.stderr.contains("sslmode must be"), "{}", bad.stderr);
}

#[test]
fn rows_past_the_retention_period_are_purged_from_postgresql_too() {
    let Some(cluster) = Cluster::start() else { return };
    let Cluster { pg, first, .. } = &cluster;
    first.search("환불");
    first.eventually(Duration::from_secs(10), |_| pg.query("doumi", "SELECT count(*) FROM searches") == "1");
    // A search and its click from 400 days ago, as an older log would hold them.
    pg.query(
        "doumi",
        "INSERT INTO searches (id, at_ms, session, source, query, normalized, total, confidence, hits) VALUES ('old-search', 1000, 's-old', 'api', '환불', '환불', 1, 0.9, '[]');
         INSERT INTO events (query_id, at_ms, session, kind, article_id, rank) VALUES ('old-search', 1000, 's-old', 'click', 'refund', 1)",
    );
    // A replica starting with the default retention (365 days) purges at its first batch.
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let (_checkout, replica) = replica(&hc, &cluster.url);
    replica.search("환불");
    replica.eventually(Duration::from_secs(10), |_| pg.query("doumi", "SELECT count(*) FROM searches WHERE id = 'old-search'") == "0");
    assert_eq!(pg.query("doumi", "SELECT count(*) FROM events WHERE query_id = 'old-search'"), "0");
    assert_eq!(pg.query("doumi", "SELECT count(*) FROM searches"), "2", "the recent searches stay");
    assert_eq!(metric(&replica, "doumi_query_log_purged_total"), 2.0);
}
