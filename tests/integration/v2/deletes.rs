//! Deletes follow the OCI distribution spec (decision 13). A manifest deleted by digest: 202,
//! then the digest answers 404, whether it was pushed by tag or by digest or is named by a
//! tagged index (which stays as pushed), and a deleted referrer leaves the referrers list; every tag on it ends with a `delete_tag` entry and can
//! be restored from the time machine. A blob deleted from a repository: 404 there at once.

use serde_json::{json, Value};

use super::Setup;
use crate::harness::fixtures::{
    assert_code, creds, image_digests, oci_manifest, sha256_digest, Registry, OCI_INDEX,
    OCI_MANIFEST,
};
use crate::harness::storage::{storages, Storage};
use crate::harness::{Backend, Client};

async fn head_status(registry: &Registry, reference: &str) -> u16 {
    let path = registry.path(&format!("manifests/{reference}"));
    registry
        .client()
        .head(&path)
        .header("Accept", OCI_MANIFEST)
        .send()
        .await
        .status
}

async fn delete_by_digest(registry: &Registry, digest: &str) -> u16 {
    let path = registry.path(&format!("manifests/{digest}"));
    registry.client().delete(&path).send().await.status
}

/// Pushes a small image (its config named by `seed`) as `reference`; its digest.
async fn push(registry: &Registry, seed: &str, reference: Option<&str>) -> (String, Value) {
    let config = format!(r#"{{"seed":"{seed}"}}"#);
    let config_digest = registry.upload_blob(config.as_bytes()).await;
    let layer = registry.upload_blob(seed.as_bytes()).await;
    let manifest = oci_manifest((&config_digest, config.len()), &[(&layer, seed.len())]);
    let digest = sha256_digest(&serde_json::to_vec(&manifest).unwrap());
    registry
        .put_manifest(reference.unwrap_or(&digest), &manifest)
        .await
        .expect_status(201);
    (digest, manifest)
}

async fn manifests_go_by_digest(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let registry = setup.registry("dev/app").await;

    // Pushed by tag, tagged twice: both tags end, the digest is gone, the tags restore.
    let (tagged, manifest) = push(&registry, "tagged", Some("v1")).await;
    registry
        .put_manifest("v2", &manifest)
        .await
        .expect_status(201);
    assert_eq!(delete_by_digest(&registry, &tagged).await, 202);
    assert_eq!(head_status(&registry, &tagged).await, 404);
    assert_eq!(head_status(&registry, "v1").await, 404);
    let tags = registry
        .client()
        .get(&registry.path("tags/list"))
        .send()
        .await;
    assert_eq!(tags.json()["tags"], json!([]));
    let gone = registry
        .client()
        .get(&registry.path(&format!("manifests/{tagged}")))
        .send()
        .await;
    assert_code(&gone, 404, "MANIFEST_UNKNOWN");
    assert_eq!(delete_by_digest(&registry, &tagged).await, 404);
    let owner = Client::session(&setup.berth, "dev", &setup.user.password).await;
    let logs = owner
        .get("/api/v1/repository/dev/app/logs")
        .send()
        .await
        .json();
    let deleted: Vec<&str> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "delete_tag")
        .map(|e| e["metadata"]["tag"].as_str().unwrap())
        .collect();
    assert_eq!(deleted.len(), 2, "{logs}");
    owner
        .post("/api/v1/repository/dev/app/tag/v1/restore")
        .json(&json!({ "manifest_digest": tagged }))
        .send()
        .await
        .expect_status(200);
    assert_eq!(head_status(&registry, &tagged).await, 200);
    assert_eq!(head_status(&registry, "v1").await, 200);

    // Pushed by digest only: held by a hidden tag, which ends too.
    let (untagged, _) = push(&registry, "untagged", None).await;
    assert_eq!(head_status(&registry, &untagged).await, 200);
    assert_eq!(delete_by_digest(&registry, &untagged).await, 202);
    assert_eq!(head_status(&registry, &untagged).await, 404);

    // A referrer deleted by digest leaves the referrers list.
    let (subject, manifest) = push(&registry, "subject", Some("s1")).await;
    let subject_size = serde_json::to_vec(&manifest).unwrap().len();
    let config = registry.upload_blob(b"{}").await;
    let artifact = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": "application/vnd.example.sig",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": config, "size": 2},
        "layers": [],
        "subject": {"mediaType": OCI_MANIFEST, "digest": subject, "size": subject_size},
    });
    let referrer = sha256_digest(&serde_json::to_vec(&artifact).unwrap());
    registry
        .put_manifest(&referrer, &artifact)
        .await
        .expect_status(201);
    let referrers = registry.path(&format!("referrers/{subject}"));
    let listed = registry.client().get(&referrers).send().await.json();
    assert_eq!(listed["manifests"].as_array().unwrap().len(), 1);
    assert_eq!(delete_by_digest(&registry, &referrer).await, 202);
    let listed = registry.client().get(&referrers).send().await.json();
    assert_eq!(listed["manifests"], json!([]), "{listed}");
    assert_eq!(
        head_status(&registry, &subject).await,
        200,
        "the subject stays"
    );

    // A manifest a tagged index names goes too; the index stays, as pushed.
    let (kept, kept_manifest) = push(&registry, "kept child", None).await;
    let (doomed, doomed_manifest) = push(&registry, "doomed child", None).await;
    let size = |m: &Value| serde_json::to_vec(m).unwrap().len();
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": kept, "size": size(&kept_manifest)},
            {"mediaType": OCI_MANIFEST, "digest": doomed, "size": size(&doomed_manifest)},
        ],
    }))
    .unwrap();
    registry
        .put_manifest_as("multi", OCI_INDEX, index.clone())
        .await
        .expect_status(201);
    assert_eq!(delete_by_digest(&registry, &doomed).await, 202);
    assert_eq!(head_status(&registry, &doomed).await, 404);
    assert_eq!(head_status(&registry, &kept).await, 200);
    let multi = registry.get_manifest_as("multi", OCI_INDEX).await;
    multi.expect_status(200);
    assert_eq!(multi.body, index);
}

/// `skopeo delete` deletes by digest, as every registry client does.
async fn skopeo_deletes_by_digest(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let layout = setup.tools.build_image("app", "to be deleted\n").await;
    setup
        .tools
        .push_image(&setup.berth, &setup.user, &layout, "dev/app:v1")
        .await;
    let digest = image_digests(&layout).manifest;
    let target = format!("docker://{}/dev/app@{digest}", setup.berth.addr);
    let creds = creds(&setup.user);
    setup
        .tools
        .run_ok(
            "skopeo",
            &["delete", "--tls-verify=false", "--creds", &creds, &target],
        )
        .await;
    let registry = setup.registry("dev/app").await;
    assert_eq!(head_status(&registry, &digest).await, 404);
    assert_eq!(head_status(&registry, "v1").await, 404);
    let inspect = setup
        .tools
        .run(
            "skopeo",
            &["inspect", "--tls-verify=false", "--creds", &creds, &target],
        )
        .await;
    assert!(!inspect.status.success());
}

async fn blob_status(registry: &Registry, digest: &str) -> u16 {
    let path = registry.path(&format!("blobs/{digest}"));
    registry.client().head(&path).send().await.status
}

/// A blob DELETE withdraws the blob from the repository at once, even while one of its
/// manifests names it; other repositories keep it, and uploading it again brings it back.
async fn blobs_go_even_when_a_manifest_names_them(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let registry = setup.registry("dev/app").await;
    let other = setup.registry("dev/other").await;
    let layer = registry.upload_blob(b"shared layer").await;
    assert_eq!(other.upload_blob(b"shared layer").await, layer);
    let config = registry.upload_blob(b"{}").await;
    let manifest = oci_manifest((&config, 2), &[(&layer, 12)]);
    registry
        .put_manifest("v1", &manifest)
        .await
        .expect_status(201);

    let path = registry.path(&format!("blobs/{layer}"));
    let deleted = registry.client().delete(&path).send().await;
    deleted.expect_status(202);
    assert_eq!(blob_status(&registry, &layer).await, 404);
    let gone = registry.client().get(&path).send().await;
    assert_code(&gone, 404, "BLOB_UNKNOWN");
    let again = registry.client().delete(&path).send().await;
    assert_code(&again, 404, "BLOB_UNKNOWN");
    // The manifest stays, and so does the blob elsewhere.
    assert_eq!(head_status(&registry, "v1").await, 200);
    assert_eq!(blob_status(&other, &layer).await, 200);
    // A manifest pushed now cannot name it; uploaded again, it is back.
    let pushed = registry.put_manifest("v2", &manifest).await;
    assert_code(&pushed, 400, "MANIFEST_BLOB_UNKNOWN");
    assert_eq!(registry.upload_blob(b"shared layer").await, layer);
    assert_eq!(blob_status(&registry, &layer).await, 200);
    registry
        .put_manifest("v2", &manifest)
        .await
        .expect_status(201);
}

storages!(
    manifests_go_by_digest,
    skopeo_deletes_by_digest,
    blobs_go_even_when_a_manifest_names_them
);
