//! `/api/v1/superuser/keys` and `approvedkeys` (superuser-api.md §4.5, §12, Berth's decisions 3
//! and 7; docs §6.17.8), against transcripts 134–153 and 164, and the trust registry tokens
//! place in service keys.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs1::DecodeRsaPrivateKey;
use serde_json::{json, Value};

use crate::harness::fixtures::{
    admin, create_auditor, create_user, registry_token, user_token, ADMIN_PASSWORD,
};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Resp};

const KEYS: &str = "/api/v1/superuser/keys";
/// The expiration of transcripts 134–135 and the docs-command PUT of transcript 146.
const EXPIRATION: i64 = 1798385701;
const EXTENDED: i64 = 1798472101;
const SERVICE_RULE: &str = "a service name may contain only lower-case letters, digits and \
                            underscores (^[a-z0-9_]+$)";

async fn create(admin: &Client, body: Value) -> Value {
    let resp = admin.post(KEYS).json(&body).send().await;
    resp.expect_status(200);
    resp.json()
}

fn key_path(kid: &str) -> String {
    format!("{KEYS}/{kid}")
}

async fn superuser_logs(admin: &Client) -> Vec<Value> {
    let resp = admin.get("/api/v1/superuser/logs").send().await;
    resp.expect_status(200);
    resp.json()["logs"].as_array().cloned().unwrap_or_default()
}

/// The newest log entry of `kind`.
async fn last_log(admin: &Client, kind: &str) -> Value {
    superuser_logs(admin)
        .await
        .into_iter()
        .find(|e| e["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} entry"))
}

/// An object's keys in wire order.
fn field_names(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn kinds(logs: &[Value]) -> Vec<String> {
    logs.iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .filter(|k| k.starts_with("service_key_"))
        .collect()
}

async fn docs_commands(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;

    // Transcript 135: the docs' create command with a real service name.
    let resp = admin
        .post(KEYS)
        .json(&json!({"service": "myservice", "expiration": EXPIRATION}))
        .send()
        .await;
    resp.expect_status(200);
    let text = resp.text();
    assert!(text.starts_with("{\"kid\":\""), "{text}");
    assert!(text.ends_with("\"service\":\"myservice\"}\n"), "{text}");
    let created = resp.json();
    let kid = created["kid"].as_str().unwrap().to_owned();
    assert_eq!(kid.len(), 43);
    assert_eq!(created["name"], "");
    let private = created["private_key"].as_str().unwrap();
    assert!(private.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    let key = rsa::RsaPrivateKey::from_pkcs1_pem(private).expect("a PKCS#1 private key");
    assert_eq!(rsa::traits::PublicKeyParts::size(&key), 256);
    assert!(created["public_key"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert_eq!(
        field_names(&created),
        ["kid", "name", "private_key", "public_key", "service"]
    );

    // Transcript 136: name, metadata, notes and no expiry.
    let second = create(
        &admin,
        json!({"service": "myservice", "name": "build key", "expiration": null,
               "metadata": {"env": "dev"}, "notes": "created via API"}),
    )
    .await;
    assert_eq!(second["name"], "build key");

    // Transcript 141: approving an approved key changes nothing and answers 201, empty.
    let resp = admin
        .post(&format!("/api/v1/superuser/approvedkeys/{kid}"))
        .json(&json!({"notes": "approved by admin"}))
        .send()
        .await;
    resp.expect(201, "");

    // Transcript 144: the instance's key and the two new ones, compact with sorted keys.
    let resp = admin.get(KEYS).send().await;
    resp.expect_status(200);
    assert!(resp
        .text()
        .starts_with("{\"keys\":[{\"approval\":{\"approval_type\":"));
    let list = resp.json()["keys"].as_array().cloned().unwrap();
    assert_eq!(list.len(), 3);
    let instance = &list[0];
    assert_eq!(instance["service"], "quay");
    assert_eq!(
        instance["approval"]["approval_type"],
        "ServiceKeyApprovalType.AUTOMATIC"
    );
    assert_eq!(instance["approval"]["approver"], Value::Null);
    assert_eq!(instance["jwk"]["kid"], instance["kid"]);
    let build = list.iter().find(|k| k["kid"] == second["kid"]).unwrap();
    assert_eq!(build["expiration_date"], Value::Null);
    assert_eq!(build["approval"]["notes"], "created via API");
    assert_eq!(
        build["metadata"],
        json!({"created_by": "Quay Superuser Panel", "creator": "admin", "env": "dev", "ip": "127.0.0.1"})
    );

    // Transcript 145.
    let resp = admin.get(&key_path(&kid)).send().await;
    resp.expect_status(200);
    let view = resp.json();
    assert_eq!(
        field_names(&view),
        [
            "approval",
            "created_date",
            "expiration_date",
            "jwk",
            "kid",
            "metadata",
            "name",
            "rotation_duration",
            "service"
        ]
    );
    assert_eq!(view["expiration_date"], "Sun, 27 Dec 2026 15:35:01 GMT");
    assert!(view["created_date"].as_str().unwrap().ends_with(" GMT"));
    assert_eq!(view["rotation_duration"], Value::Null);
    let approval = &view["approval"];
    assert_eq!(
        approval["approval_type"],
        "ServiceKeyApprovalType.SUPERUSER"
    );
    assert_eq!(approval["approver"]["username"], "admin");
    assert_eq!(approval["approver"]["super_user"], true);
    assert_eq!(approval["notes"], "");
    assert_eq!(view["jwk"]["kty"], "RSA");
    assert_eq!(view["jwk"]["e"], "AQAB");
    assert_eq!(
        view["jwk"]["n"]
            .as_str()
            .map(|n| URL_SAFE_NO_PAD.decode(n).unwrap().len()),
        Some(256)
    );

    // Transcript 146: the docs' update command merges the metadata.
    let resp = admin
        .put(&key_path(&kid))
        .json(&json!({"name": "quay-service-key-updated",
                      "metadata": {"environment": "production"}, "expiration": EXTENDED}))
        .send()
        .await;
    resp.expect_status(200);
    let updated = resp.json();
    assert_eq!(updated["name"], "quay-service-key-updated");
    assert_eq!(updated["expiration_date"], "Mon, 28 Dec 2026 15:35:01 GMT");
    assert_eq!(
        updated["metadata"],
        json!({"created_by": "Quay Superuser Panel", "creator": "admin",
               "environment": "production", "ip": "127.0.0.1"})
    );
    assert_eq!(admin.get(&key_path(&kid)).send().await.json(), updated);

    // Transcripts 151–152 and 150.
    admin.delete(&key_path(&kid)).send().await.expect(204, "");
    let host = &berth.addr;
    let gone = admin.delete(&key_path(&kid)).send().await;
    gone.expect(404, &wire::not_found(host));
    let gone = admin.get(&key_path(&kid)).send().await;
    gone.expect(404, &wire::not_found(host));
    let list = admin.get(KEYS).send().await.json();
    assert_eq!(list["keys"].as_array().unwrap().len(), 2);

    // The audit trail, newest first (transcript 66's service-key entries).
    let logs = superuser_logs(&admin).await;
    assert_eq!(
        kinds(&logs),
        [
            "service_key_delete",
            "service_key_modify",
            "service_key_extend",
            "service_key_approve",
            "service_key_create",
            "service_key_approve",
            "service_key_create",
        ]
    );
    let metadata = |i: usize| {
        let mut m = logs
            .iter()
            .filter(|e| e["kind"].as_str().unwrap().starts_with("service_key_"))
            .nth(i)
            .unwrap()["metadata"]
            .clone();
        for field in [
            "oauth_token_id",
            "oauth_token_application_id",
            "oauth_token_application",
        ] {
            m.as_object_mut().unwrap().remove(field);
        }
        m
    };
    let delete = metadata(0);
    assert_eq!(delete["name"], "quay-service-key-updated");
    assert_eq!(delete["expiration_date"], EXTENDED);
    assert!(delete["created_date"].is_i64());
    assert_eq!(
        metadata(2),
        json!({"kid": kid, "service": "myservice", "name": "quay-service-key-updated",
               "expiration_date": EXTENDED, "old_expiration_date": EXPIRATION})
    );
    assert_eq!(metadata(1), metadata(2));
    assert_eq!(
        metadata(6),
        json!({"kid": kid, "preshared": true, "service": "myservice", "name": "",
               "expiration_date": EXPIRATION, "auto_approved": true})
    );
    assert_eq!(logs[0]["performer"]["name"], "admin");
    assert_eq!(logs[0]["namespace"]["name"], "admin");
}

async fn errors_and_callers(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let host = &berth.addr;
    let post = |body: Value| admin.post(KEYS).json(&body).send();

    // Transcripts 134 and 140, with the rule stated (Berth's decision 7).
    let resp = post(json!({"service": "<service_name>", "expiration": EXPIRATION})).await;
    resp.expect(
        400,
        &wire::data_model(&format!(
            "Invalid service name '<service_name>': {SERVICE_RULE}"
        )),
    );
    let resp = post(json!({"service": "My-Service", "expiration": EXPIRATION})).await;
    resp.expect(
        400,
        &wire::data_model(&format!(
            "Invalid service name 'My-Service': {SERVICE_RULE}"
        )),
    );
    // Transcript 137: the first line of jsonschema's message.
    let resp = post(json!({"service": "myservice"})).await;
    resp.expect_status(400);
    assert!(resp.json()["detail"]
        .as_str()
        .unwrap()
        .starts_with("'expiration' is a required property"));
    let resp = post(json!({"service": "myservice", "expiration": "soon"})).await;
    resp.expect(
        400,
        &wire::invalid_request(host, "'soon' is not valid under any of the given schemas"),
    );
    let resp = post(json!({"service": "s", "expiration": null, "metadata": []})).await;
    resp.expect(
        400,
        &wire::invalid_request(host, "[] is not of type 'object'"),
    );
    // Transcripts 138 and 139.
    let resp = post(json!({"service": "myservice", "expiration": 1000})).await;
    resp.expect(
        400,
        &wire::invalid_request(host, "Expiration date cannot be in the past"),
    );
    let resp = post(json!({"service": "myservice", "expiration": 1e20})).await;
    resp.expect(
        400,
        &wire::invalid_request(host, "Invalid expiration date: year is out of range"),
    );
    let resp = post(
        json!({"service": "myservice", "name": "http://quay.example.com:80",
                           "expiration": EXPIRATION}),
    )
    .await;
    resp.expect(
        400,
        &wire::invalid_request(
            host,
            "Invalid service key friendly name: http://quay.example.com:80",
        ),
    );

    let kid = create(
        &admin,
        json!({"service": "myservice", "expiration": EXPIRATION}),
    )
    .await["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let approve = format!("/api/v1/superuser/approvedkeys/{kid}");
    // Transcripts 142, 143.
    admin
        .post(&approve)
        .send()
        .await
        .expect(415, &wire::restful_message(wire::NOT_JSON));
    let resp = admin
        .post("/api/v1/superuser/approvedkeys/nosuchkid")
        .json(&json!({"notes": ""}))
        .send()
        .await;
    resp.expect(404, &wire::not_found(host));
    // Transcripts 147–150.
    let put = |path: String, body: Value| admin.put(&path).json(&body).send();
    put(key_path(&kid), json!({"expiration": 1000}))
        .await
        .expect(
            400,
            &wire::invalid_request(host, "Cannot have an expiration date in the past"),
        );
    put(key_path(&kid), json!({"name": "bad.name"}))
        .await
        .expect(
            400,
            &wire::invalid_request(host, "Invalid service key friendly name: bad.name"),
        );
    put(key_path("nosuchkid"), json!({"name": "x"}))
        .await
        .expect(404, &wire::not_found(host));
    admin
        .get(&key_path("nosuchkid"))
        .send()
        .await
        .expect(404, &wire::not_found(host));
    let unchanged = admin.get(&key_path(&kid)).send().await.json();
    assert_eq!(unchanged["name"], "");
    assert_eq!(
        unchanged["expiration_date"],
        "Sun, 27 Dec 2026 15:35:01 GMT"
    );

    // `expiration: null` removes the expiry and logs service_key_extend only.
    let resp = put(key_path(&kid), json!({"expiration": null})).await;
    resp.expect_status(200);
    assert_eq!(resp.json()["expiration_date"], Value::Null);
    let extend = last_log(&admin, "service_key_extend").await;
    assert_eq!(extend["metadata"]["expiration_date"], Value::Null);
    assert_eq!(extend["metadata"]["old_expiration_date"], EXPIRATION);
    assert_eq!(
        kinds(&superuser_logs(&admin).await)[0],
        "service_key_extend"
    );

    // An unapproved key: approved once with the notes, then left alone.
    berth
        .backend()
        .execute(
            "UPDATE service_keys SET approval_type = NULL, approver_id = NULL, \
             approved_ms = NULL, approval_notes = NULL WHERE kid = $1",
            &[&kid],
        )
        .await;
    assert_eq!(
        admin.get(&key_path(&kid)).send().await.json()["approval"],
        Value::Null
    );
    let notes = json!({"notes": "testapprove"});
    admin
        .post(&approve)
        .json(&notes)
        .send()
        .await
        .expect(201, "");
    let approved = admin.get(&key_path(&kid)).send().await.json();
    assert_eq!(
        approved["approval"]["approval_type"],
        "ServiceKeyApprovalType.SUPERUSER"
    );
    assert_eq!(approved["approval"]["approver"]["username"], "admin");
    assert_eq!(approved["approval"]["notes"], "testapprove");
    let entry = last_log(&admin, "service_key_approve").await;
    assert_eq!(
        entry["metadata"]["kid"], kid,
        "the approval is logged: {entry}"
    );
    let before = superuser_logs(&admin).await.len();
    let again = json!({"notes": "again"});
    admin
        .post(&approve)
        .json(&again)
        .send()
        .await
        .expect(201, "");
    assert_eq!(superuser_logs(&admin).await.len(), before);
    assert_eq!(
        admin.get(&key_path(&kid)).send().await.json()["approval"]["notes"],
        "testapprove"
    );

    // Trailing slashes answer too (Berth's decision 3, unlike transcript 153).
    admin
        .get(&format!("{KEYS}/"))
        .send()
        .await
        .expect_status(200);

    // Callers: anonymous 401, a normal user 403 (transcript 164), the read-only superuser
    // reads but does not write.
    Client::anon(&berth)
        .get(KEYS)
        .send()
        .await
        .expect(401, &wire::requires_auth(host));
    let jdoe = create_user(&admin, "jdoe").await;
    let jdoe = Client::with_token(&berth, &user_token(&berth, &jdoe, "repo:read").await);
    jdoe.get(KEYS)
        .send()
        .await
        .expect(403, &wire::insufficient_scope(host));
    let auditor = create_auditor(&admin).await;
    let auditor = Client::session(&berth, &auditor.username, &auditor.password).await;
    auditor.get(KEYS).send().await.expect_status(200);
    auditor.get(&key_path(&kid)).send().await.expect_status(200);
    auditor
        .post(KEYS)
        .json(&json!({"service": "x", "expiration": null}))
        .send()
        .await
        .expect(403, &wire::insufficient_scope(host));
    auditor
        .delete(&key_path(&kid))
        .send()
        .await
        .expect(403, &wire::insufficient_scope(host));
    // Schema before permission: a non-superuser's bad body is a 400.
    let resp = jdoe.post(KEYS).json(&json!({"service": "x"})).send().await;
    resp.expect_status(400);
}

/// A registry token for `admin` with the claims Berth gives, signed by `private_pem` as `kid`.
fn resign(token: &str, kid: &str, private_pem: &str) -> String {
    let payload = token.split('.').nth(1).expect("a JWT");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

async fn ping(berth: &Berth, token: &str) -> Resp {
    Client::with_token(berth, token).get("/v2/").send().await
}

async fn registry_tokens_follow_key_trust(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let issued = registry_token(&berth, "admin", ADMIN_PASSWORD, None).await;
    issued.expect_status(200);
    let instance_token = issued.json()["token"].as_str().unwrap().to_owned();
    ping(&berth, &instance_token).await.expect_status(200);

    // A key of the registry's own service, created and then withdrawn from approval.
    let created = create(&admin, json!({"service": "quay", "expiration": null})).await;
    let kid = created["kid"].as_str().unwrap().to_owned();
    let private = created["private_key"].as_str().unwrap();
    let token = resign(&instance_token, &kid, private);
    berth
        .backend()
        .execute(
            "UPDATE service_keys SET approval_type = NULL WHERE kid = $1",
            &[&kid],
        )
        .await;
    ping(&berth, &token).await.expect_status(401);

    // Approved, it verifies; deleted, the same token (remembered as verified) no longer does.
    admin
        .post(&format!("/api/v1/superuser/approvedkeys/{kid}"))
        .json(&json!({}))
        .send()
        .await
        .expect(201, "");
    ping(&berth, &token).await.expect_status(200);
    ping(&berth, &token).await.expect_status(200);
    admin.delete(&key_path(&kid)).send().await.expect(204, "");
    let refused = ping(&berth, &token).await;
    refused.expect_status(401);
    assert!(refused.text().contains("Unknown or unapproved signing key"));

    // A key whose expiry is moved into the near past stops too; the instance key keeps working.
    let created = create(&admin, json!({"service": "quay", "expiration": null})).await;
    let kid = created["kid"].as_str().unwrap().to_owned();
    let token = resign(
        &instance_token,
        &kid,
        created["private_key"].as_str().unwrap(),
    );
    ping(&berth, &token).await.expect_status(200);
    let soon = chrono::Utc::now().timestamp() + 2;
    admin
        .put(&key_path(&kid))
        .json(&json!({ "expiration": soon }))
        .send()
        .await
        .expect_status(200);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    ping(&berth, &token).await.expect_status(401);
    ping(&berth, &instance_token).await.expect_status(200);
}

backends!(
    docs_commands,
    errors_and_callers,
    registry_tokens_follow_key_trust
);
