//! App-specific tokens (core-api.md §1.10): created, shown again and revoked through
//! `/api/v1/user/apptoken`, and used as `$app` with the registry.

use serde_json::{json, Value};

use crate::harness::fixtures::{admin, create_user, registry_token, Registry};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client};

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

backends!(lifecycle_and_registry_login);
