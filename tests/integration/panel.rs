//! The superuser web panel in a real browser: `tests/browser/panel.test.mjs` drives Debian's
//! chromium (headless, with playwright-core) against a real Berth, on both engines, and
//! writes a screenshot of each page to `target/test-output/panel-<engine>/`.
//!
//! Needs Node.js, `/usr/bin/chromium` and `tests/browser/node_modules` (`scripts/test`
//! installs them). Without them the test says so and passes, unless
//! `BERTH_TEST_REQUIRE_BROWSER=1` (CI), which fails instead.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::harness::fixtures::{admin, create_auditor, create_org, create_user, ADMIN_PASSWORD};
use crate::harness::{backends, Backend, Berth};

fn browser_tests() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// What the browser test needs and this machine lacks.
fn missing_tools() -> Vec<&'static str> {
    let mut missing = Vec::new();
    let found = |program: &str| {
        std::process::Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    };
    if !found("node") {
        missing.push("node");
    }
    if !Path::new("/usr/bin/chromium").exists() {
        missing.push("/usr/bin/chromium");
    }
    if !browser_tests()
        .join("node_modules/playwright-core")
        .exists()
    {
        missing.push("tests/browser/node_modules (npm ci)");
    }
    missing
}

async fn superuser_panel(backend: Backend) {
    let missing = missing_tools();
    if !missing.is_empty() {
        assert!(
            std::env::var("BERTH_TEST_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "the browser test needs {missing:?} and BERTH_TEST_REQUIRE_BROWSER=1"
        );
        println!("skipped: the browser test needs {missing:?}");
        return;
    }
    let engine = match backend {
        Backend::Sqlite(_) => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let auditor = create_auditor(&admin).await;
    let plain = create_user(&admin, "plainuser").await;
    create_org(&admin, "panelorg").await;
    let screenshots =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/test-output/panel-{engine}"));
    let run = tokio::process::Command::new("node")
        .arg(browser_tests().join("panel.test.mjs"))
        .env("BERTH_URL", berth.url(""))
        .env("BERTH_SUPERUSER", "admin")
        .env("BERTH_SUPERUSER_PASSWORD", ADMIN_PASSWORD)
        .env("BERTH_READONLY_USER", &auditor.username)
        .env("BERTH_READONLY_PASSWORD", &auditor.password)
        .env("BERTH_PLAIN_USER", &plain.username)
        .env("BERTH_PLAIN_PASSWORD", &plain.password)
        .env("BERTH_ORG", "panelorg")
        .env("SCREENSHOT_DIR", &screenshots)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("the browser test finished within five minutes")
        .expect("running node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the browser test failed: {stdout}\n{}\n--- berth log ---\n{}",
        String::from_utf8_lossy(&out.stderr),
        berth.log_tail()
    );
}

backends!(superuser_panel);
