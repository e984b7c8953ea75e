//! Namespace quotas (docs §6.17.5–6.17.6, superuser-api.md §4.4, §9, §10): the docs' curl
//! commands with Quay's exact answers, limits, sizes that count each blob once per namespace,
//! and pushes held to a Reject limit, also when two arrive together.

use serde_json::{json, Value};

use crate::harness::fixtures::{
    admin, assert_code, create_org, create_user, oci_manifest, user_session, Registry, User,
};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Options};

fn options(fast_gc: bool) -> Options {
    Options {
        quota_management: true,
        superusers_full_access: true,
        fast_gc,
        ..Options::default()
    }
}

fn problem(status: u16, error_type: &str, detail: &str, berth: &Berth) -> String {
    wire::problem(&berth.addr, status, error_type, detail)
}

/// The docs' §6.17.5 commands and their error cases (transcripts 84–108).
async fn organization_quotas(backend: Backend) {
    let berth = Berth::start_with(backend, options(false)).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    for org in ["test", "fed_test", "tmporg"] {
        create_org(&owner, org).await;
    }
    let quota = "/api/v1/superuser/organization/test/quota";
    admin
        .post(quota)
        .json(&json!({"limit_bytes": 10737418240_i64}))
        .send()
        .await
        .expect(201, "\"Created\"\n");
    let listed = admin.get(quota).send().await;
    listed.expect(
        200,
        "[{\"id\": 1, \"limit_bytes\": 10737418240, \"limit\": \"10.0 GiB\", \"default_config\": false, \
         \"limits\": [], \"default_config_exists\": false}]\n",
    );
    let limits = "/api/v1/organization/test/quota/1/limit";
    let reject_90 = json!({"type": "Reject", "threshold_percent": 90});
    admin
        .post(limits)
        .json(&reject_90)
        .send()
        .await
        .expect(201, "\"Created\"\n");
    admin.post(limits).json(&reject_90).send().await.expect(
        400,
        &problem(400, "invalid_request", "Quota limit already exists", &berth),
    );
    admin
        .post(limits)
        .json(&json!({"type": "Bogus", "threshold_percent": 50}))
        .send()
        .await
        .expect(
            400,
            "{\"message\":\"Quota type must be one of [Warning, Reject]\"}\n",
        );
    admin
        .post(limits)
        .json(&json!({"type": "Warning", "threshold_percent": 150}))
        .send()
        .await
        .expect(
            400,
            "{\"message\":\"Quota limit threshold must be between 1 and 100\"}\n",
        );
    admin
        .post(limits)
        .json(&json!({"type": "Warning", "threshold_percent": 0}))
        .send()
        .await
        .expect(
            400,
            &problem(
                400,
                "invalid_request",
                "Quota limit threshold must be between 1 and 100",
                &berth,
            ),
        );
    admin.get(limits).send().await.expect(
        200,
        "[{\"id\": 1, \"type\": \"Reject\", \"limit_percent\": 90}]\n",
    );
    let with_limit = "{\"id\": 1, \"limit_bytes\": 21474836480, \"limit\": \"20.0 GiB\", \
         \"default_config\": false, \"limits\": [{\"id\": 1, \"type\": \"Reject\", \"limit_percent\": 90}], \
         \"default_config_exists\": false}\n";
    admin
        .put(&format!("{quota}/1"))
        .json(&json!({"limit_bytes": 21474836480_i64}))
        .send()
        .await
        .expect(200, with_limit);
    // Quay echoes a float here; Berth an integer (superuser-api.md §9.3).
    let changed = admin
        .put(&format!("{quota}/1"))
        .json(&json!({"limit": "10 GiB"}))
        .send()
        .await;
    changed.expect_status(200);
    assert_eq!(changed.json()["limit_bytes"], json!(10737418240_i64));
    assert_eq!(changed.json()["limit"], "10.0 GiB");
    let extra = admin
        .put(&format!("{quota}/1"))
        .json(&json!({"limit_bytes": 10737418240_i64, "extra": 1}))
        .send()
        .await;
    assert_eq!(extra.status, 400, "{}", extra.text());
    admin
        .post(quota)
        .json(&json!({"limit_bytes": 5368709120_i64}))
        .send()
        .await
        .expect(
            400,
            &problem(
                400,
                "invalid_request",
                "Quota for 'test' already exists",
                &berth,
            ),
        );
    admin
        .post("/api/v1/superuser/organization/fed_test/quota")
        .json(&json!({"limit": "10 GiB"}))
        .send()
        .await
        .expect(201, "\"Created\"\n");
    let tmporg = "/api/v1/superuser/organization/tmporg/quota";
    admin
        .post(tmporg)
        .json(&json!({"limit_bytes": 0}))
        .send()
        .await
        .expect(
            400,
            &problem(
                400,
                "invalid_request",
                "Invalid quota size limit value: '0'",
                &berth,
            ),
        );
    admin
        .post(tmporg)
        .json(&json!({"limit": "5 B"}))
        .send()
        .await
        .expect(
            400,
            &problem(400, "invalid_request", "Invalid limit format", &berth),
        );
    for bad in [
        json!({}),
        json!({"limit_bytes": -5}),
        json!({"limit": "1 ZB"}),
    ] {
        let resp = admin.post(tmporg).json(&bad).send().await;
        assert_eq!(resp.status, 400, "{bad}: {}", resp.text());
    }
    // Quay answers these with 500; Berth with 404 (decision 8).
    let not_found = problem(404, "not_found", "Not Found", &berth);
    for (method, path) in [
        ("POST", "/api/v1/superuser/organization/nosuchorg/quota"),
        ("GET", "/api/v1/superuser/organization/nosuchorg/quota"),
        ("PUT", "/api/v1/superuser/organization/nosuchorg/quota/1"),
        ("PUT", "/api/v1/superuser/organization/test/quota/9999"),
        ("DELETE", "/api/v1/superuser/organization/test/quota/9999"),
    ] {
        let request = admin.request(method.parse().unwrap(), path);
        let request = if method == "DELETE" || method == "GET" {
            request
        } else {
            request.json(&json!({"limit_bytes": 1000}))
        };
        request.send().await.expect(404, &not_found);
    }
    owner
        .post(tmporg)
        .json(&json!({"limit_bytes": 1000}))
        .send()
        .await
        .expect(
            403,
            &problem(403, "insufficient_scope", "Unauthorized", &berth),
        );
    admin
        .get("/api/v1/superuser/organization/fed_test/quota")
        .send()
        .await
        .expect(
            200,
            "[{\"id\": 2, \"limit_bytes\": 10737418240, \"limit\": \"10.0 GiB\", \"default_config\": false, \
             \"limits\": [], \"default_config_exists\": false}]\n",
        );
    admin.get(tmporg).send().await.expect(200, "[]\n");

    // Members read the organization's quota; the superuser list shows it.
    owner
        .get("/api/v1/organization/test/quota")
        .send()
        .await
        .expect_status(200);
    let orgs = admin
        .get("/api/v1/superuser/organizations/?name=test")
        .send()
        .await
        .json();
    assert_eq!(
        orgs["organizations"][0]["quotas"],
        json!([{"id": 1, "limit_bytes": 10737418240_i64, "limits": [{"id": 1, "type": "Reject", "limit_percent": 90}]}])
    );
    assert_eq!(
        orgs["organizations"][0]["quota_report"]["configured_quota"],
        json!(10737418240_i64)
    );

    // Limits change and go, logged on the organization.
    let limit = "/api/v1/organization/test/quota/1/limit/1";
    let changed = admin
        .put(limit)
        .json(&json!({"threshold_percent": 80}))
        .send()
        .await;
    changed.expect_status(200);
    assert_eq!(changed.json()["limits"][0]["limit_percent"], 80);
    admin.delete(limit).send().await.expect_status(204);
    admin.get(limit).send().await.expect(404, &not_found);
    let logs = owner
        .get("/api/v1/organization/test/logs")
        .send()
        .await
        .json();
    let kinds: Vec<&str> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .filter(|k| k.contains("quota"))
        .collect();
    assert_eq!(
        kinds,
        [
            "org_delete_quota_limit",
            "org_change_quota_limit",
            "org_create_quota_limit"
        ],
        "{logs}"
    );
}

/// The docs' §6.17.6 commands (transcripts 109–114).
async fn user_quotas(backend: Backend) {
    let berth = Berth::start_with(backend, options(false)).await;
    let admin = admin(&berth).await;
    let (_, newuser) = user_session(&berth, &admin, "newuser").await;
    let quota = "/api/v1/superuser/users/newuser/quota";
    admin
        .post(quota)
        .json(&json!({"limit_bytes": 10737418240_i64}))
        .send()
        .await
        .expect(201, "\"Created\"\n");
    admin.get(quota).send().await.expect(
        200,
        "[{\"id\": 1, \"limit_bytes\": 10737418240, \"limit\": \"10.0 GiB\", \"default_config\": false, \
         \"limits\": [], \"default_config_exists\": false}]\n",
    );
    let five = "{\"id\": 1, \"limit_bytes\": 5368709120, \"limit\": \"5.0 GiB\", \"default_config\": false, \
         \"limits\": [], \"default_config_exists\": false}\n";
    admin
        .put(&format!("{quota}/1"))
        .json(&json!({"limit_bytes": 5368709120_i64}))
        .send()
        .await
        .expect(200, five);
    let view = admin
        .get("/api/v1/superuser/users/newuser")
        .send()
        .await
        .json();
    assert_eq!(
        view["quotas"],
        json!([{"id": 1, "limit_bytes": 5368709120_i64, "limits": []}])
    );
    assert_eq!(
        view["quota_report"],
        json!({"quota_bytes": 0, "configured_quota": 5368709120_i64, "running_backfill": "waiting", "backfill_status": "waiting"})
    );
    // The user reads its own quota.
    newuser
        .get("/api/v1/user/quota/1")
        .send()
        .await
        .expect(200, five);
    admin
        .delete(&format!("{quota}/1"))
        .send()
        .await
        .expect(204, "");
    admin.get(quota).send().await.expect(200, "[]\n");
    newuser
        .get("/api/v1/user/quota")
        .send()
        .await
        .expect(200, "[]\n");
    // Quota ids are numbers: anything else names no route, as in Quay.
    let not_found = problem(404, "not_found", "Not Found", &berth);
    admin
        .put("/api/v1/superuser/users/newuser/quota/abc")
        .json(&json!({}))
        .send()
        .await
        .expect(404, &not_found);
    newuser
        .get("/api/v1/user/quota/1.5")
        .send()
        .await
        .expect(404, &not_found);
}

/// The namespace's counted size, from the superuser's user view.
async fn used(admin: &Client, user: &str) -> i64 {
    let view = admin
        .get(&format!("/api/v1/superuser/users/{user}"))
        .send()
        .await
        .json();
    view["quota_report"]["quota_bytes"]
        .as_i64()
        .unwrap_or_else(|| panic!("quota_bytes in {view}"))
}

/// Uploads a config and layers (`seed`-made, each `len` bytes) and returns their manifest.
async fn image(registry: &Registry, seed: &str, layers: &[&[u8]]) -> Value {
    let config = format!(r#"{{"seed":"{seed}"}}"#);
    let config_digest = registry.upload_blob(config.as_bytes()).await;
    let mut described = Vec::new();
    for layer in layers {
        described.push((registry.upload_blob(layer).await, layer.len()));
    }
    let layers: Vec<(&str, usize)> = described.iter().map(|(d, n)| (d.as_str(), *n)).collect();
    oci_manifest((&config_digest, config.len()), &layers)
}

/// Queues a registry-size calculation, which also recounts every namespace's size from its
/// manifests, and waits for it to finish.
async fn recount(admin: &Client) {
    let status = "/api/v1/superuser/registrysize/";
    let before = admin.get(status).send().await.json()["last_ran"]
        .as_i64()
        .unwrap_or(0);
    admin.post(status).send().await.expect_status(201);
    eventually("the registry size calculation", async || {
        let body = admin.get(status).send().await.json();
        body["last_ran"].as_i64().is_some_and(|ran| ran > before)
    })
    .await;
}

/// Waits until `check` holds, for up to 30 seconds.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..300 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 30 s");
}

/// Each blob counts once per namespace; deleting one of two repositories that share it keeps
/// it counted; garbage collection takes off exactly what nothing references any more.
async fn sizes_count_each_blob_once(backend: Backend) {
    let berth = Berth::start_with(backend, options(true)).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    let shared = vec![7u8; 3000];
    let own = vec![9u8; 1234];
    let a = Registry::login(&berth, "dev", &dev.password, "dev/a").await;
    a.put_manifest("v1", &image(&a, "same", &[&shared]).await)
        .await
        .expect_status(201);
    let config_len = r#"{"seed":"same"}"#.len() as i64;
    assert_eq!(used(&admin, "dev").await, config_len + 3000);

    let b = Registry::login(&berth, "dev", &dev.password, "dev/b").await;
    b.put_manifest("v1", &image(&b, "same", &[&shared]).await)
        .await
        .expect_status(201);
    let manifest_b2 = image(&b, "same", &[&shared, &own]).await;
    b.put_manifest("v2", &manifest_b2).await.expect_status(201);
    assert_eq!(used(&admin, "dev").await, config_len + 3000 + 1234);

    // Each repository reports its own size, its blobs counted once.
    let session = Client::session(&berth, "dev", &dev.password).await;
    let listed = session
        .get("/api/v1/repository?namespace=dev")
        .send()
        .await
        .json();
    let reports: Vec<(&str, &Value)> = listed["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), &r["quota_report"]))
        .collect();
    assert_eq!(
        reports,
        [
            (
                "a",
                &json!({"quota_bytes": config_len + 3000, "configured_quota": null})
            ),
            (
                "b",
                &json!({"quota_bytes": config_len + 3000 + 1234, "configured_quota": null})
            ),
        ]
    );

    session
        .delete("/api/v1/repository/dev/a")
        .send()
        .await
        .expect_status(204);
    let after_delete = config_len + 3000 + 1234;
    eventually("the purge of dev/a", async || {
        let gone = session.get("/api/v1/repository/dev/a").send().await.status == 404;
        gone && used(&admin, "dev").await == after_delete
    })
    .await;

    session
        .delete("/api/v1/repository/dev/b/tag/v2")
        .send()
        .await
        .expect_status(204);
    eventually("the collection of v2's own layer", async || {
        used(&admin, "dev").await == config_len + 3000
    })
    .await;
    // The registry's stored bytes follow blobs as they are recorded and collected; counting
    // afresh finds the same, for the namespace and the registry.
    eventually("the collection of v2's own layer blob", async || {
        metric(&admin, "berth_registry_stored_bytes").await == config_len + 3000
    })
    .await;
    recount(&admin).await;
    assert_eq!(used(&admin, "dev").await, config_len + 3000);
    let size = admin.get("/api/v1/superuser/registrysize/").send().await;
    assert_eq!(size.json()["size_bytes"], json!(config_len + 3000));
}

/// The value of an unlabelled gauge on `/metrics`.
async fn metric(admin: &Client, name: &str) -> i64 {
    let text = admin.get("/metrics").send().await.text();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("{name} in\n{text}"))
}

/// Two pushes that each fit under the Reject limit but not together: one is stored, the
/// other refused with 403 DENIED, and the size stays under the limit; 20 rounds.
async fn concurrent_pushes_never_exceed_the_limit(backend: Backend) {
    let berth = Berth::start_with(backend, options(false)).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    let quota = "/api/v1/superuser/users/dev/quota";
    admin
        .post(quota)
        .json(&json!({"limit_bytes": 1_000_000}))
        .send()
        .await
        .expect(201, "\"Created\"\n");
    admin
        .post("/api/v1/organization/dev/quota/1/limit")
        .json(&json!({"type": "Reject", "threshold_percent": 100}))
        .send()
        .await
        .expect(201, "\"Created\"\n");
    let left = Registry::login(&berth, "dev", &dev.password, "dev/left").await;
    let right = Registry::login(&berth, "dev", &dev.password, "dev/right").await;
    for round in 0..20 {
        let before = used(&admin, "dev").await;
        // Each push adds a 1000-byte layer and a small config: one fits, two do not.
        let limit = before + 1500;
        admin
            .put(&format!("{quota}/1"))
            .json(&json!({ "limit_bytes": limit }))
            .send()
            .await
            .expect_status(200);
        let l = image(&left, &format!("l{round}"), &[&[round as u8; 1000]]).await;
        let r = image(&right, &format!("r{round}"), &[&[round as u8 + 100; 1000]]).await;
        let (a, b) = tokio::join!(left.put_manifest("v1", &l), right.put_manifest("v1", &r));
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [201, 403],
            "round {round}: {} / {}",
            a.text(),
            b.text()
        );
        let refused = if a.status == 403 { &a } else { &b };
        assert_code(refused, 403, "DENIED");
        assert_eq!(
            refused.json()["errors"][0]["message"],
            "Quota has been exceeded on namespace"
        );
        let now = used(&admin, "dev").await;
        assert!(
            now > before && now < limit,
            "round {round}: {before} -> {now} of {limit}"
        );
    }
    let counted = used(&admin, "dev").await;
    recount(&admin).await;
    assert_eq!(
        used(&admin, "dev").await,
        counted,
        "counting afresh finds no drift"
    );
    // Over the limit, new uploads are refused at the start.
    admin
        .put(&format!("{quota}/1"))
        .json(&json!({"limit_bytes": 10}))
        .send()
        .await
        .expect_status(200);
    let start = left
        .client()
        .post(&left.path("blobs/uploads/"))
        .send()
        .await;
    assert_code(&start, 403, "DENIED");
}

/// A Warning limit writes one `quota_warning` entry when a push crosses it, not one per push;
/// `/metrics` then shows the namespace's use against its quota.
async fn warnings_are_logged_once(backend: Backend) {
    let berth = Berth::start_with(backend, options(false)).await;
    let admin = admin(&berth).await;
    let dev: User = create_user(&admin, "dev").await;
    admin
        .post("/api/v1/superuser/users/dev/quota")
        .json(&json!({"limit_bytes": 10000}))
        .send()
        .await
        .expect_status(201);
    admin
        .post("/api/v1/organization/dev/quota/1/limit")
        .json(&json!({"type": "warning", "threshold_percent": 50}))
        .send()
        .await
        .expect_status(201);
    let registry = Registry::login(&berth, "dev", &dev.password, "dev/app").await;
    for (tag, size) in [("small", 100), ("big", 6000), ("more", 100)] {
        let manifest = image(&registry, tag, &[&vec![1u8; size]]).await;
        registry
            .put_manifest(tag, &manifest)
            .await
            .expect_status(201);
    }
    let session = Client::session(&berth, "dev", &dev.password).await;
    let logs = session.get("/api/v1/user/logs").send().await.json();
    let warnings: Vec<&Value> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "quota_warning")
        .collect();
    assert_eq!(warnings.len(), 1, "{logs}");
    assert_eq!(warnings[0]["metadata"]["limit_bytes"], 10000);

    // /metrics shows the namespace's use against its quota, to superusers only.
    let used = used(&admin, "dev").await;
    let metrics = admin.get("/metrics").send().await;
    metrics.expect_status(200);
    let text = metrics.text();
    for line in [
        format!("berth_namespace_used_bytes{{namespace=\"dev\"}} {used}"),
        "berth_namespace_quota_bytes{namespace=\"dev\"} 10000".to_owned(),
        format!(
            "berth_namespace_available_bytes{{namespace=\"dev\"}} {}",
            10000 - used
        ),
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    assert_eq!(session.get("/metrics").send().await.status, 403);
    assert_eq!(
        Client::anon(&berth).get("/metrics").send().await.status,
        401
    );
}

backends!(
    organization_quotas,
    user_quotas,
    sizes_count_each_blob_once,
    concurrent_pushes_never_exceed_the_limit,
    warnings_are_logged_once,
);
