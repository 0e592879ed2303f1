//! The widget, the help-center pages and the report page in a real browser:
//! Debian's Chromium driven by playwright-core (tests/browser/widget.test.mjs)
//! against a real `doumi serve` on the bundled content.
//!
//! Needs `node`, `/usr/bin/chromium` (or $CHROMIUM) and
//! `npm ci --prefix tests/browser`; `.ci/run` installs them. Without them the
//! test says what is missing and fails under CI, and is skipped elsewhere.

mod util;

use std::path::Path;
use std::process::Command;

const TOKEN: &str = "browser-test-admin-token";

fn missing() -> Option<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} (apt-get install chromium)"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node".into());
    }
    if !root.join("tests/browser/node_modules/playwright-core").exists() {
        return Some("tests/browser/node_modules (npm ci --prefix tests/browser)".into());
    }
    None
}

#[test]
fn widget_pages_and_report_work_in_chromium() {
    if let Some(what) = missing() {
        assert!(std::env::var_os("CI").is_none(), "the browser tests need {what}; .ci/run installs it");
        eprintln!("skipped: the browser tests need {what}");
        return;
    }
    let hc = util::HelpCenter::bundled();
    let server = hc.serve(&[("DOUMI_ADMIN_TOKEN", TOKEN), ("DOUMI_RATE_LIMIT_PER_MINUTE", "0")], &[]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = root.join("tests/browser/screenshots");
    let output = Command::new("node")
        .arg(root.join("tests/browser/widget.test.mjs"))
        .args([server.base.as_str(), TOKEN])
        .arg(&shots)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "browser tests failed:\n{stdout}\n{stderr}");
    for shot in ["widget.png", "article.png", "report.png", "report-375.png", "report-1280.png", "vote-refused-375.png", "vote-refused-1280.png"] {
        let bytes = std::fs::metadata(shots.join(shot)).map(|m| m.len()).unwrap_or(0);
        assert!(bytes > 1000, "{shot} was not saved");
    }
}
