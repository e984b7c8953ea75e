//! Bad input gets the code the OCI spec and core-api.md §2.11 name, and nothing stored
//! changes: no blob, no upload leftovers, no tag.

use serde_json::json;

use super::{download_blob, Setup};
use crate::harness::fixtures::{
    assert_code, create_user, oci_manifest, registry_token, sha256_digest, Registry, OCI_MANIFEST,
};
use crate::harness::storage::{storages, Storage};
use crate::harness::{backends, Backend, Berth, Client, Resp};

/// Blobs and uploads in storage plus the tag list: what a refused request must not change.
async fn snapshot(berth: &Berth, registry: &Registry) -> (usize, usize, String) {
    let tags = registry
        .client()
        .get(&registry.path("tags/list"))
        .send()
        .await;
    (
        berth.stored_blobs().await,
        berth.stored_uploads().await,
        tags.text(),
    )
}

async fn bad_input_changes_nothing(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let registry = setup.registry("dev/app").await;
    let config = registry
        .upload_blob(br#"{"architecture":"amd64","os":"linux"}"#)
        .await;
    let layer = registry.upload_blob(b"layer bytes").await;
    let manifest = oci_manifest((&config, 37), &[(&layer, 11)]);
    registry
        .put_manifest("v1", &manifest)
        .await
        .expect_status(201);
    let before = snapshot(&setup.berth, &registry).await;

    // Wrong digest, monolithic and chunked.
    let body = b"some bytes".to_vec();
    let wrong = sha256_digest(b"other bytes");
    let resp = registry
        .client()
        .post(&registry.path(&format!("blobs/uploads/?digest={wrong}")))
        .body(Some("application/octet-stream"), body.clone())
        .send()
        .await;
    assert_code(&resp, 400, "DIGEST_INVALID");
    assert_code(
        &registry.upload_blob_as(&body, &wrong).await,
        400,
        "DIGEST_INVALID",
    );

    // A chunk that does not continue the upload.
    let location = registry.start_upload().await;
    let first = registry
        .client()
        .patch(&location)
        .header("Content-Range", "0-3")
        .body(Some("application/octet-stream"), b"abcd".to_vec())
        .send()
        .await;
    first.expect_status(202);
    let gap = registry
        .client()
        .patch(&location)
        .header("Content-Range", "10-13")
        .body(Some("application/octet-stream"), b"wxyz".to_vec())
        .send()
        .await;
    assert_eq!(gap.status, 416, "{}", gap.text());
    assert_eq!(gap.header("Range"), Some("0-3"));
    // Overlapping the stored bytes is refused too (the OCI spec), and changes nothing.
    let overlap = registry
        .client()
        .patch(&location)
        .header("Content-Range", "2-5")
        .body(Some("application/octet-stream"), b"cdef".to_vec())
        .send()
        .await;
    assert_eq!(overlap.status, 416, "{}", overlap.text());
    assert_eq!(overlap.header("Range"), Some("0-3"));
    assert!(overlap.header("Location").is_some());
    // The session's state is a read: a pull token may ask for it.
    let pull_only = token_client(&setup, Some("repository:dev/app:pull")).await;
    let status = pull_only.get(&location).send().await;
    assert_eq!(status.status, 204, "{}", status.text());
    assert_eq!(status.header("Range"), Some("0-3"));
    // A body shorter or longer than its Content-Range says is refused and stores nothing.
    for (range, body) in [
        ("4-18446744073709551614", b"efgh".to_vec()),
        ("4-7", b"efghijklmn".to_vec()),
    ] {
        let refused = registry
            .client()
            .patch(&location)
            .header("Content-Range", range)
            .body(Some("application/octet-stream"), body)
            .send()
            .await;
        assert_eq!(refused.status, 416, "{range}: {}", refused.text());
        assert_eq!(refused.header("Range"), Some("0-3"), "{range}");
    }
    let next = registry
        .client()
        .patch(&location)
        .header("Content-Range", "4-7")
        .body(Some("application/octet-stream"), b"efgh".to_vec())
        .send()
        .await;
    next.expect_status(202);
    assert_eq!(next.header("Range"), Some("0-7"));
    registry
        .client()
        .delete(&location)
        .send()
        .await
        .expect_status(204);

    // Manifests: wrong blob size, garbage, over the size limit, an unknown blob.
    let wrong_size = oci_manifest((&config, 37), &[(&layer, 12)]);
    let resp = registry.put_manifest("v2", &wrong_size).await;
    assert_code(&resp, 400, "MANIFEST_INVALID");
    for body in [b"{not json".to_vec(), b"[]".to_vec(), Vec::new()] {
        let resp = registry
            .client()
            .put(&registry.path("manifests/v2"))
            .body(Some(OCI_MANIFEST), body)
            .send()
            .await;
        assert_code(&resp, 400, "MANIFEST_INVALID");
    }
    let mut huge = manifest.clone();
    huge["annotations"] = json!({ "padding": "x".repeat(5 << 20) });
    let resp = registry.put_manifest("v2", &huge).await;
    assert_code(&resp, 413, "MANIFEST_INVALID");
    let unknown = oci_manifest((&config, 37), &[(&sha256_digest(b"absent"), 6)]);
    assert_code(
        &registry.put_manifest("v2", &unknown).await,
        400,
        "MANIFEST_BLOB_UNKNOWN",
    );
    let mismatch = registry
        .put_manifest(&sha256_digest(b"not this manifest"), &manifest)
        .await;
    assert_code(&mismatch, 400, "MANIFEST_INVALID");

    // Names and digests that cannot be.
    let resp = registry
        .client()
        .post("/v2/dev/Not..Valid/blobs/uploads/")
        .send()
        .await;
    assert_code(&resp, 400, "NAME_INVALID");
    let resp = registry
        .client()
        .get(&registry.path("blobs/md5:abcd"))
        .send()
        .await;
    assert_code(&resp, 400, "DIGEST_INVALID");

    assert_eq!(snapshot(&setup.berth, &registry).await, before);
}

/// SHA-512 blobs upload and download; a blob DELETE unlinks it from the repository.
async fn sha512_and_blob_delete(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let registry = setup.registry("dev/app").await;
    let body = b"addressed by sha512".to_vec();
    let digest = format!(
        "sha512:{}",
        hex::encode(<sha2::Sha512 as sha2::Digest>::digest(&body))
    );
    registry
        .upload_blob_as(&body, &digest)
        .await
        .expect_status(201);
    let got = download_blob(&setup.berth, &registry, &digest, None).await;
    got.expect_status(200);
    assert_eq!(got.body, body);
    assert_eq!(setup.berth.stored_blobs().await, 1);

    registry
        .client()
        .delete(&registry.path(&format!("blobs/{digest}")))
        .send()
        .await
        .expect_status(202);
    registry.assert_no_blob(&digest).await;
    let again = registry
        .client()
        .delete(&registry.path(&format!("blobs/{digest}")))
        .send()
        .await;
    assert_code(&again, 404, "BLOB_UNKNOWN");
}

/// A client of `dev`'s token for `scope` (None: a login token).
async fn token_client(setup: &Setup, scope: Option<&str>) -> Client {
    let user = &setup.user;
    let token = registry_token(&setup.berth, &user.username, &user.password, scope).await;
    token.expect_status(200);
    Client::with_token(&setup.berth, token.json()["token"].as_str().expect("token"))
}

/// Asserts a 403 DENIED whose challenge asks for `scope` with `error="insufficient_scope"`.
#[track_caller]
fn assert_insufficient_scope(resp: &Resp, scope: &str) {
    assert_code(resp, 403, "DENIED");
    let challenge = resp.header("WWW-Authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer realm=")
            && challenge.contains(&format!(r#"scope="{scope}""#))
            && challenge.ends_with(r#",error="insufficient_scope""#),
        "{challenge}"
    );
}

/// A token that never asked for what a request needs gets 403 `insufficient_scope` naming the
/// scope to ask for; one that asked and was refused gets Quay's 401 without `error`.
async fn under_scoped_tokens(backend: Backend) {
    let setup = Setup::start(backend, Storage::Local, false).await;
    setup.registry("dev/app").await.upload_blob(b"exists").await;

    let pull_only = token_client(&setup, Some("repository:dev/app:pull")).await;
    let resp = pull_only.post("/v2/dev/app/blobs/uploads/").send().await;
    assert_insufficient_scope(&resp, "repository:dev/app:pull,push");
    let resp = pull_only.get("/v2/dev/app/tags/list").send().await;
    resp.expect_status(200);

    let other_repo = token_client(&setup, Some("repository:dev/other:pull,push")).await;
    let resp = other_repo.get("/v2/dev/app/tags/list").send().await;
    assert_insufficient_scope(&resp, "repository:dev/app:pull");
    let login = token_client(&setup, None).await;
    let resp = login.get("/v2/dev/app/manifests/v1").send().await;
    assert_insufficient_scope(&resp, "repository:dev/app:pull");

    // Asked for and refused: `other` may not touch dev/app.
    let other = create_user(&setup.admin, "other").await;
    let refused = Registry::login(&setup.berth, &other.username, &other.password, "dev/app").await;
    let resp = refused
        .client()
        .post("/v2/dev/app/blobs/uploads/")
        .send()
        .await;
    assert_code(&resp, 401, "UNAUTHORIZED");
    let challenge = resp.header("WWW-Authenticate").unwrap_or_default();
    assert!(
        challenge.ends_with(r#"scope="repository:dev/app:pull,push""#),
        "{challenge}"
    );
    assert_eq!(setup.berth.stored_uploads().await, 0);
}

storages!(bad_input_changes_nothing, sha512_and_blob_delete);
backends!(under_scoped_tokens);
