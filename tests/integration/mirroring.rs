//! Repository mirrors against a second Berth on loopback: the configuration API, a sync on
//! demand that copies the tags matching the glob patterns (and nothing else), pushes refused
//! in the mirror state, a scheduled sync that picks up a new upstream tag and drops one
//! deleted upstream, and each run's usage-log entries; an architecture filter (only the
//! images of the architectures named, a manifest list stored sparse), and a failed run rolled
//! back with `REPO_MIRROR_ROLLBACK`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::distribution::Distribution;
use crate::harness::fixtures::{
    admin, assert_failure, assert_kinds_logged, assert_success, create_org, create_user,
    image_digests, oci_manifest, receiver, token_for, Registry, Tools, ADMIN_PASSWORD, OCI_INDEX,
    OCI_MANIFEST,
};
use crate::harness::{backends, Backend, Berth, Client, Options};

const MIRROR: &str = "/api/v1/repository/acme/app/mirror";

/// The mirror's status once it is no longer syncing or waiting to (within 60 s).
async fn settled(admin: &Client) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mirror = admin.get(MIRROR).send().await.json();
        let status = mirror["sync_status"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if !["SYNCING", "SYNC_NOW"].contains(&status.as_str()) {
            return mirror;
        }
        assert!(Instant::now() < deadline, "still {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn assert_mirror_logged(admin: &Client, kinds: &[&str]) {
    let logs = admin
        .get("/api/v1/repository/acme/app/logs")
        .send()
        .await
        .json();
    assert_kinds_logged(&logs, kinds);
}

async fn tags(admin: &Client) -> Vec<String> {
    let listed = admin
        .get("/api/v1/repository/acme/app/tag/?onlyActiveTags=true")
        .send()
        .await
        .json();
    let mut names: Vec<String> = listed["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

async fn mirror_a_repository(backend: Backend) {
    let upstream = Berth::start(backend.another().await).await;
    let upstream_admin = admin(&upstream).await;
    let source = create_user(&upstream_admin, "source").await;
    let tools = Tools::new();
    let image = tools.build_image("app", "mirrored\n").await;
    for tag in ["1.0", "1.1", "2.0", "latest"] {
        tools
            .push_image(&upstream, &source, &image, &format!("source/app:{tag}"))
            .await;
    }

    let (berth, admin) = start_mirroring(backend, "").await;
    admin.get(MIRROR).send().await.expect_status(404);

    // Refusals first: each leaves no mirror behind.
    let config = json!({
        "external_reference": format!("{}/source/app", upstream.addr),
        "external_registry_username": "source",
        "external_registry_password": source.password,
        "external_registry_config": {"verify_tls": false},
        "sync_interval": 3600,
        "sync_start_date": "2100-01-01T00:00:00Z",
        "root_rule": {"rule_kind": "tag_glob_csv", "rule_value": ["1.*"]},
        "robot_username": "acme+mirror",
    });
    let with = |key: &str, value: Value| {
        let mut body = config.clone();
        body[key] = value;
        body
    };
    for (body, status, text) in [
        (
            with("sync_start_date", json!("tomorrow")),
            400,
            "{\"detail\": \"Incorrect DateTime format for sync_start_date.\"}\n".to_owned(),
        ),
        (
            with("robot_username", json!("acme+nobody")),
            400,
            "{\"message\":\"Could not find robot with specified username\"}\n".to_owned(),
        ),
        (
            with("robot_username", json!("admin")),
            400,
            "{\"message\":\"Invalid robot\"}\n".to_owned(),
        ),
        (
            with("architecture_filter", json!(["arm64"])),
            400,
            "{\"detail\": \"Architecture filtering requires FEATURE_SPARSE_INDEX to be enabled.\"}\n"
                .to_owned(),
        ),
    ] {
        admin
            .post(MIRROR)
            .json(&body)
            .send()
            .await
            .expect(status, &text);
    }
    for (body, detail) in [
        (
            with(
                "root_rule",
                json!({"rule_kind": "tag_glob_csv", "rule_value": []}),
            ),
            "validation failed: rule_value for TAG_GLOB_CSV must be a list with at least one rule",
        ),
        (
            with("external_reference", json!("10.0.0.1/source/app")),
            "The provided registry location is not allowed",
        ),
        (
            with("external_reference", json!(upstream.addr)),
            "External registry reference must include a repository path",
        ),
    ] {
        let resp = admin.post(MIRROR).json(&body).send().await;
        resp.expect_status(400);
        assert_eq!(resp.json()["detail"], detail);
    }
    admin.get(MIRROR).send().await.expect_status(404);

    admin
        .post(MIRROR)
        .json(&config)
        .send()
        .await
        .expect(201, "\"\"\n");
    admin.post(MIRROR).json(&config).send().await.expect(
        409,
        "{\"detail\": \"Mirror configuration already exits for repository acme/app\"}\n",
    );
    let shown = admin.get(MIRROR).send().await.json();
    assert_eq!(
        shown,
        json!({
            "is_enabled": true, "mirror_type": "PULL",
            "external_reference": format!("{}/source/app", upstream.addr),
            "external_registry_username": "source",
            "external_registry_config": {"verify_tls": false},
            "sync_interval": 3600, "sync_start_date": "2100-01-01T00:00:00Z",
            "sync_expiration_date": null, "sync_retries_remaining": 3, "sync_status": "NEVER_RUN",
            "root_rule": {"rule_kind": "tag_glob_csv", "rule_value": ["1.*"]},
            "robot_username": "acme+mirror", "skopeo_timeout_interval": 300,
            "architecture_filter": [],
        })
    );
    let repo = admin.get("/api/v1/repository/acme/app").send().await.json();
    assert_eq!(repo["state"], "MIRROR");
    // Not scheduled yet: cancelling nothing is 404.
    admin
        .post(&format!("{MIRROR}/sync-cancel"))
        .send()
        .await
        .expect_status(404);

    // The end of each run is notified.
    let (url, received) = receiver(0).await;
    admin
        .post("/api/v1/repository/acme/app/notification/")
        .json(
            &json!({"event": "repo_mirror_sync_success", "method": "webhook",
                      "config": {"url": url}, "eventConfig": {}}),
        )
        .send()
        .await
        .expect_status(201);

    // Sync now: the matching tags arrive whole, nothing else.
    admin
        .post(&format!("{MIRROR}/sync-now"))
        .send()
        .await
        .expect_status(204);
    assert_eq!(settled(&admin).await["sync_status"], "SUCCESS");
    assert_eq!(tags(&admin).await, ["1.0", "1.1"]);
    let admin_creds = format!("admin:{ADMIN_PASSWORD}");
    let pulled = tools
        .skopeo_copy(
            &format!("docker://{}/acme/app:1.1", berth.addr),
            &format!("oci:{}:v1", tools.path("images/pulled").display()),
            &admin_creds,
        )
        .await;
    assert_success(&pulled, "pull a mirrored tag");
    assert_eq!(
        image_digests(&tools.path("images/pulled")),
        image_digests(&image)
    );

    let deadline = Instant::now() + Duration::from_secs(30);
    while received.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the sync's end was not notified");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let notified = received.lock().unwrap()[0].clone();
    assert!(
        notified["message"]
            .as_str()
            .is_some_and(|m| m.contains("with tag pattern '1.*'")),
        "{notified}"
    );

    // The REST API changes no tag of a mirror.
    let refused = "{\"message\": \"Repository is in read only or mirror mode: MIRROR\"}\n";
    admin
        .put("/api/v1/repository/acme/app/tag/copy")
        .json(&json!({"manifest_digest": image_digests(&image).manifest}))
        .send()
        .await
        .expect(503, refused);
    admin
        .delete("/api/v1/repository/acme/app/tag/1.1")
        .send()
        .await
        .expect(503, refused);

    // Nobody but the robot pushes to a mirror.
    let out = tools
        .skopeo_copy(
            &format!("oci:{}:v1", image.display()),
            &format!("docker://{}/acme/app:mine", berth.addr),
            &admin_creds,
        )
        .await;
    assert_failure(&out, "a push into a mirror");

    // On schedule: a new matching tag upstream arrives, a deleted one goes.
    tools
        .push_image(&upstream, &source, &image, "source/app:1.2")
        .await;
    let upstream_token = token_for(
        &upstream,
        "source",
        &source.password,
        "repository:source/app:pull,push",
    )
    .await;
    let upstream_repo = Registry::with_token(&upstream, &upstream_token, "source/app");
    upstream_repo
        .client()
        .delete(&upstream_repo.path("manifests/1.0"))
        .send()
        .await
        .expect_status(202);
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    admin
        .put(MIRROR)
        .json(&json!({"sync_start_date": now, "sync_interval": 2}))
        .send()
        .await
        .expect(201, "\"\"\n");
    let deadline = Instant::now() + Duration::from_secs(60);
    while tags(&admin).await != ["1.1", "1.2"] {
        assert!(Instant::now() < deadline, "{:?}", tags(&admin).await);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    assert_mirror_logged(
        &admin,
        &[
            "repo_mirror_config_changed",
            "repo_mirror_sync_started",
            "repo_mirror_sync_tag_success",
            "repo_mirror_sync_success",
        ],
    )
    .await;
}

/// Pushes a one-layer image of `architecture` whose layer is `layer` as `tag`; its digest.
async fn push_platform_image(
    upstream: &Registry,
    architecture: &str,
    layer: &[u8],
    tag: &str,
) -> String {
    let config = format!(r#"{{"architecture":"{architecture}","os":"linux"}}"#);
    let config_digest = upstream.upload_blob(config.as_bytes()).await;
    let layer_digest = upstream.upload_blob(layer).await;
    let manifest = oci_manifest(
        (&config_digest, config.len()),
        &[(&layer_digest, layer.len())],
    );
    let pushed = upstream.put_manifest(tag, &manifest).await;
    pushed.expect_status(201);
    pushed
        .header("Docker-Content-Digest")
        .expect("a digest")
        .to_owned()
}

/// The settings of acme/app mirroring every tag of `reference` (`host/path`) anonymously,
/// with no scheduled run before 2100: runs happen on demand.
fn mirror_config(reference: String) -> Value {
    json!({
        "external_reference": reference,
        "external_registry_config": {"verify_tls": false},
        "sync_interval": 3600,
        "sync_start_date": "2100-01-01T00:00:00Z",
        "root_rule": {"rule_kind": "tag_glob_csv", "rule_value": ["*"]},
        "robot_username": "acme+mirror",
    })
}

/// A Berth with mirroring (and `extra` settings), its admin, and acme/app to mirror into.
async fn start_mirroring(backend: Backend, extra: &str) -> (Berth, Client) {
    let options = Options {
        extra_yaml: format!(
            "FEATURE_REPO_MIRROR: true\nSSRF_ALLOWED_HOSTS: [127.0.0.1]\n\
             REPO_MIRROR_INTERVAL: 1\n{extra}"
        ),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    create_mirror_repository(&admin).await;
    (berth, admin)
}

/// Creates the organization acme, its robot `mirror` and its repository `app`.
async fn create_mirror_repository(admin: &Client) {
    create_org(admin, "acme").await;
    admin
        .put("/api/v1/organization/acme/robots/mirror")
        .json(&json!({}))
        .send()
        .await
        .expect_status(201);
    admin
        .post("/api/v1/repository")
        .json(&json!({"namespace": "acme", "repository": "app", "visibility": "private", "description": ""}))
        .send()
        .await
        .expect_status(201);
}

async fn sync_now(admin: &Client) -> Value {
    admin
        .post(&format!("{MIRROR}/sync-now"))
        .send()
        .await
        .expect_status(204);
    settled(admin).await
}

async fn mirror_some_architectures_and_roll_back(backend: Backend) {
    let upstream = Berth::start(backend.another().await).await;
    let upstream_admin = admin(&upstream).await;
    let source = create_user(&upstream_admin, "source").await;
    let origin = Registry::login(&upstream, "source", &source.password, "source/app").await;
    let amd = push_platform_image(&origin, "amd64", b"amd64 layer", "amd").await;
    let arm = push_platform_image(&origin, "arm64", b"arm64 layer", "arm").await;
    let index = json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": amd, "size": 0,
             "platform": {"architecture": "amd64", "os": "linux"}},
            {"mediaType": OCI_MANIFEST, "digest": arm, "size": 0,
             "platform": {"architecture": "arm64", "os": "linux"}},
        ],
    });
    let index_bytes = serde_json::to_vec(&index).unwrap();
    origin
        .put_manifest_as("multi", OCI_INDEX, index_bytes.clone())
        .await
        .expect_status(201);

    let extra = "FEATURE_SPARSE_INDEX: true\nREPO_MIRROR_ROLLBACK: true\n";
    let (berth, admin) = start_mirroring(backend, extra).await;
    let mut config = mirror_config(format!("{}/source/app", upstream.addr));
    config["external_registry_username"] = json!("source");
    config["external_registry_password"] = json!(source.password);
    config["architecture_filter"] = json!(["x86", "arm64", "mips"]);
    admin
        .post(MIRROR)
        .json(&config)
        .send()
        .await
        .expect(400, "{\"detail\": \"Invalid architectures: mips, x86\"}\n");
    config["architecture_filter"] = json!(["arm64"]);
    admin
        .post(MIRROR)
        .json(&config)
        .send()
        .await
        .expect_status(201);
    assert_eq!(
        admin.get(MIRROR).send().await.json()["architecture_filter"],
        json!(["arm64"])
    );

    // Only arm64: the amd64 image is skipped, the list is stored whole with its arm64 image.
    assert_eq!(sync_now(&admin).await["sync_status"], "SUCCESS");
    assert_eq!(tags(&admin).await, ["arm", "multi"]);
    let token = token_for(&berth, "admin", ADMIN_PASSWORD, "repository:acme/app:pull").await;
    let mirrored = Registry::with_token(&berth, &token, "acme/app");
    let list = mirrored.get_manifest_as("multi", OCI_INDEX).await;
    list.expect_status(200);
    assert_eq!(list.body, index_bytes);
    mirrored.get_manifest(&arm).await.expect_status(200);
    mirrored.get_manifest(&amd).await.expect_status(404);

    // A run that fails on one tag is undone whole: the tag it added goes again.
    push_platform_image(&origin, "arm64", b"arm64 layer", "arm2").await;
    push_platform_image(
        &origin,
        "arm64",
        b"a layer the upstream will lose",
        "broken",
    )
    .await;
    upstream
        .put_stored_blob(
            &crate::harness::fixtures::sha256_digest(b"a layer the upstream will lose"),
            b"other bytes, as many as before",
        )
        .await;
    let failed = sync_now(&admin).await;
    assert_eq!(failed["sync_status"], "FAIL", "{failed}");
    assert_eq!(tags(&admin).await, ["arm", "multi"]);
    assert_mirror_logged(
        &admin,
        &["repo_mirror_sync_tag_failed", "repo_mirror_sync_failed"],
    )
    .await;

    // The filter changes and is logged; an empty one mirrors every architecture.
    admin
        .put(MIRROR)
        .json(&json!({"architecture_filter": null}))
        .send()
        .await
        .expect(201, "\"\"\n");
    assert_eq!(
        admin.get(MIRROR).send().await.json()["architecture_filter"],
        json!([])
    );
}

/// A mirror of CNCF distribution (Debian's `docker-registry`), anonymous: the matching tags
/// copied whole.
async fn mirror_distribution(backend: Backend) {
    let upstream = Distribution::start(None);
    let tools = Tools::new();
    let image = tools
        .build_image("app", "mirrored from distribution\n")
        .await;
    for tag in ["1.0", "2.0"] {
        let repo_tag = format!("library/app:{tag}");
        tools
            .push_to(&upstream.addr, "anyone:anything", &image, &repo_tag)
            .await;
    }
    let (berth, admin) = start_mirroring(backend, "").await;
    let mut config = mirror_config(format!("{}/library/app", upstream.addr));
    config["root_rule"]["rule_value"] = json!(["1.*"]);
    admin
        .post(MIRROR)
        .json(&config)
        .send()
        .await
        .expect_status(201);
    assert_eq!(sync_now(&admin).await["sync_status"], "SUCCESS");
    assert_eq!(tags(&admin).await, ["1.0"]);
    let pulled = tools
        .skopeo_copy(
            &format!("docker://{}/acme/app:1.0", berth.addr),
            &format!("oci:{}:v1", tools.path("images/pulled").display()),
            &format!("admin:{ADMIN_PASSWORD}"),
        )
        .await;
    assert_success(&pulled, "pull a mirrored tag");
    assert_eq!(
        image_digests(&tools.path("images/pulled")),
        image_digests(&image)
    );
}

backends!(
    mirror_a_repository,
    mirror_some_architectures_and_roll_back,
    mirror_distribution
);
