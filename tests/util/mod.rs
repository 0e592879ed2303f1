//! A temporary help center and the real `doumi` binary run against it.

#![allow(dead_code)]

pub mod nginx;
pub mod postgres;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;
use std::time::Instant;

use doumi::content::Library;
use doumi::search::Engine;

static BUNDLED: LazyLock<(Engine, tempfile::TempDir)> = LazyLock::new(|| {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = Library::load(&content).unwrap();
    let (engine, problems, dir) = doumi::eval::scratch_engine(&library, &content).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    (engine, dir)
});

/// The bundled help center, indexed once per test binary into a scratch folder.
pub fn bundled_engine() -> &'static Engine {
    &BUNDLED.0
}

pub struct HelpCenter {
    pub dir: tempfile::TempDir,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl HelpCenter {
    /// An empty help center: `content/` exists but holds nothing.
    pub fn new() -> HelpCenter {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("content")).unwrap();
        HelpCenter { dir }
    }

    /// A copy of the bundled `content/`.
    pub fn bundled() -> HelpCenter {
        let hc = HelpCenter::new();
        copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"), &hc.content());
        hc
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn content(&self) -> PathBuf {
        self.root().join("content")
    }

    /// Writes `content/<rel>`, creating folders.
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Self {
        let path = self.content().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    /// Runs `doumi ARGS` in the help center's root.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[])
    }

    /// Runs `doumi ARGS` with `env` set. The ranking by meaning is off unless
    /// `env` turns it on: only the tests about it pay for the model.
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_doumi"));
        command.args(args).current_dir(self.root()).env("DOUMI_SEMANTIC", "false");
        for (k, v) in env {
            command.env(k, v);
        }
        let output = command.output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A small FAQ article.
pub const REFUND_FAQ: &str = "---
title: 환불 안내
category: 환불
aliases: [돈 언제 들어와요]
type: faq
---

## 환불은 언제 되나요?

카드 결제는 취소 후 3~7영업일 안에 환불됩니다.

## 환불 계좌는 어디서 바꾸나요?

마이페이지 > 회원정보 > 환불계좌 관리에서 바꿉니다.
";

/// `doumi serve` running on a free loopback port over a help center; killed
/// when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub base: String,
    /// The operations address (`/healthz` in detail, `/metrics`) when
    /// `ops_addr` is set.
    pub ops: Option<String>,
    agent: ureq::Agent,
}

/// An HTTP answer: status, headers and body text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `{"error": {"code"}}` of an error answer.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code: {}", self.body)).to_string()
    }
}

impl HelpCenter {
    /// Starts `doumi serve --addr 127.0.0.1:0` in the help center's root with
    /// `env` set, and waits until it answers /healthz.
    pub fn serve(&self, env: &[(&str, &str)], args: &[&str]) -> Server {
        self.serve_at("127.0.0.1:0", env, args)
    }

    /// [`HelpCenter::serve`] on a given address (a restarted replica keeps its port).
    pub fn serve_at(&self, addr: &str, env: &[(&str, &str)], args: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_doumi"));
        command
            .args(["serve", "--addr", addr])
            .args(args)
            .current_dir(self.root())
            .env("DOUMI_LOG", "warn")
            // Only the tests about the ranking by meaning pay for the model.
            .env("DOUMI_SEMANTIC", "false")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let server = Server::from_child(command.spawn().unwrap());
        server.wait_ready();
        server
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(&self, path: &str) -> Answer {
        self.request("GET", path, &[], None)
    }

    /// Any request; `body` is sent as is.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Answer {
        let mut request = ureq::http::Request::builder().method(method).uri(self.url(path));
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let result = match body {
            Some(b) => self.agent.run(request.body(b.to_vec()).unwrap()),
            None => self.agent.run(request.body(()).unwrap()),
        };
        let mut response = result.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.body_mut().with_config().limit(50 * 1024 * 1024).read_to_string().unwrap_or_default();
        Answer { status, headers, body }
    }

    /// Searches and returns the response body.
    pub fn search(&self, q: &str) -> serde_json::Value {
        let answer = self.get(&format!("/api/search?q={}", encode(q)));
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()
    }

    /// Waits (up to 10 s) until /healthz says the index is ready.
    pub fn wait_ready(&self) {
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(mut r) = self.agent.get(&self.url("/healthz")).call()
                && r.status() == 200
            {
                let _ = r.body_mut().read_to_string();
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("the server did not become ready");
    }

    /// Polls `check` every 20 ms until it holds; returns how long that took.
    pub fn eventually(&self, within: std::time::Duration, mut check: impl FnMut(&Server) -> bool) -> std::time::Duration {
        let started = Instant::now();
        while started.elapsed() < within {
            if check(self) {
                return started.elapsed();
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("not within {within:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Percent-encodes a query-string value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Server {
    /// Wraps a spawned `doumi serve` whose first stdout line names its address,
    /// without waiting for the index.
    pub fn from_child(mut child: std::process::Child) -> Server {
        use std::io::BufRead;
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).unwrap();
        let rest = line.trim().strip_prefix("doumi listening on ").unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        let (base, ops) = match rest.split_once(" · ops on ") {
            Some((base, ops)) => (base.to_string(), Some(ops.to_string())),
            None => (rest.to_string(), None),
        };
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        Server { child, base, ops, agent }
    }
}

impl Server {
    /// Posts `body` as JSON to `path`, with extra headers.
    pub fn post_json(&self, path: &str, body: &serde_json::Value, headers: &[(&str, &str)]) -> Answer {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.request("POST", path, &all, Some(body.to_string().as_bytes()))
    }

    /// Sends SIGTERM and waits (up to 10 s) for a clean exit.
    pub fn stop(&mut self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                assert!(exit.success(), "{exit:?}");
                return;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
