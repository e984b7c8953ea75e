//! Images in and out: skopeo push and pull, multi-arch indexes with `skopeo copy --all`,
//! chunked uploads over several PATCH requests, and mounts that move no bytes.

use serde_json::{json, Value};

use super::{download_blob, Setup};
use crate::harness::fixtures::{assert_code, assert_success, creds, image_digests, sha256_digest};
use crate::harness::storage::{storages, Storage};
use crate::harness::{Backend, Options};

/// A blob in three PATCH requests (the middle one spans several S3 multipart parts), then
/// the PUT; the pulled bytes match and no upload leftovers remain.
async fn chunked_upload(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let registry = setup.registry("dev/chunks").await;
    let blob: Vec<u8> = (0..(19u32 << 20) + 7).map(|i| (i % 251) as u8).collect();
    let digest = sha256_digest(&blob);
    let mut location = registry.start_upload().await;
    let cuts = [0, 3 << 20, (14 << 20) - 2, blob.len()];
    for pair in cuts.windows(2) {
        let (start, end) = (pair[0], pair[1]);
        let resp = registry
            .client()
            .patch(&location)
            .header("Content-Range", &format!("{start}-{}", end - 1))
            .body(Some("application/octet-stream"), blob[start..end].to_vec())
            .send()
            .await;
        resp.expect_status(202);
        assert_eq!(
            resp.header("Range"),
            Some(format!("0-{}", end - 1).as_str())
        );
        location = resp.header("Location").expect("Location").to_owned();
    }
    registry
        .finish_upload(&location, &digest, Vec::new())
        .await
        .expect_status(201);
    let pulled = download_blob(&setup.berth, &registry, &digest, None).await;
    pulled.expect_status(200);
    assert_eq!(sha256_digest(&pulled.body), digest);
    let ranged = download_blob(&setup.berth, &registry, &digest, Some("bytes=5-9")).await;
    ranged.expect_status(206);
    assert_eq!(ranged.body, blob[5..10]);
    assert_eq!(setup.berth.stored_blobs().await, 1);
    assert_eq!(setup.berth.stored_uploads().await, 0);
}

/// skopeo pushes and pulls an image; the digests survive the round trip.
async fn push_and_pull(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let layout = setup.tools.build_image("app", "push and pull\n").await;
    setup
        .tools
        .push_image(&setup.berth, &setup.user, &layout, "dev/app:v1")
        .await;
    let out = setup
        .tools
        .pull_image(&setup.berth, &setup.user, "dev/app:v1", "pulled")
        .await;
    assert_success(&out, "skopeo pull");
    assert_eq!(
        image_digests(&setup.tools.path("images/pulled")),
        image_digests(&layout)
    );
    // Config and layer; manifests live in the database.
    assert_eq!(setup.berth.stored_blobs().await, 2);
}

/// An OCI layout whose tag `multi` is an index over two single-layer images (amd64, arm64).
async fn build_index(setup: &Setup) -> (std::path::PathBuf, String) {
    let tools = &setup.tools;
    let layout = tools.path("images/multi");
    let layout_s = layout.to_str().expect("utf-8").to_owned();
    tools
        .run_ok("umoci", &["init", "--layout", &layout_s])
        .await;
    let mut children = Vec::new();
    for arch in ["amd64", "arm64"] {
        let file = tools.path(&format!("tmp/{arch}.txt"));
        std::fs::write(&file, format!("built for {arch}\n")).expect("layer file");
        let platform = ["--os", "linux", "--architecture", arch];
        tools
            .umoci_image(&layout, arch, &file, "/arch.txt", &platform)
            .await;
        children.push(arch);
    }
    let index_path = layout.join("index.json");
    let mut top: Value =
        serde_json::from_slice(&std::fs::read(&index_path).expect("index.json")).expect("JSON");
    let manifests: Vec<Value> = children
        .iter()
        .map(|arch| {
            let entry = top["manifests"]
                .as_array()
                .and_then(|all| {
                    all.iter()
                        .rev()
                        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == *arch)
                })
                .expect("tag in index.json");
            json!({
                "mediaType": entry["mediaType"], "digest": entry["digest"], "size": entry["size"],
                "platform": {"architecture": arch, "os": "linux"},
            })
        })
        .collect();
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": manifests,
    }))
    .expect("index");
    let digest = sha256_digest(&index);
    let blob = layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"));
    std::fs::write(blob, &index).expect("index blob");
    top["manifests"]
        .as_array_mut()
        .expect("manifests")
        .push(json!({
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": digest, "size": index.len(),
            "annotations": {"org.opencontainers.image.ref.name": "multi"},
        }));
    std::fs::write(&index_path, serde_json::to_vec(&top).expect("JSON")).expect("index.json");
    (layout, digest)
}

/// `skopeo copy --all` pushes an index with both images and pulls it back whole.
async fn multi_arch_index(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let (layout, index_digest) = build_index(&setup).await;
    let dest = format!("docker://{}/dev/multi:v1", setup.berth.addr);
    let src = format!("oci:{}:multi", layout.display());
    let user = creds(&setup.user);
    let push = [
        "copy",
        "--all",
        "--dest-tls-verify=false",
        "--dest-creds",
        &user,
        &src,
        &dest,
    ];
    setup.tools.run_ok("skopeo", &push).await;

    let pulled = setup.tools.path("images/pulled-multi");
    let into = format!("oci:{}:v1", pulled.display());
    let pull = [
        "copy",
        "--all",
        "--src-tls-verify=false",
        "--src-creds",
        &user,
        &dest,
        &into,
    ];
    setup.tools.run_ok("skopeo", &pull).await;
    let top: Value =
        serde_json::from_slice(&std::fs::read(pulled.join("index.json")).expect("index.json"))
            .expect("JSON");
    assert_eq!(top["manifests"][0]["digest"], index_digest.as_str());
    let registry = setup.registry("dev/multi").await;
    let index = registry
        .client()
        .get(&registry.path("manifests/v1"))
        .header("Accept", "application/vnd.oci.image.index.v1+json")
        .send()
        .await;
    index.expect_status(200);
    assert_eq!(
        index.header("Docker-Content-Digest"),
        Some(index_digest.as_str())
    );
    assert_eq!(index.json()["manifests"].as_array().map(Vec::len), Some(2));
    // Two configs and two layers.
    assert_eq!(setup.berth.stored_blobs().await, 4);
}

/// A mount between two repositories links the blob without a byte uploaded; a mount without
/// `from` or of an unknown blob opens a normal session instead.
async fn mount_between_repositories(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let layout = setup.tools.build_image("app", "mounted\n").await;
    setup
        .tools
        .push_image(&setup.berth, &setup.user, &layout, "dev/one:v1")
        .await;
    let digests = image_digests(&layout);
    let stored = setup.berth.stored_blobs().await;
    let two = setup.registry("dev/two").await;
    two.assert_no_blob(&digests.layers[0]).await;

    for blob in [&digests.config, &digests.layers[0]] {
        let mount = two
            .client()
            .post(&two.path(&format!("blobs/uploads/?mount={blob}&from=dev/one")))
            .send()
            .await;
        mount.expect_status(201);
        assert_eq!(mount.header("Docker-Content-Digest"), Some(blob.as_str()));
        two.head_blob(blob).await.expect_status(200);
    }
    assert_eq!(setup.berth.stored_blobs().await, stored);
    assert_eq!(setup.berth.stored_uploads().await, 0);

    let manifest = setup
        .tools
        .run_ok(
            "skopeo",
            &["inspect", "--raw", &format!("oci:{}:v1", layout.display())],
        )
        .await
        .stdout;
    two.client()
        .put(&two.path("manifests/v1"))
        .body(Some("application/vnd.oci.image.manifest.v1+json"), manifest)
        .send()
        .await
        .expect_status(201);

    for query in [
        format!("mount={}", digests.layers[0]),
        format!("mount={}&from=dev/one", sha256_digest(b"never uploaded")),
    ] {
        let fallback = two
            .client()
            .post(&two.path(&format!("blobs/uploads/?{query}")))
            .send()
            .await;
        fallback.expect_status(202);
        assert!(fallback.header("Docker-Upload-UUID").is_some());
    }
    assert_code(
        &two.client()
            .post(&two.path("blobs/uploads/?mount=sha256:nothex&from=dev/one"))
            .send()
            .await,
        400,
        "DIGEST_INVALID",
    );
}

/// A blob GET on S3 answers 302 to a URL the bucket signed, which needs no credentials and
/// serves ranges; HEAD answers itself. On a local folder, and on S3 with
/// `FEATURE_PROXY_STORAGE`, the registry streams the bytes.
async fn blob_downloads(backend: Backend, storage: Storage) {
    let mut setup = Setup::start(backend, storage, false).await;
    let blob: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
    let digest = setup.registry("dev/app").await.upload_blob(&blob).await;

    for proxy_storage in [false, true] {
        if proxy_storage {
            let options = Options {
                s3: storage == Storage::S3,
                proxy_storage,
                ..Options::default()
            };
            setup.berth.restart_with(options).await;
        }
        let registry = setup.registry("dev/app").await;
        let answer = registry.get_blob(&digest).await;
        if storage == Storage::S3 && !proxy_storage {
            answer.expect_status(302);
            assert_eq!(
                answer.header("Docker-Content-Digest"),
                Some(digest.as_str())
            );
            let location = answer.header("Location").expect("Location");
            assert!(!location.contains(&setup.berth.addr), "{location}");
        } else {
            answer.expect_status(200);
            assert_eq!(answer.body, blob);
        }
        let whole = download_blob(&setup.berth, &registry, &digest, None).await;
        whole.expect_status(200);
        assert_eq!(whole.body, blob);
        let ranged = download_blob(&setup.berth, &registry, &digest, Some("bytes=10-19")).await;
        ranged.expect_status(206);
        assert_eq!(ranged.body, blob[10..20]);
        let head = registry.head_blob(&digest).await;
        head.expect_status(200);
        assert_eq!(head.header("Content-Length"), Some("100000"));
    }
}

storages!(
    blob_downloads,
    chunked_upload,
    push_and_pull,
    multi_arch_index,
    mount_between_repositories
);
