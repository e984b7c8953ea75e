//! Bad input gets the code the OCI spec and core-api.md §2.11 name, and nothing stored
//! changes: no blob, no upload leftovers, no tag.

use serde_json::json;

use super::Setup;
use crate::harness::fixtures::{assert_code, oci_manifest, sha256_digest, Registry, OCI_MANIFEST};
use crate::harness::storage::{storages, Storage};
use crate::harness::{Backend, Berth};

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
        "MANIFEST_INVALID",
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
    let got = registry.get_blob(&digest).await;
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

storages!(bad_input_changes_nothing, sha512_and_blob_delete);
