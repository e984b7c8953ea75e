//! App-specific tokens (core-api.md §1.10): created, shown again and revoked through
//! `/api/v1/user/apptoken`, and used as `$app` with the registry.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::fixtures::{admin, create_user, registry_token, Registry};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Options};

async fn lifecycle_and_registry_login(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    let session = Client::session(&berth, "dev", &dev.password).await;

    let created = session
        .post("/api/v1/user/apptoken")
        .json(&json!({"title": "laptop"}))
        .send()
        .await;
    created.expect_status(200);
    let token: Value = created.json()["token"].clone();
    let code = token["token_code"].as_str().unwrap().to_owned();
    let uuid = token["uuid"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 120);
    assert_eq!(token["title"], "laptop");
    assert_eq!(token["expiration"], Value::Null);

    // Listed without the secret; shown again in full by uuid.
    let listed = session.get("/api/v1/user/apptoken").send().await.json();
    assert_eq!(listed["tokens"][0]["uuid"], uuid.as_str());
    assert!(listed["tokens"][0].get("token_code").is_none());
    let again = session
        .get(&format!("/api/v1/user/apptoken/{uuid}"))
        .send()
        .await
        .json();
    assert_eq!(again["token"]["token_code"], code.as_str());

    // `$app` logs in to the registry as dev, and the login is logged with the token's title.
    let login = registry_token(&berth, "$app", &code, None).await;
    assert_eq!(login.status, 200, "{}", login.text());
    let registry = Registry::login(&berth, "$app", &code, "dev/app").await;
    registry.upload_blob(b"pushed with an app token").await;
    let logs = session.get("/api/v1/user/logs").send().await.json();
    let entry = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "login_success")
        .cloned()
        .unwrap();
    assert_eq!(entry["metadata"]["kind"], "app_specific_token");
    assert_eq!(entry["metadata"]["app_specific_token_title"], "laptop");

    // Others cannot see it; after revocation it no longer logs in.
    let other = create_user(&admin, "other").await;
    let other = Client::session(&berth, "other", &other.password).await;
    other
        .get(&format!("/api/v1/user/apptoken/{uuid}"))
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
    session
        .delete(&format!("/api/v1/user/apptoken/{uuid}"))
        .send()
        .await
        .expect(204, "");
    assert_eq!(
        registry_token(&berth, "$app", &code, None).await.status,
        401
    );
    let kinds: Vec<String> = session.get("/api/v1/user/logs").send().await.json()["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(kinds.contains(&"revoke_app_specific_token".to_owned()));
    assert!(kinds.contains(&"create_app_specific_token".to_owned()));
    Client::anon(&berth)
        .get("/api/v1/user/apptoken")
        .send()
        .await
        .expect(401, &wire::requires_auth(&berth.addr));
}

/// The uuids of the caller's tokens, with `query` (e.g. `?expiring=true`).
async fn listed(session: &Client, query: &str) -> Vec<String> {
    let resp = session
        .get(&format!("/api/v1/user/apptoken{query}"))
        .send()
        .await;
    resp.expect_status(200);
    resp.json()["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["uuid"].as_str().unwrap().to_owned())
        .collect()
}

/// `APP_SPECIFIC_TOKEN_EXPIRATION: 20s`: a token is "expiring" in its last two seconds, refused
/// once expired, and swept `EXPIRED_APP_SPECIFIC_TOKEN_GC` (4s) later.
async fn expiry_and_sweep(backend: Backend) {
    let options = Options {
        extra_yaml: "APP_SPECIFIC_TOKEN_EXPIRATION: 20s\nEXPIRED_APP_SPECIFIC_TOKEN_GC: 4s\n"
            .into(),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    let session = Client::session(&berth, "dev", &dev.password).await;
    let created = session
        .post("/api/v1/user/apptoken")
        .json(&json!({"title": "ci"}))
        .send()
        .await;
    let born = Instant::now();
    created.expect_status(200);
    let token = created.json()["token"].clone();
    let (uuid, code) = (
        token["uuid"].as_str().unwrap(),
        token["token_code"].as_str().unwrap(),
    );
    assert!(token["expiration"].is_string(), "{token}");
    let sleep_until =
        |at: Duration| tokio::time::sleep((born + at).saturating_duration_since(Instant::now()));

    // Young: listed, not expiring, usable.
    assert_eq!(listed(&session, "").await, [uuid]);
    let expiring = session
        .get("/api/v1/user/apptoken?expiring=true")
        .send()
        .await;
    expiring.expect(200, "{\"tokens\": [], \"only_expiring\": true}\n");
    assert_eq!(listed(&session, "?expiring=false").await, [uuid]);
    assert_eq!(registry_token(&berth, "$app", code, None).await.status, 200);

    // In its last tenth: expiring.
    sleep_until(Duration::from_millis(18_800)).await;
    assert_eq!(listed(&session, "?expiring=true").await, [uuid]);

    // Expired: refused at login and not shown, but kept within the window.
    sleep_until(Duration::from_millis(20_600)).await;
    assert_eq!(registry_token(&berth, "$app", code, None).await.status, 401);
    session
        .get(&format!("/api/v1/user/apptoken/{uuid}"))
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
    assert!(listed(&session, "?expiring=true").await.is_empty());
    assert_eq!(listed(&session, "").await, [uuid]);

    // Swept once the window has passed.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !listed(&session, "").await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the expired token was never swept"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// A bad duration stops `berth serve` with an error naming the key.
#[tokio::test]
async fn bad_token_expiration_is_a_named_config_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config.yaml");
    std::fs::write(&config, "APP_SPECIFIC_TOKEN_EXPIRATION: 30x\n").expect("config");
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .arg("--config")
        .arg(&config)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("berth serve did not stop")
        .expect("running berth");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("configuration key APP_SPECIFIC_TOKEN_EXPIRATION: '30x' is not a duration"),
        "{stderr}"
    );
}

backends!(lifecycle_and_registry_login, expiry_and_sweep);
