//! A node stopped with SIGTERM (a service manager, a rolling update) stops taking requests
//! but lets the ones under way finish, an upload included, and stores its queued pull logs
//! before it exits.

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::Value;

use crate::harness::fixtures::{admin, token_for, Registry, ADMIN_PASSWORD};
use crate::harness::{backends, Backend, Berth};

const CHUNKS: usize = 20;
const CHUNK: usize = 64 * 1024;

async fn sigterm_lets_an_upload_finish(backend: Backend) {
    let mut berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let registry = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/app").await;
    assert_eq!(registry.try_push().await, 201);
    // A pull: its usage log waits in the node's queue for the next batch.
    assert_eq!(registry.get_manifest("v1").await.status, 200);

    let token = token_for(
        &berth,
        "admin",
        ADMIN_PASSWORD,
        "repository:admin/app:pull,push",
    )
    .await;
    let location = registry.start_upload().await;
    let url = if location.starts_with("http") {
        location.clone()
    } else {
        berth.url(&location)
    };
    // A slow, steady upload: a chunk every 100 ms for two seconds.
    let body = futures::stream::unfold(0, |sent| async move {
        if sent == CHUNKS {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        Some((
            Ok::<Bytes, std::io::Error>(Bytes::from(vec![7u8; CHUNK])),
            sent + 1,
        ))
    });
    let upload = tokio::spawn(
        reqwest::Client::new()
            .patch(&url)
            .bearer_auth(&token)
            .header("Content-Type", "application/octet-stream")
            .body(reqwest::Body::wrap_stream(body))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopped = Instant::now();
    let exited = berth.terminate();

    let answer = upload.await.expect("the upload task").expect("an answer");
    assert_eq!(answer.status(), 202, "the upload under way finished");
    assert_eq!(
        answer.headers()["Range"].to_str().unwrap(),
        format!("0-{}", CHUNKS * CHUNK - 1)
    );
    let exited_cleanly = tokio::task::spawn_blocking(move || exited.join().unwrap_or(false))
        .await
        .expect("waiting for the process");
    assert!(exited_cleanly, "the node exits 0 after SIGTERM");
    assert!(stopped.elapsed() < Duration::from_secs(30));

    // Started again: the pull is in the usage log, and the upload holds every byte.
    berth.restart().await;
    let logs: Value = admin
        .get("/api/v1/repository/admin/app/logs")
        .send()
        .await
        .json();
    assert!(
        logs["logs"]
            .as_array()
            .expect("logs")
            .iter()
            .any(|e| e["kind"] == "pull_repo"),
        "{logs}"
    );
    let registry = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/app").await;
    let bytes = vec![7u8; CHUNKS * CHUNK];
    let digest = crate::harness::fixtures::sha256_digest(&bytes);
    let finished = registry.finish_upload(&location, &digest, Vec::new()).await;
    assert_eq!(finished.status, 201, "{}", finished.text());
}

backends!(sigterm_lets_an_upload_finish);
