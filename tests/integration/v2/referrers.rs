//! OCI v1.1 referrers: an artifact pushed with a `subject` by oras (oras-py, with its own
//! bearer-token handshake against `/v2/auth`) is listed by the referrers API, and a manifest
//! PUT with a `subject` answers `OCI-Subject`.

use serde_json::json;

use super::Setup;
use crate::harness::fixtures::{image_digests, OCI_MANIFEST};
use crate::harness::storage::{storages, Storage};
use crate::harness::Backend;

/// Pushes `file` as an artifact `<host>/<repo>:<tag>` whose subject is the given manifest.
/// oras-py answers the `WWW-Authenticate` challenge itself: it asks `/v2/auth` with basic
/// credentials for the scope the challenge names, one repository at a time.
const ORAS_PUSH: &str = r#"
import sys
import oras.client, oras.oci
host, user, password, target, subject_digest, subject_size, path = sys.argv[1:]
client = oras.client.OrasClient(hostname=host, insecure=True, tls_verify=False)
client.set_basic_auth(user, password)
subject = oras.oci.Subject(mediaType="application/vnd.oci.image.manifest.v1+json",
                           digest=subject_digest, size=int(subject_size))
response = client.push(target=target, files=[path + ":application/spdx+json"], subject=subject)
response.raise_for_status()
"#;

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

    // oras-py stores files by their base name; run it from the folder holding the SBOM.
    let sbom = setup.tools.path("tmp/sbom.json");
    std::fs::write(&sbom, r#"{"spdxVersion": "SPDX-2.3"}"#).expect("sbom");
    let target = format!("{}/dev/app:sbom", setup.berth.addr);
    let size = subject_size.to_string();
    let args = [
        "-c",
        ORAS_PUSH,
        &setup.berth.addr,
        &setup.user.username,
        &setup.user.password,
        &target,
        &subject,
        &size,
        "sbom.json",
    ];
    let mut cmd = tokio::process::Command::new("python3");
    cmd.args(args).current_dir(setup.tools.path("tmp"));
    let out = cmd.output().await.expect("python3");
    crate::harness::fixtures::assert_success(&out, "oras push with a subject");

    let registry = setup.registry("dev/app").await;
    let listed = registry
        .client()
        .get(&registry.path(&format!("referrers/{subject}")))
        .send()
        .await;
    listed.expect_status(200);
    let referrers = listed.json()["manifests"].clone();
    assert_eq!(referrers.as_array().map(Vec::len), Some(1), "{referrers}");

    // The raw protocol: a referrer by digest, with the OCI-Subject answer and a filter.
    let config = registry.upload_blob(b"{}").await;
    let artifact = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": "application/vnd.example.signature",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": config, "size": 2},
        "layers": [],
        "subject": {"mediaType": OCI_MANIFEST, "digest": subject, "size": subject_size},
    });
    let body = serde_json::to_vec(&artifact).expect("JSON");
    let digest = crate::harness::fixtures::sha256_digest(&body);
    let pushed = registry.put_manifest(&digest, &artifact).await;
    pushed.expect_status(201);
    assert_eq!(pushed.header("OCI-Subject"), Some(subject.as_str()));
    let filtered = registry
        .client()
        .get(&registry.path(&format!(
            "referrers/{subject}?artifactType=application/vnd.example.signature"
        )))
        .send()
        .await;
    filtered.expect_status(200);
    assert_eq!(filtered.header("OCI-Filters-Applied"), Some("artifactType"));
    assert_eq!(filtered.json()["manifests"][0]["digest"], digest.as_str());
    let all = registry
        .client()
        .get(&registry.path(&format!("referrers/{subject}")))
        .send()
        .await;
    assert_eq!(all.json()["manifests"].as_array().map(Vec::len), Some(2));
}

storages!(artifact_with_subject);
