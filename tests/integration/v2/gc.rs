//! Deletion and garbage collection (core-api.md §6.5) with the time machine off and a
//! collection every second: a deleted image's blobs leave storage, a blob another repository
//! still uses stays, abandoned upload sessions go with their bytes, and the storage sweep
//! removes what crashes leave behind.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::SinkExt;

use super::Setup;
use crate::harness::fixtures::{
    assert_success, image_digests, oci_manifest, sha256_digest, Registry, ADMIN_PASSWORD,
};
use crate::harness::storage::{storages, Storage};
use crate::harness::{Backend, Berth, Options, GC_UPLOAD_WINDOW_S};

/// Waits until `count` of `what` reaches `expected`, for the upload window, a storage sweep
/// (one per window) and some passes.
async fn eventually(berth: &Berth, what: &str, expected: usize) {
    let deadline = Instant::now() + Duration::from_secs(2 * GC_UPLOAD_WINDOW_S + 30);
    loop {
        let count = match what {
            "blobs" => berth.stored_blobs().await,
            "unfinished writes" => berth.unfinished_writes().await,
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

/// Kills the server while a 16 MiB chunk streams into an upload of `registry`, once S3 has
/// begun the chunk's multipart upload.
async fn kill_mid_chunk(berth: &mut Berth, registry: &Registry, storage: Storage) {
    let location = registry.start_upload().await;
    let (mut body, chunks) = futures::channel::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
    let client = registry.client().clone();
    let patch = tokio::spawn(async move {
        client
            .patch(&location)
            .body(
                Some("application/octet-stream"),
                reqwest::Body::wrap_stream(chunks),
            )
            .try_send()
            .await
    });
    for index in 0..16u8 {
        body.send(Ok(Bytes::from(vec![index; 1 << 20])))
            .await
            .expect("the server reads the chunk");
    }
    if storage == Storage::S3 {
        eventually(berth, "unfinished writes", 1).await;
    } else {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    berth.kill9();
    drop(body);
    let outcome = patch.await.expect("PATCH task");
    assert!(
        outcome.is_err(),
        "the PATCH cannot have completed: {:?}",
        outcome.map(|resp| resp.status)
    );
}

/// Whether a storage sweep has finished since the server last started (per its log).
fn swept_since_start(berth: &Berth) -> bool {
    let log = berth.log_tail();
    let since_start = log.rfind("storage ready").map_or("", |at| &log[at..]);
    since_start
        .lines()
        .any(|line| line.contains("job finished") && line.contains("sweep_storage"))
}

/// What crashes leave goes once older than the upload window, and nothing else does: blob
/// bytes no row records (a crash between the removal of a blob's row and of its bytes), and
/// an upload killed mid-chunk with what the store held of it (on S3 an unfinished multipart
/// upload, which object listings do not show).
async fn crash_leftovers_are_swept(backend: Backend, storage: Storage) {
    // Collections every second start only after the crash: a job the kill interrupts stays
    // claimed for minutes, which would hold up the collector this test waits for.
    let mut setup = Setup::start(backend, storage, false).await;
    let kept = setup
        .tools
        .build_image(
            "kept", "kept
",
        )
        .await;
    setup
        .tools
        .push_image(&setup.berth, &setup.user, &kept, "dev/app:1")
        .await;
    let registry = setup.registry("dev/app").await;
    let leftovers_made = Instant::now();
    kill_mid_chunk(&mut setup.berth, &registry, storage).await;
    let unfinished = setup.berth.unfinished_writes().await;
    assert_eq!(unfinished, usize::from(storage == Storage::S3));

    let orphan = b"bytes whose blob row is gone";
    setup
        .berth
        .put_stored_blob(&sha256_digest(orphan), orphan)
        .await;
    let fast_gc = Options {
        s3: storage == Storage::S3,
        fast_gc: true,
        ..Options::default()
    };
    setup.berth.restart_with(fast_gc).await;
    assert_eq!(setup.berth.stored_blobs().await, 3);

    // A sweep runs at start; what it finds is younger than the window, so it stays.
    while !swept_since_start(&setup.berth) {
        assert!(
            leftovers_made.elapsed() < Duration::from_secs(60),
            "no storage sweep after the restart; log:\n{}",
            setup.berth.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if leftovers_made.elapsed() < Duration::from_secs(GC_UPLOAD_WINDOW_S - 1) {
        assert_eq!(setup.berth.stored_blobs().await, 3);
        assert_eq!(setup.berth.unfinished_writes().await, unfinished);
    }

    eventually(&setup.berth, "blobs", 2).await;
    eventually(&setup.berth, "unfinished writes", 0).await;
    eventually(&setup.berth, "uploads", 0).await;
    let out = setup
        .tools
        .pull_image(&setup.berth, &setup.user, "dev/app:1", "pulled")
        .await;
    assert_success(&out, "pull of the image the sweeps kept");
}

storages!(
    delete_then_collect,
    deleted_namespaces_give_their_bytes_back,
    crash_leftovers_are_swept
);
