//! `/metrics` as Prometheus scrapes it: the OpenMetrics text is parsed by the reference parser
//! (PyPI's `prometheus-client`), and every measurement moves when traffic flows: requests by
//! route and status, latency histograms, blob bytes in and out, uploads in progress, job runs
//! and failures, database pools.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::fixtures::{
    admin, create_user, export_acme_logs_to, receiver, token_for, Registry,
};
use crate::harness::{backends, Backend, Berth, Client, Options};

/// One parsed sample: its name, labels and value.
#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Scrapes `/metrics` as `admin` and parses it with `prometheus_client.openmetrics.parser`,
/// which refuses anything that is not valid OpenMetrics.
async fn scrape(admin: &Client) -> Vec<Sample> {
    let resp = admin.get("/metrics").send().await;
    resp.expect_status(200);
    assert!(
        resp.header("Content-Type")
            .is_some_and(|t| t.starts_with("application/openmetrics-text")),
        "{:?}",
        resp.header("Content-Type")
    );
    let parser = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({"name": s.name, "labels": s.labels, "value": s.value})
print(json.dumps(out))
"#;
    let mut child = Command::new("python3")
        .args(["-c", parser])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(resp.text().as_bytes())
        .expect("writing the scrape");
    let out = child.wait_with_output().expect("parser output");
    assert!(
        out.status.success(),
        "the OpenMetrics parser refused the scrape: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        resp.text()
    );
    let samples: Vec<Value> = serde_json::from_slice(&out.stdout).expect("parser JSON");
    samples
        .into_iter()
        .map(|s| Sample {
            name: s["name"].as_str().expect("name").to_owned(),
            labels: serde_json::from_value(s["labels"].clone()).expect("labels"),
            value: s["value"].as_f64().expect("value"),
        })
        .collect()
}

/// The sum of the samples called `name` whose labels include every pair of `labels`.
fn total(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .sum()
}

fn present(samples: &[Sample], name: &str) -> bool {
    samples.iter().any(|s| s.name == name)
}

async fn metrics_move_with_traffic(backend: Backend) {
    let options = Options {
        extra_yaml: "SSRF_ALLOWED_HOSTS: [127.0.0.1]\n".into(),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let before = scrape(&admin).await;
    for name in [
        "berth_http_requests_total",
        "berth_http_request_duration_seconds_bucket",
        "berth_http_request_duration_seconds_count",
        "berth_blob_received_bytes_total",
        "berth_blob_sent_bytes_total",
        "berth_uploads_in_progress",
        "berth_db_pool_connections",
        "berth_db_pool_max_connections",
        "berth_registry_stored_bytes",
    ] {
        assert!(present(&before, name), "{name} missing: {before:?}");
    }
    let mut pools: Vec<&str> = before
        .iter()
        .filter(|s| s.name == "berth_db_pool_max_connections")
        .map(|s| s.labels["pool"].as_str())
        .collect();
    pools.sort_unstable();
    let expected_pools: &[&str] = match berth.backend() {
        Backend::Sqlite(_) => &["read", "write"],
        Backend::Postgres(_) => &["main"],
    };
    assert_eq!(pools, expected_pools);
    assert!(total(&before, "berth_db_pool_connections", &[]) >= 1.0);

    // Blob bytes in and out, each counted under the /v2 route that moved them.
    let dev = create_user(&admin, "dev").await;
    let registry = Registry::login(&berth, "dev", &dev.password, "dev/app").await;
    let layer = vec![7u8; 100_000];
    let digest = registry.upload_blob(&layer).await;
    registry.get_blob(&digest).await.expect_status(200);
    registry.get_blob(&digest).await.expect_status(200);
    registry.get_manifest("nothing").await.expect_status(404);
    let after = scrape(&admin).await;
    let moved = |name: &str| total(&after, name, &[]) - total(&before, name, &[]);
    assert!(moved("berth_blob_received_bytes_total") >= 100_000.0);
    assert!(moved("berth_blob_sent_bytes_total") >= 200_000.0);
    let blob_gets = [
        ("method", "GET"),
        ("route", "/v2/{name}/blobs/{digest}"),
        ("status", "200"),
    ];
    assert_eq!(total(&after, "berth_http_requests_total", &blob_gets), 2.0);
    let missing_manifest = [
        ("route", "/v2/{name}/manifests/{reference}"),
        ("status", "404"),
    ];
    assert_eq!(
        total(&after, "berth_http_requests_total", &missing_manifest),
        1.0
    );
    let blob_latency = [("method", "GET"), ("route", "/v2/{name}/blobs/{digest}")];
    assert_eq!(
        total(
            &after,
            "berth_http_request_duration_seconds_count",
            &blob_latency
        ),
        2.0
    );
    let inf_bucket = [
        ("method", "GET"),
        ("route", "/v2/{name}/blobs/{digest}"),
        ("le", "+Inf"),
    ];
    assert_eq!(
        total(
            &after,
            "berth_http_request_duration_seconds_bucket",
            &inf_bucket
        ),
        2.0
    );
    // API routes are named by their template, never by the names in the path.
    let scrape_route = [("route", "/metrics"), ("status", "200")];
    assert!(total(&after, "berth_http_requests_total", &scrape_route) >= 1.0);
    assert!(!after
        .iter()
        .any(|s| s.labels.get("route").is_some_and(|r| r.contains("dev/app"))));

    // An upload body on the wire is in progress until it ends.
    let token = token_for(&berth, "dev", &dev.password, "repository:dev/app:push").await;
    let location = registry.start_upload().await;
    let (sender, chunks) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let body = reqwest::Body::wrap_stream(tokio_stream_of(chunks));
    let slow = Client::with_token(&berth, &token)
        .patch(&location)
        .body(Some("application/octet-stream"), body);
    let upload = tokio::spawn(async move { slow.send().await.status });
    sender.send(Ok(vec![1u8; 1000])).await.expect("first chunk");
    let in_progress = wait_for(&admin, |s| {
        total(s, "berth_uploads_in_progress", &[]) == 1.0
    })
    .await;
    assert!(in_progress, "the upload was never counted in progress");
    drop(sender);
    assert_eq!(upload.await.expect("join"), 202);
    let done = wait_for(&admin, |s| {
        total(s, "berth_uploads_in_progress", &[]) == 0.0
    })
    .await;
    assert!(done, "the finished upload is still counted");

    // Job runs and failures: a log export whose callback fails once, then succeeds.
    let (url, received) = receiver(1).await;
    export_acme_logs_to(&admin, &url).await;
    let export = [("kind", "deliver_log_export")];
    let ran = wait_for(&admin, |s| {
        total(
            s,
            "berth_job_runs_total",
            &[export[0], ("outcome", "failure")],
        ) == 1.0
            && total(
                s,
                "berth_job_runs_total",
                &[export[0], ("outcome", "success")],
            ) == 1.0
    })
    .await;
    assert!(
        ran,
        "job runs not counted; callbacks: {}",
        received.lock().unwrap().len()
    );
}

/// Scrapes until `ready` holds (true) or 30 s pass (false).
async fn wait_for(admin: &Client, ready: impl Fn(&[Sample]) -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if ready(&scrape(admin).await) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

/// The receiving end of a channel as a stream of body chunks.
fn tokio_stream_of(
    mut chunks: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures::stream::poll_fn(move |cx| chunks.poll_recv(cx))
}

/// A scrape needs a superuser's credential.
async fn metrics_are_for_superusers(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    create_user(&admin, "dev").await;
    Client::anon(&berth)
        .get("/metrics")
        .send()
        .await
        .expect_status(401);
}

backends!(metrics_move_with_traffic, metrics_are_for_superusers);
