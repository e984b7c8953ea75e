//! The registry size (superuser-api.md §8, docs §6.17.4, transcripts 77–83): what is reported
//! before any calculation, queueing, the background job, and who may call.

use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::fixtures::{
    admin, create_user, curl, mint_token, oci_manifest, user_token, Registry, Tools, ADMIN_PASSWORD,
};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Options};

const PATH: &str = "/api/v1/superuser/registrysize/";
const NEVER_QUEUED: &str =
    "{\"size_bytes\": 0, \"last_ran\": null, \"running\": false, \"queued\": false}\n";
const QUEUED: &str =
    "{\"size_bytes\": 0, \"last_ran\": null, \"queued\": true, \"running\": false}\n";
/// The body the docs send with POST; Quay ignores it.
const DOCS_BODY: &str =
    r#"{ "namespace": "<namespace>", "last_ran": 1700000000, "queued": true, "running": false }"#;

/// Polls GET until a calculation completed after `after` (epoch ms), within a deadline.
async fn wait_for_run(admin: &Client, after: i64) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let resp = admin.get(PATH).send().await;
        resp.expect_status(200);
        let body = resp.json();
        if body["last_ran"].as_i64().is_some_and(|ran| ran > after) {
            assert_eq!(
                (body["queued"].clone(), body["running"].clone()),
                (json!(false), json!(false))
            );
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no calculation completed: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Pushes `repo:tag` as `admin`: the config and layers as blobs, then the manifest.
async fn push(berth: &Berth, repo: &str, tag: &str, config: &[u8], layers: &[&[u8]]) {
    let registry = Registry::login(berth, "admin", ADMIN_PASSWORD, repo).await;
    let config_digest = registry.upload_blob(config).await;
    let mut described = Vec::new();
    for layer in layers {
        described.push((registry.upload_blob(layer).await, layer.len()));
    }
    let refs: Vec<(&str, usize)> = described.iter().map(|(d, n)| (d.as_str(), *n)).collect();
    let manifest = oci_manifest((&config_digest, config.len()), &refs);
    registry
        .put_manifest(tag, &manifest)
        .await
        .expect_status(201);
}

/// The docs' commands, as written, with quota management off (the job never runs, as in
/// Quay): the answer before any run, the queued POST, a second POST, and the queued state.
async fn docs_commands(backend: Backend) {
    let berth = Berth::start(backend).await;
    let token = crate::harness::fixtures::initialize_admin(&berth).await;
    let tools = Tools::new();
    let url = berth.url(PATH);
    let bearer = format!("Authorization: Bearer {token}");
    let get = ["-X", "GET", "-H", bearer.as_str(), url.as_str()];
    assert_eq!(curl(&tools, &get).await, (200, NEVER_QUEUED.to_owned()));
    let post = [
        "-X",
        "POST",
        url.as_str(),
        "-H",
        bearer.as_str(),
        "-H",
        "Content-Type: application/json",
        "-d",
        DOCS_BODY,
    ];
    assert_eq!(curl(&tools, &post).await, (201, "\"\"\n".to_owned()));
    assert_eq!(curl(&tools, &post).await, (202, "\"\"\n".to_owned()));
    assert_eq!(curl(&tools, &get).await, (200, QUEUED.to_owned()));

    // Without the trailing slash (Berth's decision 3), and with a body that is no JSON at all.
    let admin = Client::with_token(&berth, &token);
    admin
        .post("/api/v1/superuser/registrysize")
        .body(Some("text/plain"), "not json")
        .send()
        .await
        .expect(202, "\"\"\n");
    admin
        .get("/api/v1/superuser/registrysize")
        .send()
        .await
        .expect(200, QUEUED);
}

/// With quota management on, the job sums every stored blob once, including blobs shared by
/// two images and blobs nothing references.
async fn recalculation_sums_stored_blobs(backend: Backend) {
    let options = Options {
        quota_management: true,
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    admin.get(PATH).send().await.expect(200, NEVER_QUEUED);

    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let base: &[u8] = b"base layer bytes";
    push(&berth, "admin/first", "v1", config, &[base]).await;
    let before = chrono::Utc::now().timestamp_millis() - 1;
    admin.post(PATH).send().await.expect(201, "\"\"\n");
    let first = wait_for_run(&admin, 0).await;
    let first_ran = first["last_ran"].as_i64().expect("last_ran");
    assert!(first_ran >= before, "last_ran is epoch milliseconds");
    assert_eq!(first["size_bytes"], json!(config.len() + base.len()));
    let text = admin.get(PATH).send().await.text();
    assert_eq!(
        text,
        format!(
            "{{\"size_bytes\": {}, \"last_ran\": {first_ran}, \"queued\": false, \"running\": false}}\n",
            config.len() + base.len()
        )
    );

    // A second image sharing the config and the base layer, and a blob no manifest names.
    let extra: &[u8] = b"a second layer, larger than the first";
    push(&berth, "admin/second", "v1", config, &[base, extra]).await;
    let loose: &[u8] = b"uploaded, never referenced";
    Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/second")
        .await
        .upload_blob(loose)
        .await;
    admin.post(PATH).send().await.expect(201, "\"\"\n");
    let second = wait_for_run(&admin, first_ran).await;
    assert_eq!(
        second["size_bytes"],
        json!(config.len() + base.len() + extra.len() + loose.len())
    );
}

/// Any superuser reads; only a full superuser with `super:user` (or a session) queues.
async fn callers(backend: Backend) {
    let berth = Berth::start(backend).await;
    let host = berth.addr.clone();
    let admin = admin(&berth).await;

    let anon = Client::anon(&berth);
    anon.get(PATH)
        .send()
        .await
        .expect(401, &wire::requires_auth(&host));
    anon.post(PATH)
        .send()
        .await
        .expect(403, &wire::abort(wire::CSRF_INVALID));

    let user = create_user(&admin, "plain").await;
    let plain = Client::with_token(&berth, &user_token(&berth, &user, "user:read").await);
    let session = Client::session(&berth, "plain", &user.password).await;
    let narrow = Client::with_token(
        &berth,
        &mint_token(&admin, "adminorg", "repo:read user:read").await,
    );
    for (who, client) in [
        ("a user", &plain),
        ("a user's session", &session),
        ("a token without super:user", &narrow),
    ] {
        for resp in [
            client.get(PATH).send().await,
            client.post(PATH).send().await,
        ] {
            assert_eq!(
                (resp.status, resp.text()),
                (403, wire::insufficient_scope(&host)),
                "{who}"
            );
        }
    }

    let auditor = create_user(&admin, "auditor").await;
    let auditor = Client::session(&berth, "auditor", &auditor.password).await;
    auditor.get(PATH).send().await.expect(200, NEVER_QUEUED);
    auditor
        .post(PATH)
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&host));

    let su_session = Client::session(&berth, "admin", ADMIN_PASSWORD).await;
    su_session.post(PATH).send().await.expect(201, "\"\"\n");
    admin.post(PATH).send().await.expect(202, "\"\"\n");
    auditor.get(PATH).send().await.expect(200, QUEUED);
}

backends!(docs_commands, recalculation_sums_stored_blobs, callers);
