//! `/health/instance` (core-api.md §7.1): every check runs for real, and a failed one makes the
//! answer 503 with the failing service named.

use crate::harness::{backends, Backend, Berth, Client, Options};

fn body(disk_space: bool, status: u16) -> String {
    format!(
        "{{\"data\": {{\"services\": {{\"auth\": true, \"database\": true, \
         \"disk_space\": {disk_space}, \"registry_gunicorn\": true, \"service_key\": true, \
         \"web_gunicorn\": true}}}}, \"status_code\": {status}}}\n"
    )
}

async fn healthy_instance(backend: Backend) {
    let berth = Berth::start(backend).await;
    for path in ["/health/instance", "/health"] {
        Client::anon(&berth)
            .get(path)
            .send()
            .await
            .expect(200, &body(true, 200));
    }
}

/// No volume keeps all of its space free: with `DISKSPACE_HEALTH_THRESHOLD: 1.0` the disk
/// check fails, and so does the instance.
async fn disk_space_is_checked(backend: Backend) {
    let options = Options {
        extra_yaml: "DISKSPACE_HEALTH_THRESHOLD: 1.0\n".to_owned(),
        unhealthy: true,
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    Client::anon(&berth)
        .get("/health/instance")
        .send()
        .await
        .expect(503, &body(false, 503));
}

/// `/health/endtoend`: the database, Redis (when build logs go there) and blob storage, each
/// used for real; a Redis that does not answer makes it 503.
async fn end_to_end(backend: Backend) {
    let shared = |redis: bool, status: u16| {
        format!(
            "{{\"data\": {{\"services\": {{\"auth\": true, \"database\": true, \
             \"redis\": {redis}, \"storage\": true}}}}, \"status_code\": {status}}}\n"
        )
    };
    let berth = Berth::start(backend.another().await).await;
    Client::anon(&berth)
        .get("/health/endtoend")
        .send()
        .await
        .expect(200, &shared(true, 200));
    if crate::harness::redis().await.is_some() {
        let options = Options {
            extra_yaml: "BUILDLOGS_REDIS: {host: 127.0.0.1, port: 6379}\n".into(),
            ..Options::default()
        };
        let berth = Berth::start_with(backend.another().await, options).await;
        Client::anon(&berth)
            .get("/health/endtoend")
            .send()
            .await
            .expect(200, &shared(true, 200));
    }
    // Nothing listens on port 1.
    let options = Options {
        extra_yaml: "BUILDLOGS_REDIS: {host: 127.0.0.1, port: 1}\n".into(),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    Client::anon(&berth)
        .get("/health/endtoend")
        .send()
        .await
        .expect(503, &shared(false, 503));
}

backends!(healthy_instance, disk_space_is_checked, end_to_end);
