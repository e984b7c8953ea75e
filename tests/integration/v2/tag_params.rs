//! OCI v1.1 `?tag=` on a manifest push by digest: each named tag points at the manifest, each
//! is logged as a push and named back in an `OCI-Tag` header; a bad tag is TAG_INVALID.

use serde_json::json;

use super::Setup;
use crate::harness::fixtures::{assert_code, oci_manifest, sha256_digest, OCI_MANIFEST};
use crate::harness::storage::{storages, Storage};
use crate::harness::Backend;

async fn digest_push_with_tags(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let registry = setup.registry("dev/app").await;
    let config = registry.upload_blob(b"{}").await;
    let manifest = oci_manifest((&config, 2), &[]);
    let digest = sha256_digest(&serde_json::to_vec(&manifest).unwrap());
    let pushed = registry
        .client()
        .put(&registry.path(&format!("manifests/{digest}?tag=a&tag=b")))
        .body(Some(OCI_MANIFEST), serde_json::to_vec(&manifest).unwrap())
        .send()
        .await;
    pushed.expect_status(201);
    let echoed: Vec<&str> = pushed
        .headers
        .get_all("OCI-Tag")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(echoed, ["a", "b"]);
    assert_eq!(
        pushed.header("Docker-Content-Digest"),
        Some(digest.as_str())
    );
    let tags = registry
        .client()
        .get(&registry.path("tags/list"))
        .send()
        .await;
    assert_eq!(tags.json()["tags"], json!(["a", "b"]));
    for tag in ["a", "b"] {
        let got = registry.get_manifest(tag).await;
        got.expect_status(200);
        assert_eq!(got.header("Docker-Content-Digest"), Some(digest.as_str()));
    }

    let bad = registry
        .client()
        .put(&registry.path(&format!("manifests/{digest}?tag=-nope")))
        .body(Some(OCI_MANIFEST), serde_json::to_vec(&manifest).unwrap())
        .send()
        .await;
    assert_code(&bad, 400, "TAG_INVALID");
}

storages!(digest_push_with_tags);
