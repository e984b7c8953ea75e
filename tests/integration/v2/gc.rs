//! Deletion and garbage collection (core-api.md §6.5) with the time machine off and a
//! collection every second: a deleted image's blobs leave storage, a blob another repository
//! still uses stays, and abandoned upload sessions go with their bytes.

use std::time::{Duration, Instant};

use super::Setup;
use crate::harness::fixtures::{
    assert_success, image_digests, oci_manifest, Registry, ADMIN_PASSWORD,
};
use crate::harness::storage::{storages, Storage};
use crate::harness::{Backend, Berth, GC_UPLOAD_WINDOW_S};

/// Waits until `count` of `what` reaches `expected`, for the upload window and some passes.
async fn eventually(berth: &Berth, what: &str, expected: usize) {
    let deadline = Instant::now() + Duration::from_secs(GC_UPLOAD_WINDOW_S + 30);
    loop {
        let count = match what {
            "blobs" => berth.stored_blobs().await,
            _ => berth.stored_uploads().await,
        };
        if count == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what} in storage: {count}, expected {expected}; log:\n{}",
            berth.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn delete_then_collect(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, true).await;
    let tools = &setup.tools;
    let shared = tools.build_image("shared", "used twice\n").await;
    for repo_tag in ["dev/a:shared", "dev/b:shared"] {
        tools
            .push_image(&setup.berth, &setup.user, &shared, repo_tag)
            .await;
    }
    let own = tools.build_image("own", "only in a\n").await;
    tools
        .push_image(&setup.berth, &setup.user, &own, "dev/a:own")
        .await;
    assert_eq!(setup.berth.stored_blobs().await, 4);

    // An upload session nobody finishes.
    let a = setup.registry("dev/a").await;
    let abandoned = a.start_upload().await;
    a.client()
        .patch(&abandoned)
        .body(Some("application/octet-stream"), vec![7u8; 1000])
        .send()
        .await
        .expect_status(202);
    assert!(setup.berth.stored_uploads().await > 0);

    for tag in ["own", "shared"] {
        a.client()
            .delete(&a.path(&format!("manifests/{tag}")))
            .send()
            .await
            .expect_status(202);
    }
    eventually(&setup.berth, "blobs", 2).await;
    eventually(&setup.berth, "uploads", 0).await;

    // The shared image is whole in b, and gone from a.
    let out = tools
        .pull_image(&setup.berth, &setup.user, "dev/b:shared", "pulled")
        .await;
    assert_success(&out, "pull of the surviving repository");
    let digests = image_digests(&shared);
    a.assert_no_blob(&digests.layers[0]).await;
    a.get_manifest(&digests.manifest).await.expect_status(404);
    a.client().get(&abandoned).send().await.expect_status(404);

    // A push of the collected image puts its bytes back.
    tools
        .push_image(&setup.berth, &setup.user, &own, "dev/a:again")
        .await;
    assert_eq!(setup.berth.stored_blobs().await, 4);
    let out = tools
        .pull_image(&setup.berth, &setup.user, "dev/a:again", "again")
        .await;
    assert_success(&out, "pull after a re-push");
}

/// Deleting a user or an organization purges its repositories in the background, and the
/// collector then gives their bytes back (superuser-api.md §5.5, §6.3).
async fn deleted_namespaces_give_their_bytes_back(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, true).await;
    let admin = &setup.admin;
    admin
        .post("/api/v1/organization/")
        .json(&serde_json::json!({"name": "doomed", "email": "doomed@example.com"}))
        .send()
        .await
        .expect_status(201);
    for (user, password, repo, content) in [
        ("admin", ADMIN_PASSWORD, "doomed/app", "org image\n"),
        (
            "dev",
            setup.user.password.as_str(),
            "dev/app",
            "user image\n",
        ),
    ] {
        let registry = Registry::login(&setup.berth, user, password, repo).await;
        let config =
            br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
        let config_digest = registry.upload_blob(config).await;
        let layer_digest = registry.upload_blob(content.as_bytes()).await;
        let manifest = oci_manifest(
            (&config_digest, config.len()),
            &[(&layer_digest, content.len())],
        );
        registry
            .put_manifest("1", &manifest)
            .await
            .expect_status(201);
    }
    // Two layers and one shared config blob.
    assert_eq!(setup.berth.stored_blobs().await, 3);
    admin
        .delete("/api/v1/superuser/organizations/doomed")
        .send()
        .await
        .expect_status(204);
    eventually(&setup.berth, "blobs", 2).await;
    admin
        .delete("/api/v1/superuser/users/dev")
        .send()
        .await
        .expect_status(204);
    eventually(&setup.berth, "blobs", 0).await;
}

storages!(
    delete_then_collect,
    deleted_namespaces_give_their_bytes_back
);
