//! Configuration switches the README and core-api.md document, each through what a user does:
//! anonymous access, the visibility of repositories created by a push, app-specific tokens,
//! changing the time-machine window, and the largest layer an upload may carry.

use serde_json::json;

use crate::harness::fixtures::{
    admin, assert_code, create_org, registry_token, registry_token_as, sha256_digest, Registry,
    ADMIN_PASSWORD,
};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Options};

fn with_yaml(yaml: &str) -> Options {
    Options {
        extra_yaml: yaml.to_owned(),
        ..Options::default()
    }
}

async fn anonymous_access_off(backend: Backend) {
    let berth = Berth::start_with(backend, with_yaml("FEATURE_ANONYMOUS_ACCESS: false\n")).await;
    let admin = admin(&berth).await;
    let registry = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/public").await;
    assert_eq!(registry.try_push().await, 201);
    admin
        .post("/api/v1/repository/admin/public/changevisibility")
        .json(&json!({"visibility": "public"}))
        .send()
        .await
        .expect_status(200);

    // Public repositories stay closed to anonymous callers, on /api/v1 and on /v2.
    Client::anon(&berth)
        .get("/api/v1/repository/admin/public")
        .send()
        .await
        .expect(401, &wire::abort("Anonymous access is not allowed"));
    let anonymous = Client::anon(&berth);
    let token = registry_token_as(&berth, &anonymous, Some("repository:admin/public:pull")).await;
    token.expect_status(401);
    // Signed-in callers are unaffected.
    admin
        .get("/api/v1/repository/admin/public")
        .send()
        .await
        .expect_status(200);
    registry.get_manifest("v1").await.expect_status(200);
}

/// `CREATE_PRIVATE_REPO_ON_PUSH` (default true) decides the visibility of a repository that a
/// push creates.
async fn visibility_of_pushed_repositories(backend: Backend) {
    for (yaml, public) in [("", false), ("CREATE_PRIVATE_REPO_ON_PUSH: false\n", true)] {
        let berth = Berth::start_with(backend.another().await, with_yaml(yaml)).await;
        let admin = admin(&berth).await;
        let registry = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/pushed").await;
        assert_eq!(registry.try_push().await, 201);
        let repo = admin.get("/api/v1/repository/admin/pushed").send().await;
        assert_eq!(
            repo.json()["is_public"],
            public,
            "{yaml:?}: {}",
            repo.text()
        );
        let anonymous = Client::anon(&berth)
            .get("/api/v1/repository/admin/pushed")
            .send()
            .await;
        assert_eq!(anonymous.status, if public { 200 } else { 401 }, "{yaml:?}");
    }
}

async fn app_specific_tokens_off(backend: Backend) {
    let berth = Berth::start_with(backend, with_yaml("FEATURE_APP_SPECIFIC_TOKENS: false\n")).await;
    let admin = admin(&berth).await;
    let host = &berth.addr;
    admin
        .get("/api/v1/user/apptoken")
        .send()
        .await
        .expect(404, &wire::not_found(host));
    admin
        .post("/api/v1/user/apptoken")
        .json(&json!({"title": "laptop"}))
        .send()
        .await
        .expect(404, &wire::not_found(host));
    let discovery = admin.get("/api/v1/discovery").send().await.text();
    assert!(!discovery.contains("createAppToken"), "{discovery}");
}

/// Without `FEATURE_CHANGE_TAG_EXPIRATION` an organization's time-machine window stays as it
/// is, as in Quay (the field is ignored); with it, the window changes.
async fn tag_expiration_changes_only_when_allowed(backend: Backend) {
    for (yaml, changes) in [
        ("FEATURE_CHANGE_TAG_EXPIRATION: false\n", false),
        ("", true),
    ] {
        let berth = Berth::start_with(backend.another().await, with_yaml(yaml)).await;
        let admin = admin(&berth).await;
        create_org(&admin, "acme").await;
        admin
            .put("/api/v1/organization/acme")
            .json(&json!({"tag_expiration_s": 86400}))
            .send()
            .await
            .expect_status(200);
        let org = admin.get("/api/v1/organization/acme").send().await.json();
        let expected = if changes { 86400 } else { 1_209_600 };
        assert_eq!(org["tag_expiration_s"], expected, "{yaml:?}: {org}");
    }
}

/// An upload past `MAXIMUM_LAYER_SIZE` is refused with 413 and stores nothing; one within it
/// is stored.
async fn maximum_layer_size_is_enforced(backend: Backend) {
    let berth = Berth::start_with(backend, with_yaml("MAXIMUM_LAYER_SIZE: 1K\n")).await;
    admin(&berth).await;
    let registry = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/big").await;
    let too_big = vec![7u8; 1500];
    let location = registry.start_upload().await;
    let refused = registry
        .client()
        .patch(&location)
        .body(Some("application/octet-stream"), too_big)
        .send()
        .await;
    assert_code(&refused, 413, "BLOB_UPLOAD_INVALID");
    assert_eq!(refused.json()["errors"][0]["detail"]["max_allowed"], 1024);
    assert_eq!(berth.stored_blobs().await, 0);
    let fits = vec![7u8; 1000];
    let digest = registry.upload_blob(&fits).await;
    assert_eq!(digest, sha256_digest(&fits));
    let token = registry_token(&berth, "admin", ADMIN_PASSWORD, None).await;
    token.expect_status(200);
}

backends!(
    anonymous_access_off,
    visibility_of_pushed_repositories,
    app_specific_tokens_off,
    tag_expiration_changes_only_when_allowed,
    maximum_layer_size_is_enforced,
);
