//! Background jobs outlive the node that took them: a node killed in the middle of a job
//! stops renewing its claim, and the job is run again once the claim lapses (a minute).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::fixtures::{admin, create_org};
use crate::harness::{backends, Backend, Berth, Options};

/// A callback receiver that holds its first request open for good and answers the later
/// ones; answers its URL and how many requests it answered.
async fn stalling_receiver() -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let (seen_here, answered_here) = (seen.clone(), answered.clone());
    let app = axum::Router::new().route(
        "/done",
        axum::routing::post(move || {
            let (seen, answered) = (seen_here.clone(), answered_here.clone());
            async move {
                if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                    std::future::pending::<()>().await;
                }
                answered.fetch_add(1, Ordering::SeqCst);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/done", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen, answered)
}

async fn a_dead_nodes_job_is_run_again(backend: Backend) {
    let options = Options {
        extra_yaml: "SSRF_ALLOWED_HOSTS: [127.0.0.1]\n".into(),
        ..Options::default()
    };
    let mut berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    create_org(&admin, "acme").await;
    let (url, seen, answered) = stalling_receiver().await;
    admin
        .post("/api/v1/organization/acme/exportlogs")
        .json(&json!({ "callback_url": url }))
        .send()
        .await
        .expect_status(200);
    // The job runs: its callback hangs. The node dies with the job claimed.
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "the export job never started");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    berth.kill9();
    let killed = Instant::now();
    berth.restart().await;
    let deadline = killed + Duration::from_secs(100);
    while answered.load(Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the job was not run again: {}",
            berth.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Held no longer than the claim's minute, plus the runner's poll and the delivery.
    assert!(
        killed.elapsed() < Duration::from_secs(75),
        "{:?}",
        killed.elapsed()
    );
}

backends!(a_dead_nodes_job_is_run_again);
