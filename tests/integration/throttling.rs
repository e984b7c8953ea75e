//! Login cost and throttling (hardening item 2): Quay's per-account back-off after failed
//! logins (429 with `Retry-After`, on `/v2/auth` and the web sign-in, logged as
//! `login_failure`), a per-address limit on failures, and a remembered password that a
//! password change forgets at once.

use serde_json::json;

use crate::harness::fixtures::{admin, assert_code, create_user, registry_token};
use crate::harness::{backends, Backend, Berth, Client, Resp};

const BACKOFF: &str = "Too many login attempts. \nPlease reset your Quay password and try again.";

/// Wrong passwords until the account backs off; the 429.
async fn until_throttled(berth: &Berth, username: &str) -> Resp {
    for _ in 0..6 {
        let resp = registry_token(berth, username, "wrong-password", None).await;
        if resp.status == 429 {
            return resp;
        }
        assert_eq!(resp.status, 401, "{}", resp.text());
    }
    panic!("{username} was never throttled");
}

async fn failed_logins_back_off(backend: Backend) {
    // The harness turns on ACTION_LOG_AUDIT_LOGIN_FAILURES.
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;

    let throttled = until_throttled(&berth, "dev").await;
    assert_code(&throttled, 429, "TOOMANYREQUESTS");
    assert_eq!(throttled.json()["errors"][0]["message"], BACKOFF);
    let wait: u64 = throttled
        .header("Retry-After")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!(wait >= 1, "{wait}");
    // The right password waits too, on the web sign-in as well.
    assert_eq!(
        registry_token(&berth, "dev", &dev.password, None)
            .await
            .status,
        429
    );
    let signin = Client::browser(&berth)
        .await
        .post("/api/v1/signin")
        .json(&json!({"username": "dev", "password": dev.password}))
        .send()
        .await;
    signin.expect(429, BACKOFF);
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    registry_token(&berth, "dev", &dev.password, None)
        .await
        .expect_status(200);

    // Each refusal is a `login_failure` entry, the back-off's with Quay's message.
    let logs = admin.get("/api/v1/superuser/logs").send().await.json();
    let messages: Vec<&str> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "login_failure")
        .filter_map(|e| e["metadata"]["message"].as_str())
        .collect();
    assert!(messages.contains(&BACKOFF), "{logs}");
    assert!(messages.contains(&"Invalid Username or Password"), "{logs}");
}

/// Too many failures from one address refuse every login from it for a while.
async fn addresses_are_limited(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    let mut statuses = Vec::new();
    for i in 0..40 {
        let resp = registry_token(&berth, &format!("nobody{i}"), "guess", None).await;
        statuses.push(resp.status);
    }
    assert!(statuses.starts_with(&[401; 30]), "{statuses:?}");
    assert!(statuses.ends_with(&[429; 10]), "{statuses:?}");
    let refused = registry_token(&berth, "dev", &dev.password, None).await;
    assert_code(&refused, 429, "TOOMANYREQUESTS");
}

/// A remembered password is forgotten when the password changes.
async fn password_changes_are_seen_at_once(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    for _ in 0..2 {
        registry_token(&berth, "dev", &dev.password, None)
            .await
            .expect_status(200);
    }
    admin
        .put("/api/v1/superuser/users/dev")
        .json(&json!({"password": "a-new-password"}))
        .send()
        .await
        .expect_status(200);
    assert_eq!(
        registry_token(&berth, "dev", &dev.password, None)
            .await
            .status,
        401
    );
    // That failure backs the account off for half a second, as in Quay.
    let mut resp = registry_token(&berth, "dev", "a-new-password", None).await;
    for _ in 0..20 {
        if resp.status != 429 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        resp = registry_token(&berth, "dev", "a-new-password", None).await;
    }
    resp.expect_status(200);
}

backends!(
    failed_logins_back_off,
    addresses_are_limited,
    password_changes_are_seen_at_once,
);
