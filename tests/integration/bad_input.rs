//! Bad input on the registry (core-api.md §2.3, §2.8, §2.9, §2.11): each request is refused
//! with the documented code, and the stored image is untouched afterwards.

use crate::harness::fixtures::{
    admin, assert_code, assert_success, create_user, image_digests, oci_manifest, registry_token,
    sha256_digest, ImageDigests, Registry, Tools, User, OCI_MANIFEST,
};
use crate::harness::{backends, Backend, Berth, Client};

/// A server where `newuser/app:1` holds an image pushed by skopeo.
async fn with_image(backend: Backend) -> (Berth, Client, User, Tools, ImageDigests) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let user = create_user(&admin, "newuser").await;
    let tools = Tools::new();
    let layout = tools.build_image("app", "bad input\n").await;
    tools
        .push_image(&berth, &user, &layout, "newuser/app:1")
        .await;
    let digests = image_digests(&layout);
    (berth, admin, user, tools, digests)
}

/// The stored image still pulls with identical digests.
async fn assert_image_intact(
    berth: &Berth,
    user: &User,
    tools: &Tools,
    pushed: &ImageDigests,
    check: &str,
) {
    let into = format!("check-{check}");
    let out = tools.pull_image(berth, user, "newuser/app:1", &into).await;
    assert_success(&out, &format!("pull after {check}"));
    assert_eq!(
        &image_digests(&tools.path(&format!("images/{into}"))),
        pushed,
        "after {check}"
    );
}

async fn wrong_blob_digest(backend: Backend) {
    let (berth, _, user, tools, pushed) = with_image(backend).await;
    let registry = Registry::login(&berth, &user.username, &user.password, "newuser/app").await;
    let body = b"these bytes do not hash to the claimed digest".to_vec();
    let claimed = sha256_digest(b"something else");

    let resp = registry.upload_blob_as(&body, &claimed).await;
    assert_code(&resp, 400, "DIGEST_INVALID");
    registry.assert_no_blob(&claimed).await;
    registry.assert_no_blob(&sha256_digest(&body)).await;

    // A malformed digest and a missing one.
    let location = registry.start_upload().await;
    let resp = registry
        .finish_upload(&location, "sha256:nothex", body.clone())
        .await;
    assert_eq!(resp.status, 400, "{}", resp.text());
    let location = registry.start_upload().await;
    let resp = registry
        .client()
        .put(&location)
        .body(Some("application/octet-stream"), body)
        .send()
        .await;
    assert_eq!(resp.status, 400, "{}", resp.text());

    // An upload that does not exist.
    let unknown = registry.path("blobs/uploads/00000000-0000-0000-0000-000000000000");
    let resp = registry.finish_upload(&unknown, &claimed, Vec::new()).await;
    assert_code(&resp, 404, "BLOB_UPLOAD_UNKNOWN");

    assert_image_intact(&berth, &user, &tools, &pushed, "wrong digest").await;
}

async fn manifest_with_missing_blob(backend: Backend) {
    let (berth, _, user, tools, pushed) = with_image(backend).await;
    let registry = Registry::login(&berth, &user.username, &user.password, "newuser/app").await;
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = registry.upload_blob(config).await;
    let missing = sha256_digest(b"never uploaded");

    // The OCI spec's MANIFEST_BLOB_UNKNOWN, where Quay says MANIFEST_INVALID (decision 15),
    // with Quay's message as the detail.
    let manifest = oci_manifest((&config_digest, config.len()), &[(&missing, 14)]);
    let resp = registry.put_manifest("1", &manifest).await;
    assert_code(&resp, 400, "MANIFEST_BLOB_UNKNOWN");
    assert_eq!(
        resp.json()["errors"][0]["detail"]["message"],
        format!("Unknown blob `{missing}`")
    );
    let resp = registry.put_manifest("2", &manifest).await;
    assert_code(&resp, 400, "MANIFEST_BLOB_UNKNOWN");
    assert_code(&registry.get_manifest("2").await, 404, "MANIFEST_UNKNOWN");

    // Not a manifest at all.
    let resp = registry
        .client()
        .put(&registry.path("manifests/3"))
        .body(Some(OCI_MANIFEST), "{\"schemaVersion\": 2, \"config\": 17")
        .send()
        .await;
    assert_code(&resp, 400, "MANIFEST_INVALID");

    // Pushed by a digest that is not the body's.
    let good = oci_manifest((&config_digest, config.len()), &[]);
    let wrong_ref = sha256_digest(b"not this manifest");
    let resp = registry.put_manifest(&wrong_ref, &good).await;
    assert_code(&resp, 400, "MANIFEST_INVALID");

    // The tag still names the image skopeo pushed.
    let current = registry.get_manifest("1").await;
    current.expect_status(200);
    assert_eq!(
        current.header("Docker-Content-Digest"),
        Some(pushed.manifest.as_str())
    );
    assert_image_intact(&berth, &user, &tools, &pushed, "missing blob").await;
}

async fn unknown_repositories(backend: Backend) {
    let (berth, admin, user, tools, pushed) = with_image(backend).await;
    let other = create_user(&admin, "other").await;

    // Someone else's repository: the token grants nothing, so 401 with the challenge (§2.3).
    let registry = Registry::login(&berth, &other.username, &other.password, "newuser/app").await;
    for resp in [
        registry.get_manifest("1").await,
        registry.head_blob(&pushed.config).await,
    ] {
        assert_eq!(resp.status, 401, "{}", resp.text());
        let challenge = resp.header("WWW-Authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer realm=")
                && challenge.contains("repository:newuser/app:pull"),
            "{challenge}"
        );
    }
    let resp = registry
        .client()
        .post(&registry.path("blobs/uploads/"))
        .send()
        .await;
    assert_code(&resp, 401, "UNAUTHORIZED");

    // A repository that does not exist in a namespace nobody may read: 401 as well.
    let registry =
        Registry::login(&berth, &other.username, &other.password, "nosuchns/thing").await;
    assert_code(&registry.get_manifest("1").await, 401, "UNAUTHORIZED");
    assert_code(
        &registry
            .client()
            .get(&registry.path("tags/list"))
            .send()
            .await,
        401,
        "UNAUTHORIZED",
    );

    // An unknown tag in the user's own repository.
    let registry = Registry::login(&berth, &user.username, &user.password, "newuser/app").await;
    assert_code(
        &registry.get_manifest("nope").await,
        404,
        "MANIFEST_UNKNOWN",
    );

    // An invalid repository name at the token endpoint.
    let resp = registry_token(
        &berth,
        &user.username,
        &user.password,
        Some("repository:newuser/Bad..Name:pull"),
    )
    .await;
    assert_eq!(resp.status, 400, "{}", resp.text());

    assert_image_intact(&berth, &user, &tools, &pushed, "unknown repositories").await;
}

backends!(
    wrong_blob_digest,
    manifest_with_missing_blob,
    unknown_repositories
);
