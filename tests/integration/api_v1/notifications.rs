//! Repository notifications (Quay's `repositorynotification`): created, listed, read, tested,
//! reset and deleted by the repository's admins; a push delivered to a webhook on loopback,
//! retried when it fails, and skipped after three failures until reset.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::fixtures::{
    admin, assert_kinds_logged, create_user, oci_manifest, receiver, Received, Registry,
};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Options};

const NOTIFICATIONS: &str = "/api/v1/repository/dev/app/notification/";

/// Waits until `received` holds `count` payloads; returns them.
async fn payloads(received: &Received, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = received.lock().unwrap().clone();
        if got.len() >= count {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {count} deliveries: {got:?}",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn push(registry: &Registry, tag: &str) {
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = registry.upload_blob(config).await;
    let manifest = oci_manifest((&config_digest, config.len()), &[]);
    registry
        .put_manifest(tag, &manifest)
        .await
        .expect_status(201);
}

async fn repository_notifications(backend: Backend) {
    let options = Options {
        extra_yaml: "SSRF_ALLOWED_HOSTS: [127.0.0.1]\n".into(),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let dev_user = create_user(&admin, "dev").await;
    let dev = Client::session(&berth, &dev_user.username, &dev_user.password).await;
    let registry = Registry::login(&berth, "dev", &dev_user.password, "dev/app").await;
    push(&registry, "v1").await;
    let problem = |status: u16, error_type: &str, detail: &str| {
        wire::problem(&berth.addr, status, error_type, detail)
    };

    // The receiver refuses the first delivery; the retry gets through.
    let (url, received) = receiver(1).await;
    let created = dev
        .post(NOTIFICATIONS)
        .json(
            &json!({"event": "repo_push", "method": "webhook", "config": {"url": url},
                      "eventConfig": {}, "title": "CI hook"}),
        )
        .send()
        .await;
    created.expect_status(201);
    let view = created.json();
    let uuid = view["uuid"].as_str().expect("uuid").to_owned();
    assert_eq!(
        view,
        json!({"uuid": uuid, "title": "CI hook", "event": "repo_push", "method": "webhook",
               "config": {"url": url}, "event_config": {}, "number_of_failures": 0})
    );
    let keys: Vec<&String> = view.as_object().expect("view").keys().collect();
    assert_eq!(
        keys,
        [
            "uuid",
            "title",
            "event",
            "method",
            "config",
            "event_config",
            "number_of_failures"
        ]
    );
    let one = format!("{NOTIFICATIONS}{uuid}");
    assert_eq!(dev.get(&one).send().await.json(), view);
    assert_eq!(
        dev.get(NOTIFICATIONS).send().await.json(),
        json!({ "notifications": [view] })
    );

    push(&registry, "v2").await;
    let got = payloads(&received, 2).await;
    let expected = json!({
        "repository": "dev/app", "namespace": "dev", "name": "app",
        "docker_url": format!("{}/dev/app", berth.addr),
        "homepage": format!("http://{}/repository/dev/app", berth.addr),
        "updated_tags": ["v2"],
    });
    assert_eq!(got[0], expected);
    assert_eq!(got[1], expected);
    let deadline = Instant::now() + Duration::from_secs(10);
    while dev.get(&one).send().await.json()["number_of_failures"] != 0 {
        assert!(
            Instant::now() < deadline,
            "the failure count never went back to 0"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // A test delivery carries Quay's sample data.
    dev.post(&format!("{one}/test"))
        .send()
        .await
        .expect(200, "{}\n");
    let got = payloads(&received, 3).await;
    assert_eq!(got[2]["updated_tags"], json!(["latest", "foo"]));
    assert_eq!(got[2]["repository"], "dev/app");

    // A receiver that always fails: three failures, then the notification is skipped until
    // reset.
    let (broken, refused) = receiver(usize::MAX).await;
    let failing = dev
        .post(NOTIFICATIONS)
        .json(
            &json!({"event": "repo_push", "method": "webhook", "config": {"url": broken},
                      "eventConfig": {}}),
        )
        .send()
        .await
        .json();
    let failing_path = format!("{NOTIFICATIONS}{}", failing["uuid"].as_str().expect("uuid"));
    assert_eq!(failing["title"], Value::Null);
    push(&registry, "v3").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while dev.get(&failing_path).send().await.json()["number_of_failures"] != 3 {
        assert!(Instant::now() < deadline, "the failures were never counted");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // The last try of that event finds the notification skipped: no fourth request.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(refused.lock().unwrap().len(), 3);
    dev.post(&failing_path).send().await.expect(204, "");
    assert_eq!(
        dev.get(&failing_path).send().await.json()["number_of_failures"],
        0
    );

    // Bad requests.
    for (body, detail) in [
        (
            json!({"event": "repo_push", "method": "carrier_pigeon", "config": {}, "eventConfig": {}}),
            "Unsupported notification method: carrier_pigeon",
        ),
        (
            json!({"event": "nope", "method": "webhook", "config": {"url": url}, "eventConfig": {}}),
            "Invalid event: nope",
        ),
        (
            json!({"event": "repo_push", "method": "webhook", "config": {}, "eventConfig": {}}),
            "Missing webhook URL",
        ),
        (
            json!({"event": "repo_push", "method": "webhook", "config": {"url": "ftp://x/y"}, "eventConfig": {}}),
            "Invalid webhook URL",
        ),
        (
            json!({"event": "repo_push", "method": "webhook", "config": {"url": "http://10.1.2.3/x"}, "eventConfig": {}}),
            "Invalid webhook URL",
        ),
        (
            json!({"event": "repo_push", "method": "webhook", "config": {"url": url}}),
            "'eventConfig' is a required property",
        ),
    ] {
        dev.post(NOTIFICATIONS)
            .json(&body)
            .send()
            .await
            .expect(400, &problem(400, "invalid_request", detail));
    }
    let unknown = format!("{NOTIFICATIONS}no-such-notification");
    dev.get(&unknown)
        .send()
        .await
        .expect(404, &problem(404, "not_found", "Not Found"));
    let missing = "No repository notification found for: dev, app, no-such-notification";
    dev.delete(&unknown)
        .send()
        .await
        .expect(400, &problem(400, "invalid_request", missing));

    // Only the repository's admins.
    let other = create_user(&admin, "other").await;
    let other = Client::session(&berth, &other.username, &other.password).await;
    other
        .get(NOTIFICATIONS)
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));

    dev.delete(&one).send().await.expect(204, "");
    dev.delete(&one).send().await.expect_status(400);
    let logs = dev
        .get("/api/v1/repository/dev/app/logs")
        .send()
        .await
        .json();
    assert_kinds_logged(
        &logs,
        &[
            "add_repo_notification",
            "reset_repo_notification",
            "delete_repo_notification",
        ],
    );
    let added = logs["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .rfind(|e| e["kind"] == "add_repo_notification")
        .expect("the first add");
    assert_eq!(
        added["metadata"],
        json!({"repo": "app", "namespace": "dev", "notification_id": uuid,
               "event": "repo_push", "method": "webhook"})
    );
}

backends!(repository_notifications);
