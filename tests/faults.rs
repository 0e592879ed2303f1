//! Faults: `kill -9` in the middle of indexing or of a live reload, and
//! hostile HTTP parameters against a live server.

mod util;

use std::process::{Command, Stdio};
use std::time::Duration;

use util::{HelpCenter, REFUND_FAQ, Server};

fn bundled_entries() -> u64 {
    util::bundled_engine().entries()
}

/// Articles enough that `doumi index` takes a couple of seconds, so that
/// every kill below lands in the middle of a build.
const BULK_ARTICLES: usize = 1000;

fn write_bulk(hc: &HelpCenter) {
    for i in 0..BULK_ARTICLES {
        let questions: String = (0..10).map(|q| format!("## 묶음 {i}의 질문 {q}은 무엇인가요?\n답변 {i}-{q}: 배송과 환불과 교환에 대한 안내입니다.\n\n")).collect();
        hc.write(&format!("bulk/bulk-{i}.md"), format!("---\ntitle: 묶음 {i}\ntype: faq\n---\n{questions}"));
    }
}

#[test]
fn kill_9_during_doumi_index_leaves_an_index_the_next_start_serves() {
    // How long a whole build takes here; the kills land at shares of it.
    let whole = HelpCenter::new();
    util::copy_tree(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content"), &whole.content());
    write_bulk(&whole);
    let started = std::time::Instant::now();
    assert_eq!(whole.run(&["index"]).code, 0);
    let build_ms = started.elapsed().as_millis() as u64;
    for planned_ms in [build_ms / 20, build_ms / 5, build_ms * 2 / 5, build_ms * 3 / 5] {
        // A build that ran faster than the measured one may end before the
        // kill: that attempt tests nothing, so it is made again, sooner.
        let mut delay_ms = planned_ms;
        let hc = loop {
            let hc = HelpCenter::new();
            hc.write("old-refund.md", REFUND_FAQ);
            assert_eq!(hc.run(&["index"]).code, 0);
            // Now the whole bundled help center and many more articles,
            // indexed and killed part way.
            util::copy_tree(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content"), &hc.content());
            write_bulk(&hc);
            let mut index = Command::new(env!("CARGO_BIN_EXE_doumi")).arg("index").env("DOUMI_SEMANTIC", "false").current_dir(hc.root()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
            std::thread::sleep(Duration::from_millis(delay_ms));
            let finished = index.try_wait().unwrap().is_some();
            let _ = index.kill();
            let _ = index.wait();
            if !finished {
                break hc;
            }
            assert!(delay_ms > 10, "doumi index finished within {delay_ms} ms every time: no kill interrupted a build");
            delay_ms /= 2;
        };
        // The next start serves the old or the new index, then catches up.
        let server = hc.serve(&[], &[]);
        assert_eq!(server.search("환불")["hits"].as_array().map(|h| !h.is_empty()), Some(true), "after a kill at {delay_ms} ms");
        let expected = bundled_entries() + 2 + 10 * BULK_ARTICLES as u64;
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

/// Whether this machine lets a test give a server a mount namespace of its own
/// (root with CAP_SYS_ADMIN, as on the CI machines); the disk tests need one.
fn private_mounts_allowed() -> bool {
    let dir = tempfile::tempdir().unwrap();
    Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs \"$0\""])
        .arg(dir.path())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A help center with the refund FAQ, when the disk tests can run here.
fn refund_help_center_if_mounts_allowed() -> Option<HelpCenter> {
    if !private_mounts_allowed() {
        // Under CI the disk tests must run: a skip there would pass silently.
        assert!(std::env::var_os("CI").is_none(), "the disk tests need a private tmpfs (root, unshare -m, mount), which CI must allow");
        eprintln!("skipped: this machine does not allow a private tmpfs (unshare -m, mount)");
        return None;
    }
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    Some(hc)
}

/// `doumi serve` in the help center's root, in a mount namespace of its own
/// where `index/` is a 2 MiB tmpfs that `prepare` (sh, with `$0` the doumi
/// binary) sets up after the first `doumi index`. The query log is kept
/// outside it: the index is under test.
fn serve_on_a_small_disk(hc: &HelpCenter, prepare: &str) -> Server {
    let script = format!(
        "mount -t tmpfs -o size=2m tmpfs index && \"$0\" index >/dev/null 2>&1 && {prepare} && exec \"$0\" serve --addr 127.0.0.1:0"
    );
    std::fs::create_dir_all(hc.root().join("index")).unwrap();
    let child = Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .arg(env!("CARGO_BIN_EXE_doumi"))
        .current_dir(hc.root())
        .env("DOUMI_LOG", "warn")
        .env("DOUMI_SEMANTIC", "false")
        .env("DOUMI_QUERY_LOG", hc.root().join("queries.sqlite3"))
        .env("DOUMI_RATE_LIMIT_PER_MINUTE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server::from_child(child);
    server.wait_ready();
    server
}

/// `index/` as the server sees it, from outside its mount namespace.
fn index_seen_by(server: &Server, hc: &HelpCenter) -> std::path::PathBuf {
    std::path::Path::new(&format!("/proc/{}/root", server.child.id())).join(hc.root().strip_prefix("/").unwrap()).join("index")
}

const LOST_FAQ: &str = "\n## 분실물 보상은 어떻게 받나요?\n\n분실물 신고 후 보상을 신청하세요.\n";

#[test]
fn a_full_disk_keeps_the_last_index_served_says_why_and_applies_the_edit_once_there_is_room() {
    let Some(hc) = refund_help_center_if_mounts_allowed() else { return };
    let server = serve_on_a_small_disk(&hc, "(dd if=/dev/zero of=index/filler bs=4k 2>/dev/null; true)");
    assert!(server.search("환불 계좌")["total"].as_u64() > Some(0));
    hc.write("refund.md", format!("{REFUND_FAQ}{LOST_FAQ}"));
    server.eventually(Duration::from_secs(10), |s| {
        let health = s.get("/healthz").json();
        health["status"] == "degraded" && health["last_reload"]["error"].as_str().is_some_and(|e| e.contains("No space left on device"))
    });
    assert_eq!(server.search("분실물 보상")["total"], 0, "nothing half-written is served");
    assert!(server.search("환불 계좌")["total"].as_u64() > Some(0), "the last index is still served");
    // Room again: the edit is applied without another save.
    std::fs::remove_file(index_seen_by(&server, &hc).join("filler")).unwrap();
    server.eventually(Duration::from_secs(10), |s| s.search("분실물 보상")["total"].as_u64() > Some(0));
    server.eventually(Duration::from_secs(10), |s| s.get("/healthz").json()["status"] == "ok");
}

#[test]
fn a_read_only_index_folder_is_searched_as_it_is_and_edits_apply_once_it_is_writable() {
    let Some(hc) = refund_help_center_if_mounts_allowed() else { return };
    let server = serve_on_a_small_disk(&hc, "mount -o remount,ro index");
    assert!(server.search("환불 계좌")["total"].as_u64() > Some(0), "customers keep their answers");
    let page = server.get("/articles/refund");
    assert_eq!(page.status, 200, "article pages are served too");
    let health = server.get("/healthz").json();
    assert_eq!(health["status"], "degraded", "{health}");
    assert!(health["last_reload"]["error"].as_str().is_some_and(|e| e.contains("Read-only file system")), "{health}");
    hc.write("refund.md", format!("{REFUND_FAQ}{LOST_FAQ}"));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(server.search("분실물 보상")["total"], 0, "no edit while the folder is read-only");
    let remount = Command::new("nsenter")
        .args(["-t", &server.child.id().to_string(), "-m", "mount", "-o", "remount,rw"])
        .arg(hc.root().join("index"))
        .status()
        .unwrap();
    assert!(remount.success());
    server.eventually(Duration::from_secs(10), |s| s.search("분실물 보상")["total"].as_u64() > Some(0));
    server.eventually(Duration::from_secs(10), |s| s.get("/healthz").json()["status"] == "ok");
}

#[test]
fn many_saves_at_once_from_several_editors_end_with_every_last_version_served() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let server = hc.serve(&[("DOUMI_RATE_LIMIT_PER_MINUTE", "0")], &[]);
    let editors = 8;
    let saves = 12;
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let searcher = scope.spawn(|| {
            let mut searches = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let answer = server.get("/api/search?q=%ED%8E%B8%EC%A7%91");
                assert_eq!(answer.status, 200, "{}", answer.body);
                searches += 1;
            }
            searches
        });
        let writers: Vec<_> = (0..editors)
            .map(|e| {
                let hc = &hc;
                scope.spawn(move || {
                    for v in 0..saves {
                        hc.write(&format!("editor-{e}.md"), format!("---\ntitle: 편집 {e}\ntype: faq\n---\n## 편집 질문 {e}번은 무엇인가요?\n\n버전 {v} 답변입니다.\n"));
                        std::thread::sleep(Duration::from_millis(5));
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        server.eventually(Duration::from_secs(15), |s| {
            s.get("/healthz").json()["entries"] == 2 + editors
                && (0..editors).all(|e| s.get(&format!("/articles/editor-{e}")).body.contains(&format!("버전 {} 답변", saves - 1)))
        });
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(searcher.join().unwrap() > 0);
    });
    let health = server.get("/healthz").json();
    assert_eq!(health["status"], "ok", "{health}");
}
