//! Log exports tell their requester (core-api.md §3.9): Quay's payload is POSTed to
//! `callback_url` (retried while the receiver fails, three attempts at most) and a mail goes to
//! `callback_email` through the configured SMTP server, here Python's aiosmtpd.

use std::net::TcpListener as StdListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::fixtures::{admin, create_org, receiver};
use crate::harness::{backends, wire, Backend, Berth, Client, Options};

/// aiosmtpd delivering into a maildir; killed on drop.
struct SmtpServer {
    child: Child,
    port: u16,
}

impl SmtpServer {
    fn start(maildir: &Path) -> SmtpServer {
        let port = StdListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .args(["-l", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd (pip install aiosmtpd)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpServer { child, port }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The messages delivered to the maildir so far.
fn delivered(maildir: &Path) -> Vec<String> {
    std::fs::read_dir(maildir.join("new"))
        .map(|entries| {
            entries
                .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

async fn exports_are_delivered(backend: Backend) {
    let folder = tempfile::tempdir().unwrap();
    // aiosmtpd lays the maildir out itself only where nothing exists yet.
    let maildir = folder.path().join("maildir");
    let smtp = SmtpServer::start(&maildir);
    let options = Options {
        extra_yaml: format!(
            "MAIL_SERVER: 127.0.0.1\nMAIL_PORT: {}\nMAIL_USE_TLS: false\n\
             MAIL_DEFAULT_SENDER: registry@example.com\nREGISTRY_TITLE_SHORT: Acme\n\
             SSRF_ALLOWED_HOSTS: [127.0.0.1]\n",
            smtp.port
        ),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    create_org(&admin, "acme").await;
    let (url, received) = receiver(1).await;

    let requested = admin
        .post("/api/v1/organization/acme/exportlogs")
        .json(&json!({"callback_url": url, "callback_email": "ops@example.com"}))
        .send()
        .await;
    requested.expect_status(200);
    let export_id = requested.json()["export_id"].as_str().unwrap().to_owned();
    let exported_data_url = requested.json()["exported_data_url"].clone();

    // The receiver fails the first attempt; the job tries again after its back-off.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while delivered(&maildir).is_empty() {
        let got = received.lock().unwrap().len();
        assert!(
            tokio::time::Instant::now() < deadline,
            "no mail arrived ({got} callbacks)"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let payloads = received.lock().unwrap().clone();
    assert_eq!(payloads.len(), 2, "{payloads:?}");
    let today = chrono::Utc::now().format("%m/%d/%Y").to_string();
    let payload = &payloads[1];
    assert_eq!(payload["export_id"], export_id.as_str());
    assert_eq!(payload["namespace"], "acme");
    assert_eq!(payload["repository"], Value::Null);
    assert_eq!(payload["exported_data_url"], exported_data_url);
    assert_eq!(payload["status"], "success");
    assert_eq!(payload["end_time"], today.as_str());
    assert!(payload["start_time"].as_str().unwrap().len() == 10);

    let mails = delivered(&maildir);
    assert_eq!(mails.len(), 1);
    // The body is quoted-printable: undo its soft line breaks.
    let mail = &mails[0].replace("=\n", "");
    assert!(
        mail.contains("Subject: [Acme] Export Action Logs Complete"),
        "{mail}"
    );
    assert!(mail.contains("From: registry@example.com"), "{mail}");
    assert!(mail.contains("To: ops@example.com"), "{mail}");
    assert!(mail.contains(&format!("Export ID: {export_id}")), "{mail}");
    assert!(mail.contains(exported_data_url.as_str().unwrap()), "{mail}");

    // The export itself downloads.
    let file = Client::anon(&berth)
        .get(&format!("/exportedlogs/{export_id}"))
        .send()
        .await;
    file.expect_status(200);
    drop(smtp);
}

async fn export_callbacks_are_checked(backend: Backend) {
    let berth = Berth::start_with(backend, Options::default()).await;
    let admin = admin(&berth).await;
    let host = &berth.addr;
    let export = "/api/v1/user/exportlogs";
    for (body, message) in [
        (
            json!({"callback_email": "no-at-sign"}),
            "Invalid callback e-mail",
        ),
        (
            json!({"callback_email": "ops@example.com"}),
            "Cannot send the export by e-mail: no mail server is configured (MAIL_SERVER)",
        ),
        (
            json!({"callback_url": "ftp://example.com/x"}),
            "Invalid callback URL",
        ),
        (json!({"callback_url": "not a url"}), "Invalid callback URL"),
        (
            json!({"callback_url": "http://user:pw@example.com/x"}),
            "Invalid callback URL",
        ),
        // Loopback and private addresses are not reachable without SSRF_ALLOWED_HOSTS.
        (
            json!({"callback_url": "http://127.0.0.1:9/x"}),
            "Invalid callback URL",
        ),
        (
            json!({"callback_url": "http://10.1.2.3/x"}),
            "Invalid callback URL",
        ),
        (
            json!({"callback_url": "http://localhost/x"}),
            "Invalid callback URL",
        ),
    ] {
        admin
            .post(export)
            .json(&body)
            .send()
            .await
            .expect(400, &wire::invalid_request(host, message));
    }
}

backends!(exports_are_delivered, export_callbacks_are_checked);
