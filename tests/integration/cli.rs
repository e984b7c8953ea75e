//! The commands the README documents, run as a user runs them: `berth serve` with no
//! configuration, `berth config check`, `berth migrate`, `berth worker` and JSON logs.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::harness::fixtures::ADMIN_PASSWORD;
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Options};

fn berth(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(args)
        .current_dir(cwd)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("running berth")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `berth serve` with no flag and no configuration: 127.0.0.1:8080, `./berth-data`, and the
/// first user is a superuser, the only one, so it cannot demote itself. (The embedded
/// default is SQLite by definition, so this one test has no PostgreSQL twin.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_without_configuration() {
    let cwd = tempfile::tempdir().expect("temp dir");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_berth"))
        .arg("serve")
        .current_dir(cwd.path())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starting berth");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut printed = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("stdout") {
            let done = line.contains("/api/v1/user/initialize");
            printed.push(line);
            if done {
                break;
            }
        }
    });
    read.await.expect("berth printed its first steps");
    assert_eq!(
        printed[0], "listening on http://127.0.0.1:8080",
        "{printed:?}"
    );
    assert!(printed[1].starts_with("No users yet."), "{printed:?}");
    assert!(cwd.path().join("berth-data/berth.db").is_file());
    assert!(cwd.path().join("berth-data/blobs").is_dir());

    let http = reqwest::Client::new();
    let base = "http://127.0.0.1:8080";
    let initialized = http
        .post(format!("{base}/api/v1/user/initialize"))
        .json(&json!({"username": "quayadmin", "password": ADMIN_PASSWORD,
                      "email": "quay@example.com", "access_token": true}))
        .send()
        .await
        .expect("initialize");
    assert_eq!(initialized.status(), 200);
    let token = initialized.json::<serde_json::Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let users = http
        .get(format!("{base}/api/v1/superuser/users/"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), 200);
    let users: serde_json::Value = users.json().await.unwrap();
    assert_eq!(users["users"][0]["super_user"], true);
    let demoted = http
        .put(format!("{base}/api/v1/superuser/users/quayadmin"))
        .bearer_auth(&token)
        .json(&json!({"superuser": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(demoted.status(), 400);
    assert_eq!(
        demoted.text().await.unwrap(),
        wire::invalid_request("127.0.0.1:8080", "Cannot demote the last superuser")
    );
    child.kill().await.expect("stopping berth");
}

#[test]
fn config_check_resolves_and_reports_ignored_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let embedded = berth(&["config", "check", "--data-dir", "data"], dir.path());
    assert!(embedded.status.success(), "{}", text(&embedded.stderr));
    let printed = text(&embedded.stdout);
    assert!(
        printed.contains("AUTHENTICATION_TYPE: Database"),
        "{printed}"
    );
    assert!(
        printed.contains("DB_URI: sqlite://data/berth.db"),
        "{printed}"
    );

    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        "SERVER_HOSTNAME: registry.example.com\nSUPER_USERS: [quayadmin]\n\
         FEATURE_BUILD_SUPPORT: true\nFEATURE_SUPERUSER_TYPO: true\nREGISTRY_TITLE: Mine\n\
         SOMETHING_NEW: 1\nFEATURE_LIBRARY_SUPPORT: false\n",
    )
    .unwrap();
    let checked = berth(
        &[
            "config",
            "check",
            "--data-dir",
            "data",
            "--config",
            "config.yaml",
        ],
        dir.path(),
    );
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    let printed = text(&checked.stdout);
    assert!(
        printed.contains("SERVER_HOSTNAME: registry.example.com"),
        "{printed}"
    );
    assert!(printed.contains("SUPER_USERS: quayadmin"), "{printed}");
    let ignored: Vec<&str> = printed
        .lines()
        .filter(|l| l.starts_with("ignored: "))
        .collect();
    assert_eq!(
        ignored,
        [
            "ignored: FEATURE_BUILD_SUPPORT (a Quay feature Berth does not offer)",
            "ignored: FEATURE_SUPERUSER_TYPO (not one of Quay's FEATURE_ switches)",
            "ignored: REGISTRY_TITLE (a Quay key that has no effect in Berth)",
            "ignored: SOMETHING_NEW (not a configuration key Berth knows)",
        ]
    );
    // Each ignored key is also warned about once when the configuration is loaded.
    let warned = text(&checked.stderr);
    assert_eq!(
        warned.matches("configuration key ignored").count(),
        4,
        "{warned}"
    );

    // Another authentication type is refused, not silently served from the database.
    std::fs::write(&config, "AUTHENTICATION_TYPE: LDAP\n").unwrap();
    for command in [
        &["config", "check", "--config", "config.yaml"][..],
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--config",
            "config.yaml",
        ][..],
    ] {
        let refused = berth(command, dir.path());
        assert!(!refused.status.success());
        let message = text(&refused.stderr);
        assert!(
            message.contains("AUTHENTICATION_TYPE")
                && message.contains("'LDAP' is not supported")
                && message.contains("(Database)"),
            "{message}"
        );
    }
}

/// `berth migrate` creates the schema and exits; a server then starts on it.
async fn migrate_prepares_the_database(backend: Backend) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("config.yaml"),
        format!("DB_URI: {}\n", backend.db_uri()),
    )
    .unwrap();
    let migrated = berth(
        &["migrate", "--data-dir", "data", "--config", "config.yaml"],
        dir.path(),
    );
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    backend.execute("SELECT COUNT(*) FROM accounts", &[]).await;
    // Migrating again is a no-op.
    let again = berth(
        &["migrate", "--data-dir", "data", "--config", "config.yaml"],
        dir.path(),
    );
    assert!(again.status.success(), "{}", text(&again.stderr));
}

/// `berth worker` runs queued jobs for the nodes that serve: here a registry-size calculation
/// the serving node holds back (its `FEATURE_QUOTA_MANAGEMENT` is off).
async fn worker_runs_queued_jobs(backend: Backend) {
    let db_uri = backend.db_uri();
    let berth_node = Berth::start_with(backend, Options::default()).await;
    let admin = Client::with_token(
        &berth_node,
        &crate::harness::fixtures::initialize_admin(&berth_node).await,
    );
    let path = "/api/v1/superuser/registrysize/";
    admin
        .post(path)
        .json(&json!({}))
        .send()
        .await
        .expect_status(201);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let held = admin.get(path).send().await.json();
    assert_eq!(held["queued"], true, "{held}");

    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("config.yaml"),
        format!("DB_URI: {db_uri}\nFEATURE_QUOTA_MANAGEMENT: true\n"),
    )
    .unwrap();
    let mut worker = tokio::process::Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["worker", "--data-dir", "data", "--config", "config.yaml"])
        .current_dir(dir.path())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("starting berth worker");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let status = admin.get(path).send().await.json();
        if status["last_ran"].is_i64() {
            assert_eq!(status["queued"], false, "{status}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    worker.kill().await.expect("stopping the worker");
}

/// `--log-format json`: every line the server logs is one JSON object with its time, level,
/// target and message, and the event's fields beside them.
async fn logs_as_json(backend: Backend) {
    let options = Options {
        serve_args: vec!["--log-format".into(), "json".into()],
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    crate::harness::fixtures::admin(&berth).await;
    let log = berth.log_tail();
    // A full tail may begin in the middle of a line.
    let lines: Vec<serde_json::Value> = log
        .lines()
        .skip(usize::from(log.len() >= 8192))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    for line in &lines {
        for key in ["timestamp", "level", "target", "message"] {
            assert!(line.get(key).is_some(), "{key} missing from {line}");
        }
    }
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "first user initialized" && l["user.name"] == "admin"),
        "{log}"
    );
}

backends!(
    migrate_prepares_the_database,
    worker_runs_queued_jobs,
    logs_as_json
);
