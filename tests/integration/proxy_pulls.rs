//! Pulls through proxy-cache organizations with skopeo, the upstream a second Berth on
//! loopback: anonymous and with credentials; served from the cache with the upstream stopped
//! (by tag and by digest); a changed upstream tag fetched again; an expired tag gone while the
//! upstream is down and fetched again once it is back; pushes refused; outsiders refused;
//! layers fetched on their first pull, streamed while they are stored; CNCF distribution
//! (Debian's `docker-registry`) with htpasswd logins as the upstream.

use serde_json::{json, Value};

use crate::harness::distribution::Distribution;
use crate::harness::fixtures::{
    admin, assert_failure, assert_success, create_org, create_team, create_user, creds,
    image_digests, oci_manifest, token_for, Registry, Tools, User,
};
use crate::harness::{backends, Backend, Berth, Client, Options};

const PROXY_CACHE_YAML: &str = "FEATURE_PROXY_CACHE: true\nSSRF_ALLOWED_HOSTS: [127.0.0.1]\n";

/// A Berth with proxy caches, its admin and the user `dev`.
async fn start_proxy(backend: Backend) -> (Berth, Client, User) {
    let options = Options {
        extra_yaml: PROXY_CACHE_YAML.into(),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    (berth, admin, dev)
}

/// Creates the proxy-cache organization `org` of `upstream`'s namespace `mirror`, with `dev`
/// in a team.
async fn proxy_org(
    admin: &Client,
    org: &str,
    upstream: &Berth,
    expiration_s: i64,
    login: Option<&User>,
) {
    let registry = format!("{}/mirror", upstream.addr);
    let login = login.map(|user| (user.username.as_str(), user.password.as_str()));
    proxy_org_of(admin, org, proxy_config(&registry, expiration_s, login)).await;
}

/// Quay's proxy-cache settings for `registry` (`host:port/namespace`, plain HTTP).
fn proxy_config(registry: &str, expiration_s: i64, login: Option<(&str, &str)>) -> Value {
    let mut body = json!({
        "upstream_registry": registry,
        "insecure": true,
        "expiration_s": expiration_s,
    });
    if let Some((username, password)) = login {
        body["upstream_registry_username"] = json!(username);
        body["upstream_registry_password"] = json!(password);
    }
    body
}

/// Creates the proxy-cache organization `org` with `config`, with `dev` in a team.
async fn proxy_org_of(admin: &Client, org: &str, config: Value) {
    create_org(admin, org).await;
    create_team(admin, org, "pullers", "member", &["dev"]).await;
    admin
        .post(&format!("/api/v1/organization/{org}/proxycache"))
        .json(&config)
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

    let (berth, admin, dev) = start_proxy(backend).await;
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
        extra_yaml: PROXY_CACHE_YAML.into(),
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

/// Bytes that do not compress away, different for each `seed`.
fn noise(length: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// A cached image's layers stay upstream until they are first pulled: the manifest brings its
/// config alone; a layer's first GET streams it while it is stored, and the copy goes on when
/// the client leaves; the next GET is served with the upstream down. A layer the upstream
/// corrupts reaches no client whole and is not cached.
async fn layers_arrive_on_first_pull(backend: Backend) {
    let mut upstream = Berth::start(backend.another().await).await;
    let upstream_admin = admin(&upstream).await;
    let mirror = create_user(&upstream_admin, "mirror").await;
    let source = Registry::login(&upstream, "mirror", &mirror.password, "mirror/big").await;
    let config_bytes = br#"{"architecture":"amd64","os":"linux"}"#;
    let config = source.upload_blob(config_bytes).await;
    let big_bytes = noise(3 << 20, 1);
    let big = source.upload_blob(&big_bytes).await;
    let bad_bytes = noise(1 << 20, 2);
    let bad = source.upload_blob(&bad_bytes).await;
    let manifest = oci_manifest(
        (&config, config_bytes.len()),
        &[(&big, big_bytes.len()), (&bad, bad_bytes.len())],
    );
    source.put_manifest("1", &manifest).await.expect_status(201);
    Client::session(&upstream, "mirror", &mirror.password)
        .await
        .post("/api/v1/repository/mirror/big/changevisibility")
        .json(&json!({"visibility": "public"}))
        .send()
        .await
        .expect_status(200);
    // The upstream serves other bytes than the layer's digest says.
    upstream.put_stored_blob(&bad, &noise(1 << 20, 3)).await;

    let (berth, admin, dev) = start_proxy(backend).await;
    proxy_org(&admin, "hub", &upstream, 3600, None).await;
    let token = token_for(&berth, "dev", &dev.password, "repository:hub/big:pull").await;
    let cache = Registry::with_token(&berth, &token, "hub/big");
    cache.get_manifest("1").await.expect_status(200);
    let head = cache.head_blob(&big).await;
    head.expect_status(200);
    assert_eq!(
        head.header("Content-Length"),
        Some(big_bytes.len().to_string().as_str())
    );

    // The manifest brought its config; the layers are still upstream.
    upstream.kill9();
    let got = cache.get_blob(&config).await;
    got.expect_status(200);
    assert_eq!(got.body, config_bytes);
    assert_eq!(cache.get_blob(&big).await.status, 502, "not copied yet");

    // A first GET left after its first chunk: the layer is stored all the same.
    upstream.restart().await;
    // The proxy leaves an upstream it could not connect to alone for 5 s.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let mut first = reqwest::Client::new()
        .get(berth.url(&format!("/v2/hub/big/blobs/{big}")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("a first GET");
    assert_eq!(first.status().as_u16(), 200);
    assert!(first.chunk().await.expect("a chunk").is_some());
    drop(first);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while berth.stored_blobs().await < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the layer was not stored"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // The corrupt layer: its response breaks off before its end, and nothing is cached.
    let corrupt = cache
        .client()
        .get(&cache.path(&format!("blobs/{bad}")))
        .try_send()
        .await;
    assert!(
        corrupt.as_ref().map_or(true, |r| r.body != bad_bytes),
        "a corrupt layer was served whole"
    );
    upstream.kill9();
    let got = cache.get_blob(&big).await;
    got.expect_status(200);
    assert!(got.body == big_bytes, "the layer read back differs");
    assert_eq!(
        cache.get_blob(&bad).await.status,
        502,
        "the corrupt layer was cached"
    );
    cache.head_blob(&bad).await.expect_status(200);
}

/// Pulls through a proxy cache of CNCF distribution behind htpasswd logins: the credentials
/// validated, the image copied whole, served from the cache once the upstream is gone.
async fn pull_through_distribution(backend: Backend) {
    let mut upstream = Distribution::start(Some(("puller", "pulling-secret")));
    let tools = Tools::new();
    let image = tools.build_image("image", "from distribution\n").await;
    tools
        .push_to(
            &upstream.addr,
            "puller:pulling-secret",
            &image,
            "library/app:1",
        )
        .await;

    let (berth, admin, dev) = start_proxy(backend).await;
    let registry = format!("{}/library", upstream.addr);
    create_org(&admin, "scratch").await;
    let validate = |config: Value| {
        let admin = &admin;
        async move {
            admin
                .post("/api/v1/organization/scratch/validateproxycache")
                .json(&config)
                .send()
                .await
        }
    };
    let wrong = proxy_config(&registry, 3600, Some(("puller", "a wrong password")));
    validate(wrong).await.expect_status(400);
    let config = proxy_config(&registry, 3600, Some(("puller", "pulling-secret")));
    validate(config.clone()).await.expect(202, "\"Valid\"\n");
    proxy_org_of(&admin, "hub", config).await;

    assert_success(
        &tools.pull_image(&berth, &dev, "hub/app:1", "first").await,
        "pull through",
    );
    assert_eq!(
        image_digests(&tools.path("images/first")),
        image_digests(&image)
    );
    upstream.stop();
    assert_success(
        &tools.pull_image(&berth, &dev, "hub/app:1", "cached").await,
        "pull with the upstream gone",
    );
    assert_eq!(
        image_digests(&tools.path("images/cached")),
        image_digests(&image)
    );
}

backends!(
    pull_through_distribution,
    pull_through_a_proxy_cache,
    a_full_proxy_cache_evicts,
    layers_arrive_on_first_pull
);
