//! Pulls through proxy-cache organizations with skopeo, the upstream a second Berth on
//! loopback: anonymous and with credentials; served from the cache with the upstream stopped
//! (by tag and by digest); a changed upstream tag fetched again; an expired tag gone while the
//! upstream is down and fetched again once it is back; pushes refused; outsiders refused.

use serde_json::json;

use crate::harness::fixtures::{
    admin, assert_failure, assert_success, create_org, create_team, create_user, creds,
    image_digests, Registry, Tools, User,
};
use crate::harness::{backends, Backend, Berth, Client, Options};

/// Creates the proxy-cache organization `org` of `upstream`'s namespace `mirror`, with `dev`
/// in a team.
async fn proxy_org(
    admin: &Client,
    org: &str,
    upstream: &Berth,
    expiration_s: i64,
    login: Option<&User>,
) {
    create_org(admin, org).await;
    create_team(admin, org, "pullers", "member", &["dev"]).await;
    let mut body = json!({
        "upstream_registry": format!("{}/mirror", upstream.addr),
        "insecure": true,
        "expiration_s": expiration_s,
    });
    if let Some(user) = login {
        body["upstream_registry_username"] = json!(user.username);
        body["upstream_registry_password"] = json!(user.password);
    }
    admin
        .post(&format!("/api/v1/organization/{org}/proxycache"))
        .json(&body)
        .send()
        .await
        .expect(201, "\"Created\"\n");
}

async fn pull_through_a_proxy_cache(backend: Backend) {
    let mut upstream = Berth::start(backend.another().await).await;
    let upstream_admin = admin(&upstream).await;
    let mirror = create_user(&upstream_admin, "mirror").await;
    let tools = Tools::new();
    let first = tools.build_image("first", "first image\n").await;
    let second = tools.build_image("second", "second image\n").await;
    for repo in ["mirror/public:1", "mirror/private:1"] {
        tools.push_image(&upstream, &mirror, &first, repo).await;
    }
    Client::session(&upstream, "mirror", &mirror.password)
        .await
        .post("/api/v1/repository/mirror/public/changevisibility")
        .json(&json!({"visibility": "public"}))
        .send()
        .await
        .expect_status(200);

    let options = Options {
        extra_yaml: "FEATURE_PROXY_CACHE: true\nSSRF_ALLOWED_HOSTS: [127.0.0.1]\n".into(),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    proxy_org(&admin, "hub", &upstream, 3600, None).await;
    proxy_org(&admin, "short", &upstream, 1, None).await;
    proxy_org(&admin, "vault", &upstream, 3600, Some(&mirror)).await;
    let pull = |repo_tag: &'static str, into: &'static str| {
        let (tools, berth, dev) = (&tools, &berth, &dev);
        async move { tools.pull_image(berth, dev, repo_tag, into).await }
    };
    let pulled = |into: &str| image_digests(&tools.path(&format!("images/{into}")));

    // A first pull fetches from the upstream; the copy is whole.
    assert_success(&pull("hub/public:1", "hub-1").await, "first pull");
    assert_eq!(pulled("hub-1"), image_digests(&first));
    assert_success(
        &pull("short/public:1", "short-1").await,
        "first pull, short",
    );
    // Credentials reach what anonymous callers cannot.
    assert_success(
        &pull("vault/private:1", "vault-1").await,
        "pull with credentials",
    );
    assert_eq!(pulled("vault-1"), image_digests(&first));
    assert_failure(
        &pull("hub/private:1", "hub-private").await,
        "private without credentials",
    );
    assert_failure(
        &pull("hub/nothing:1", "hub-nothing").await,
        "nothing upstream",
    );

    // A pull by digest keeps the tags on the image alive, as a pull by tag does.
    let end_of_hub_tag = || async {
        let tags = admin
            .get("/api/v1/repository/hub/public/tag/?specificTag=1&onlyActiveTags=true")
            .send()
            .await
            .json();
        tags["tags"][0]["end_ts"].as_i64().expect("an end")
    };
    let before = end_of_hub_tag().await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let by_digest = format!(
        "docker://{}/hub/public@{}",
        berth.addr,
        image_digests(&first).manifest
    );
    let dest = format!("oci:{}:v1", tools.path("images/hub-digest-up").display());
    assert_success(
        &tools.skopeo_copy(&by_digest, &dest, &creds(&dev)).await,
        "pull by digest",
    );
    assert!(end_of_hub_tag().await > before);

    // With the upstream down the cache serves, by tag and by digest; an expired tag is gone.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    upstream.kill9();
    assert_success(
        &pull("hub/public:1", "hub-2").await,
        "pull with the upstream down",
    );
    assert_eq!(pulled("hub-2"), image_digests(&first));
    let by_digest = format!(
        "docker://{}/hub/public@{}",
        berth.addr,
        image_digests(&first).manifest
    );
    let dest = format!("oci:{}:v1", tools.path("images/hub-digest").display());
    assert_success(
        &tools.skopeo_copy(&by_digest, &dest, &creds(&dev)).await,
        "pull by digest with the upstream down",
    );
    assert_failure(
        &pull("short/public:1", "short-2").await,
        "expired, upstream down",
    );

    // Back up, with the tag moved: the expired tag comes back, the moved one is fetched anew.
    upstream.restart().await;
    tools
        .push_image(&upstream, &mirror, &second, "mirror/public:1")
        .await;
    // The proxy leaves an upstream it could not connect to alone for 5 s.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    assert_success(
        &pull("short/public:1", "short-3").await,
        "expired, fetched again",
    );
    assert_eq!(pulled("short-3"), image_digests(&second));
    assert_success(&pull("hub/public:1", "hub-3").await, "moved upstream");
    assert_eq!(pulled("hub-3"), image_digests(&second));

    // Nobody pushes into a proxy cache, not even its creator; outsiders pull nothing.
    let admin_creds = format!("admin:{}", crate::harness::fixtures::ADMIN_PASSWORD);
    let out = tools
        .skopeo_copy(
            &format!("oci:{}:v1", first.display()),
            &format!("docker://{}/hub/mine:1", berth.addr),
            &admin_creds,
        )
        .await;
    assert_failure(&out, "push into a proxy cache");
    assert_eq!(
        Registry::login(&berth, "dev", &dev.password, "hub/public")
            .await
            .try_push()
            .await,
        401
    );
    // The upstream traffic shows on /metrics.
    let metrics = admin.get("/metrics").send().await.text();
    let received: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("berth_upstream_received_bytes_total "))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no upstream bytes in\n{metrics}"));
    assert!(received > 0.0);
    assert!(
        metrics.contains("berth_upstream_requests_total{method=\"HEAD\",status=\"200\"}")
            && metrics.contains("status=\"error\""),
        "{metrics}"
    );

    let outsider = create_user(&admin, "outsider").await;
    let out = tools
        .pull_image(&berth, &outsider, "hub/public:1", "outsider")
        .await;
    assert_failure(&out, "an outsider's pull");
}

/// The bytes of `layout:v1`'s config and layers, as a namespace's size counts them.
fn image_bytes(layout: &std::path::Path) -> u64 {
    let digests = image_digests(layout);
    digests
        .layers
        .iter()
        .chain([&digests.config])
        .map(|d| {
            let file = layout
                .join("blobs/sha256")
                .join(d.trim_start_matches("sha256:"));
            std::fs::metadata(file).expect("blob").len()
        })
        .sum()
}

/// A proxy cache whose quota is full makes room as Quay does: the cached tag expiring soonest
/// goes, and the new image comes in.
async fn a_full_proxy_cache_evicts(backend: Backend) {
    let upstream = Berth::start(backend.another().await).await;
    let upstream_admin = admin(&upstream).await;
    let mirror = create_user(&upstream_admin, "mirror").await;
    let tools = Tools::new();
    let first = tools.build_image("first", "first image\n").await;
    let second = tools
        .build_image("second", "second image, a little longer\n")
        .await;
    tools
        .push_image(&upstream, &mirror, &first, "mirror/one:1")
        .await;
    tools
        .push_image(&upstream, &mirror, &second, "mirror/two:1")
        .await;
    let session = Client::session(&upstream, "mirror", &mirror.password).await;
    for repo in ["one", "two"] {
        session
            .post(&format!(
                "/api/v1/repository/mirror/{repo}/changevisibility"
            ))
            .json(&json!({"visibility": "public"}))
            .send()
            .await
            .expect_status(200);
    }

    let options = Options {
        quota_management: true,
        superusers_full_access: true,
        extra_yaml: "FEATURE_PROXY_CACHE: true\nSSRF_ALLOWED_HOSTS: [127.0.0.1]\n".into(),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    proxy_org(&admin, "tight", &upstream, 3600, None).await;
    // Room for the larger image alone.
    let limit = image_bytes(&first).max(image_bytes(&second)) + 16;
    admin
        .post("/api/v1/superuser/organization/tight/quota")
        .json(&json!({"limit_bytes": limit}))
        .send()
        .await
        .expect_status(201);
    admin
        .post("/api/v1/organization/tight/quota/1/limit")
        .json(&json!({"type": "Reject", "threshold_percent": 100}))
        .send()
        .await
        .expect_status(201);
    assert_success(
        &tools.pull_image(&berth, &dev, "tight/one:1", "one").await,
        "the first image fits",
    );
    assert_success(
        &tools.pull_image(&berth, &dev, "tight/two:1", "two").await,
        "the second image after an eviction",
    );
    assert_eq!(
        image_digests(&tools.path("images/two")),
        image_digests(&second)
    );
    let tags = admin
        .get("/api/v1/repository/tight/one/tag/?onlyActiveTags=true")
        .send()
        .await
        .json();
    assert_eq!(tags["tags"], json!([]), "the first image's tag was evicted");
}

backends!(pull_through_a_proxy_cache, a_full_proxy_cache_evicts);
