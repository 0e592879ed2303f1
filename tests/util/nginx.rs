//! nginx of the test's own, running `deploy/nginx.conf` — the file operators
//! install — with the replicas' addresses and a free port filled in. Debian's
//! `nginx` package provides it (`.ci/run` installs it); without it a test
//! fails under `CI=true` and is skipped, saying so, elsewhere.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Nginx {
    child: Child,
    pub base: String,
    _dir: tempfile::TempDir,
}

const BINARY: &str = "/usr/sbin/nginx";

impl Nginx {
    /// nginx in front of `replicas` (`http://127.0.0.1:PORT` each), or `None`
    /// (after saying why) when nginx is not installed and this is not CI.
    pub fn start(replicas: &[&str]) -> Option<Nginx> {
        if !Path::new(BINARY).is_file() {
            assert!(std::env::var("CI").is_err(), "nginx is not installed (apt-get install nginx); CI must run this test");
            eprintln!("skipped: nginx is not installed (apt-get install nginx)");
            return None;
        }
        let deploy = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/nginx.conf")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let upstreams: String = replicas
            .iter()
            .map(|r| format!("    server {} max_fails=2 fail_timeout=3s;\n", r.trim_start_matches("http://")))
            .collect();
        // The shipped file, with its example replicas and port replaced.
        let mut site = String::new();
        let mut listed = false;
        for line in deploy.lines() {
            if line.trim_start().starts_with("server 127.0.0.1:") {
                if !listed {
                    site.push_str(&upstreams);
                    listed = true;
                }
            } else if line.trim() == "listen 80;" {
                site.push_str(&format!("    listen 127.0.0.1:{port};\n"));
            } else {
                site.push_str(line);
                site.push('\n');
            }
        }
        assert!(listed && site.contains(&format!("listen 127.0.0.1:{port};")), "deploy/nginx.conf changed shape:\n{site}");
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path();
        std::fs::write(prefix.join("doumi.conf"), site).unwrap();
        let root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let main = format!(
            "{user}worker_processes 2;\npid {p}/nginx.pid;\nerror_log {p}/error.log warn;\ndaemon off;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {p}/body;\n  proxy_temp_path {p}/proxy;\n  fastcgi_temp_path {p}/fastcgi;\n  uwsgi_temp_path {p}/uwsgi;\n  scgi_temp_path {p}/scgi;\n  include {p}/doumi.conf;\n}}\n",
            user = if root { "user root root;\n" } else { "" },
            p = prefix.display()
        );
        std::fs::write(prefix.join("nginx.conf"), main).unwrap();
        let child = Command::new(BINARY)
            .args(["-p", prefix.to_str().unwrap(), "-c", prefix.join("nginx.conf").to_str().unwrap(), "-e", prefix.join("error.log").to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx did not start: {}", std::fs::read_to_string(prefix.join("error.log")).unwrap_or_default());
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Nginx { child, base: format!("http://127.0.0.1:{port}"), _dir: dir })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
