//! Background jobs outlive the node that took them: a node killed in the middle of a job
//! stops renewing its claim, and the job is run again once the claim lapses (a minute).

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::harness::fixtures::{admin, hold_an_export};
use crate::harness::{backends, Backend, Berth, Options};

async fn a_dead_nodes_job_is_run_again(backend: Backend) {
    let options = Options {
        extra_yaml: "SSRF_ALLOWED_HOSTS: [127.0.0.1]\n".into(),
        ..Options::default()
    };
    let mut berth = Berth::start_with(backend, options).await;
    // The job runs: its callback hangs. The node dies with the job claimed.
    let answered = hold_an_export(&admin(&berth).await).await;
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
