//! A PostgreSQL server of the test's own: `initdb` in a temp dir and
//! `pg_ctl start` on a free loopback port, as an unprivileged user when the
//! tests run as root (PostgreSQL refuses to run as root), stopped on drop.
//! Debian's `postgresql` package provides it (`.ci/run` installs it); without
//! it a test fails under `CI=true` and is skipped, saying so, elsewhere.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    /// The unprivileged user the server runs as, when the tests run as root.
    user: Option<String>,
    pub port: u16,
    options: String,
    _dir: tempfile::TempDir,
}

/// Where Debian keeps the server's programs, newest version first.
fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql").ok()?.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).collect();
    versions.sort();
    versions.into_iter().rev().find(|bin| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Postgres {
    /// A running server, or `None` (after saying why) when PostgreSQL is not
    /// installed and this is not CI.
    pub fn start() -> Option<Postgres> {
        Postgres::start_with(false).map(|(pg, _)| pg)
    }

    /// A running server that offers TLS with a certificate for 127.0.0.1
    /// signed by a CA of the test's own; returns the CA's certificate file.
    pub fn start_with_tls() -> Option<(Postgres, PathBuf)> {
        Postgres::start_with(true).map(|(pg, ca)| (pg, ca.expect("made")))
    }

    fn start_with(tls: bool) -> Option<(Postgres, Option<PathBuf>)> {
        let Some(bin) = bin_dir() else {
            assert!(std::env::var("CI").is_err(), "PostgreSQL is not installed (apt-get install postgresql); CI must run this test");
            eprintln!("skipped: PostgreSQL is not installed (apt-get install postgresql)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let data = dir.path().join("data");
        let sockets = dir.path().join("sockets");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&sockets).unwrap();
        let user = is_root().then(|| "nobody".to_string());
        if user.is_some() {
            let id = |flag: &str| -> u32 {
                let out = Command::new("id").args([flag, "nobody"]).output().unwrap();
                String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
            };
            for path in [&data, &sockets] {
                std::os::unix::fs::chown(path, Some(id("-u")), Some(id("-g"))).unwrap();
            }
        }
        let port = free_port();
        let mut options = format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", sockets.display());
        let ca = tls.then(|| {
            let certs = dir.path().join("certs");
            let ca = make_certificates(&certs);
            if user.is_some() {
                let id = |flag: &str| -> u32 { String::from_utf8_lossy(&Command::new("id").args([flag, "nobody"]).output().unwrap().stdout).trim().parse().unwrap() };
                for file in ["server.crt", "server.key"] {
                    std::os::unix::fs::chown(certs.join(file), Some(id("-u")), Some(id("-g"))).unwrap();
                }
            }
            options.push_str(&format!(" -c ssl=on -c ssl_cert_file={0}/server.crt -c ssl_key_file={0}/server.key", certs.display()));
            ca
        });
        let pg = Postgres { bin, data, user, port, options, _dir: dir };
        let init = pg.run("initdb", &["-D", pg.data.to_str().unwrap(), "-U", "doumi", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        assert!(init.status.success(), "initdb: {}", String::from_utf8_lossy(&init.stderr));
        pg.resume();
        Some((pg, ca))
    }

    /// Starts the server (again, after [`Postgres::halt`]).
    pub fn resume(&self) {
        let log = self.data.join("server.log");
        let started = self.run("pg_ctl", &["-D", self.data.to_str().unwrap(), "-o", &self.options, "-l", log.to_str().unwrap(), "-w", "start"]);
        assert!(started.status.success(), "pg_ctl start: {} {}", String::from_utf8_lossy(&started.stderr), std::fs::read_to_string(&log).unwrap_or_default());
    }

    /// Stops the server, as an outage would: connections are cut at once.
    pub fn halt(&self) {
        let stopped = self.run("pg_ctl", &["-D", self.data.to_str().unwrap(), "-m", "immediate", "-w", "stop"]);
        assert!(stopped.status.success(), "pg_ctl stop: {}", String::from_utf8_lossy(&stopped.stderr));
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let program = self.bin.join(program);
        let mut command = match &self.user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        // psql and createdb connect in plain text, so that the server's own
        // view of connections (pg_stat_ssl) shows doumi's alone encrypted.
        command.args(args).env("PGSSLMODE", "disable").current_dir(Path::new("/")).output().unwrap()
    }

    /// A URL of a new, empty database on this server.
    pub fn database(&self, name: &str) -> String {
        let created = self.run("createdb", &["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "doumi", name]);
        assert!(created.status.success(), "createdb: {}", String::from_utf8_lossy(&created.stderr));
        format!("postgres://doumi@127.0.0.1:{}/{name}", self.port)
    }

    /// `psql -c` against database `name`; returns its unaligned output.
    pub fn query(&self, name: &str, sql: &str) -> String {
        let out = self.run("psql", &["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "doumi", "-d", name, "-AtXc", sql]);
        assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self.run("pg_ctl", &["-D", self.data.to_str().unwrap(), "-m", "immediate", "-w", "stop"]);
    }
}

/// A CA and a server certificate for 127.0.0.1 signed by it (openssl).
fn make_certificates(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n").unwrap();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl (apt-get install openssl)");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    openssl(&["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=doumi test CA"]);
    openssl(&["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]);
    openssl(&["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext"]);
    std::fs::set_permissions(dir.join("server.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    dir.join("ca.crt")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
