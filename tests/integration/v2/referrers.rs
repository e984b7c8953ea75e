//! OCI v1.1 referrers: artifacts pushed with a `subject` are listed by the referrers API
//! (filtered by `artifactType` on request), and their manifest PUT answers `OCI-Subject`; a
//! repository not pushed yet lists none.
//!
//! The artifacts are pushed with the raw `/v2` client, which sets `artifactType` and reads
//! response headers as no CLI does; oras-py's own pushes with a subject are in
//! `clients/oras.rs`.

use serde_json::json;

use super::Setup;
use crate::harness::fixtures::{image_digests, sha256_digest, Registry, OCI_MANIFEST};
use crate::harness::storage::{storages, Storage};
use crate::harness::{Backend, Client};

/// Pushes an artifact by digest whose subject is `subject`; returns its digest.
async fn push_referrer(
    registry: &Registry,
    subject: (&str, u64),
    artifact_type: Option<&str>,
    config_type: &str,
) -> String {
    let config = registry.upload_blob(b"{}").await;
    let mut artifact = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": config_type, "digest": config, "size": 2},
        "layers": [],
        "subject": {"mediaType": OCI_MANIFEST, "digest": subject.0, "size": subject.1},
    });
    if let Some(artifact_type) = artifact_type {
        artifact["artifactType"] = json!(artifact_type);
    }
    let digest = sha256_digest(&serde_json::to_vec(&artifact).expect("JSON"));
    let pushed = registry.put_manifest(&digest, &artifact).await;
    pushed.expect_status(201);
    assert_eq!(pushed.header("OCI-Subject"), Some(subject.0));
    digest
}

async fn artifact_with_subject(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let layout = setup.tools.build_image("app", "has referrers\n").await;
    setup
        .tools
        .push_image(&setup.berth, &setup.user, &layout, "dev/app:v1")
        .await;
    let subject = image_digests(&layout).manifest;
    let subject_size = std::fs::metadata(
        layout
            .join("blobs/sha256")
            .join(subject.trim_start_matches("sha256:")),
    )
    .expect("manifest blob")
    .len();
    let registry = setup.registry("dev/app").await;
    let subject = (subject.as_str(), subject_size);
    let signature = push_referrer(
        &registry,
        subject,
        Some("application/vnd.example.signature"),
        "application/vnd.oci.empty.v1+json",
    )
    .await;
    let sbom = push_referrer(&registry, subject, None, "application/spdx+json").await;

    let listed = registry
        .client()
        .get(&registry.path(&format!("referrers/{}", subject.0)))
        .send()
        .await;
    listed.expect_status(200);
    let mut found: Vec<(String, String)> = listed.json()["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .map(|m| {
            let text = |key: &str| m[key].as_str().unwrap_or_default().to_owned();
            (text("digest"), text("artifactType"))
        })
        .collect();
    found.sort();
    let mut expected = vec![
        (
            signature.clone(),
            "application/vnd.example.signature".to_owned(),
        ),
        (sbom, "application/spdx+json".to_owned()),
    ];
    expected.sort();
    assert_eq!(found, expected);

    let filtered = registry
        .client()
        .get(&registry.path(&format!(
            "referrers/{}?artifactType=application/vnd.example.signature",
            subject.0
        )))
        .send()
        .await;
    filtered.expect_status(200);
    assert_eq!(filtered.header("OCI-Filters-Applied"), Some("artifactType"));
    assert_eq!(
        filtered.json()["manifests"][0]["digest"],
        signature.as_str()
    );
    assert_eq!(
        filtered.json()["manifests"].as_array().map(Vec::len),
        Some(1)
    );
}

/// A repository that does not exist yet has no referrers: an empty index, not 404, for a
/// caller who may pull there; still 401 for one who may not.
async fn referrers_of_a_repository_not_yet_pushed(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let registry = setup.registry("dev/not-yet").await;
    let subject = sha256_digest(b"nothing");
    let referrers = registry
        .client()
        .get(&registry.path(&format!("referrers/{subject}")))
        .send()
        .await;
    referrers.expect_status(200);
    assert_eq!(
        referrers.header("Content-Type"),
        Some("application/vnd.oci.image.index.v1+json")
    );
    assert_eq!(
        referrers.json(),
        json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []})
    );
    let outsider = Client::anon(&setup.berth)
        .get(&format!("/v2/admin/not-yet/referrers/{subject}"))
        .send()
        .await;
    assert_eq!(outsider.status, 401);
}

storages!(
    artifact_with_subject,
    referrers_of_a_repository_not_yet_pushed
);
