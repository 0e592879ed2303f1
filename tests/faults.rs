//! Faults: `kill -9` in the middle of indexing or of a live reload, and
//! hostile HTTP parameters against a live server.

mod util;

use std::process::{Command, Stdio};
use std::time::Duration;

use util::{HelpCenter, REFUND_FAQ};

fn bundled_entries() -> u64 {
    util::bundled_engine().entries()
}

#[test]
fn kill_9_during_doumi_index_leaves_an_index_the_next_start_serves() {
    for delay_ms in [30, 150, 400, 900] {
        let hc = HelpCenter::new();
        hc.write("old-refund.md", REFUND_FAQ);
        assert_eq!(hc.run(&["index"]).code, 0);
        // Now the whole bundled help center, indexed and killed part way.
        util::copy_tree(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content"), &hc.content());
        let mut index = Command::new(env!("CARGO_BIN_EXE_doumi")).arg("index").current_dir(hc.root()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = index.kill();
        let _ = index.wait();
        // The next start serves the old or the new index, then catches up.
        let server = hc.serve(&[], &[]);
        assert_eq!(server.search("환불")["hits"].as_array().map(|h| !h.is_empty()), Some(true), "after a kill at {delay_ms} ms");
        let expected = bundled_entries() + 2;
        let caught_up = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            server.eventually(Duration::from_secs(60), |s| s.get("/healthz").json()["entries"].as_u64() == Some(expected))
        }));
        assert!(caught_up.is_ok(), "expected {expected} entries: {}", server.get("/healthz").body);
        assert_eq!(server.get("/healthz").json()["status"], "ok", "{}", server.get("/healthz").body);
    }
}

#[test]
fn kill_9_during_live_reloads_leaves_an_index_the_next_start_serves() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let mut server = hc.serve(&[], &[]);
    for i in 0..40 {
        hc.write(&format!("extra-{}.md", i % 8), format!("---\ntitle: 추가 {i}\ntype: faq\n---\n## 배송 질문 {i}\n답 {i}.\n"));
        std::thread::sleep(Duration::from_millis(15));
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let server = hc.serve(&[], &[]);
    // Every file as saved last: refund (2 questions) and 8 extras (1 each).
    server.eventually(Duration::from_secs(30), |s| s.get("/healthz").json()["entries"].as_u64() == Some(10));
    assert_eq!(server.get("/healthz").json()["status"], "ok");
    assert_eq!(server.search("추가 39")["hits"][0]["article_id"], "extra-7");
}

#[test]
fn hostile_parameters_always_get_2xx_or_a_4xx_json_error() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let server = hc.serve(&[("DOUMI_RATE_LIMIT_PER_MINUTE", "0")], &[]);
    let mut rng = fastrand::Rng::with_seed(20261123);
    let pieces: [&[u8]; 14] = [b"%", b"%zz", b"%ff", b"%ed%a0%80", b"\xea\xb0", "환불".as_bytes(), b"+", b"&", b"=", b"#", b"../", b"\0", b"9999999999999999999999", b"-1"];
    let value = |rng: &mut fastrand::Rng| -> String {
        let mut bytes = Vec::new();
        for _ in 0..rng.usize(0..8) {
            if rng.bool() {
                bytes.extend_from_slice(pieces[rng.usize(..pieces.len())]);
            } else {
                bytes.push(rng.u8(..));
            }
        }
        // Whatever is not URL-safe is percent-encoded, as a client would send it.
        bytes
            .iter()
            .map(|&b| if b.is_ascii_alphanumeric() || b"%-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect()
    };
    let paths = ["/api/search", "/api/suggest", "/api/articles/", "/", "/articles/", "/api/admin/report", "/admin/report"];
    for _ in 0..300 {
        let path = paths[rng.usize(..paths.len())];
        let url = if path.ends_with('/') && path.len() > 1 {
            format!("{path}{}", value(&mut rng))
        } else {
            let keys = ["q", "limit", "offset", "category", "source", "since", "format", "qid"];
            let params: Vec<String> = (0..rng.usize(1..4)).map(|_| format!("{}={}", keys[rng.usize(..keys.len())], value(&mut rng))).collect();
            format!("{path}?{}", params.join("&"))
        };
        let answer = server.get(&url);
        let json = answer.header("content-type").is_some_and(|t| t.starts_with("application/json"));
        let html = answer.header("content-type").is_some_and(|t| t.starts_with("text/html"));
        match answer.status {
            200..=299 => {}
            400..=499 if json => {
                let _ = answer.error_code();
            }
            400..=499 if html => {}
            status => panic!("{url} → {status}: {}", answer.body),
        }
    }
    assert_eq!(server.get("/healthz").status, 200, "still serving");
}
