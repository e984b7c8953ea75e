//! oras-py (PyPI's `oras`) against Berth through `oras_client.py`: pushing and pulling
//! artifacts, monolithic and chunked, and an artifact whose `subject` makes it a referrer.
//!
//! oras-py keeps the first token it gets (here `pull`, from its first blob HEAD) and fetches
//! another one only after a 403; these pushes work because a token that never asked for push
//! gets 403 with an `insufficient_scope` challenge (core-api.md §2.3).

use std::path::Path;

use serde_json::Value;

use crate::harness::fixtures::{assert_failure, assert_success, create_user, describe, User};
use crate::harness::storage::{storages, Storage};
use crate::harness::{backends, Backend};
use crate::v2::Setup;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/integration/clients/oras_client.py"
);

/// `oras_client.py <addr> <user> <password> <args>`: its output whatever the exit status.
async fn oras(setup: &Setup, user: &User, args: &[&str]) -> std::process::Output {
    let mut all = vec![
        SCRIPT,
        setup.berth.addr.as_str(),
        user.username.as_str(),
        user.password.as_str(),
    ];
    all.extend(args);
    setup.tools.run("python3", &all).await
}

/// Like `oras`, but the command must succeed; returns the JSON it printed.
async fn oras_ok(setup: &Setup, user: &User, args: &[&str]) -> Value {
    let out = oras(setup, user, args).await;
    assert_success(&out, &format!("oras-py {args:?}"));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", describe(&out)))
}

/// Writes `bytes` to `tmp/<name>` of the tools' folder; returns the path as text.
fn write_file(setup: &Setup, name: &str, bytes: &[u8]) -> String {
    let path = setup.tools.path(&format!("tmp/{name}"));
    std::fs::write(&path, bytes).expect("artifact file");
    path.to_str().expect("utf-8 path").to_owned()
}

/// Bytes that do not repeat: several 64 KiB chunks of a chunked upload.
fn patterned(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

fn assert_same_file(pulled: &Path, original: &str) {
    assert_eq!(
        std::fs::read(pulled).expect("pulled file"),
        std::fs::read(original).expect("original file"),
        "{}",
        pulled.display()
    );
}

/// Push two files in one request per blob, push a bigger one in 64 KiB chunks, pull both
/// artifacts back; the manifests the registry serves are the ones oras-py pushed.
async fn push_and_pull(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let addr = &setup.berth.addr;
    let readme = write_file(&setup, "readme.txt", b"pushed by oras-py\n");
    let data = write_file(&setup, "data.bin", &patterned(300 * 1024));

    let small = format!("{addr}/dev/artifact:v1");
    let pushed = oras_ok(&setup, &setup.user, &["push", &small, &readme, &data]).await;
    let large = format!("{addr}/dev/artifact:chunked");
    let chunked = oras_ok(&setup, &setup.user, &["push", &large, &data, "--chunked"]).await;

    let registry = setup.registry("dev/artifact").await;
    for (tag, pushed) in [("v1", &pushed), ("chunked", &chunked)] {
        let served = registry.get_manifest(tag).await;
        served.expect_status(200);
        assert_eq!(
            served.header("Docker-Content-Digest"),
            pushed["digest"].as_str(),
            "{tag}"
        );
    }

    let out_dir = setup.tools.path("pulled");
    let out = out_dir.to_str().expect("utf-8 path");
    let pulled = oras_ok(&setup, &setup.user, &["pull", &small, out]).await;
    assert_eq!(
        pulled["files"].as_array().map(Vec::len),
        Some(2),
        "{pulled}"
    );
    assert_same_file(&out_dir.join("readme.txt"), &readme);
    assert_same_file(&out_dir.join("data.bin"), &data);

    let out_dir = setup.tools.path("pulled-chunked");
    let out = out_dir.to_str().expect("utf-8 path");
    oras_ok(&setup, &setup.user, &["pull", &large, out]).await;
    assert_same_file(&out_dir.join("data.bin"), &data);
}

/// A signature pushed with `subject` = an artifact is listed among that artifact's
/// referrers, with its config's media type as `artifactType`, until oras-py deletes it.
async fn artifact_with_subject(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let addr = &setup.berth.addr;
    let payload = write_file(&setup, "payload.txt", b"the subject\n");
    let signature = write_file(&setup, "signature.txt", b"signed, sealed\n");
    let config = write_file(&setup, "signature.json", b"{}");
    let signature_type = "application/vnd.example.signature";

    let subject = format!("{addr}/dev/artifact:v1");
    oras_ok(&setup, &setup.user, &["push", &subject, &payload]).await;
    let config_ref = format!("{config}:{signature_type}");
    let signed = oras_ok(
        &setup,
        &setup.user,
        &[
            "push",
            &format!("{addr}/dev/artifact:signature"),
            &signature,
            "--config",
            &config_ref,
            "--subject",
            &subject,
        ],
    )
    .await;

    let listed = oras_ok(&setup, &setup.user, &["referrers", &subject]).await;
    let manifests = listed["index"]["manifests"].as_array().expect("manifests");
    assert_eq!(manifests.len(), 1, "{listed}");
    assert_eq!(manifests[0]["digest"], signed["digest"], "{listed}");
    assert_eq!(manifests[0]["artifactType"], signature_type, "{listed}");

    let signature_ref = format!("{addr}/dev/artifact:signature");
    let deleted = oras_ok(&setup, &setup.user, &["delete", &signature_ref]).await;
    assert_eq!(deleted["deleted"], true, "{deleted}");
    let listed = oras_ok(&setup, &setup.user, &["referrers", &subject]).await;
    assert_eq!(
        listed["index"]["manifests"],
        serde_json::json!([]),
        "{listed}"
    );
}

/// A push into someone else's namespace fails (the fresh token oras-py asks for is refused
/// push, which is Quay's 401) and stores nothing.
async fn refused_push(backend: Backend) {
    let setup = Setup::start(backend, Storage::Local, false).await;
    let other = create_user(&setup.admin, "other").await;
    let file = write_file(&setup, "file.txt", b"not for other\n");
    let target = format!("{}/other/artifact:v1", setup.berth.addr);
    let out = oras(&setup, &setup.user, &["push", &target, &file]).await;
    assert_failure(&out, "oras-py push into another user's namespace");
    assert_eq!(setup.berth.stored_blobs().await, 0);

    // The owner pushes there normally.
    oras_ok(&setup, &other, &["push", &target, &file]).await;
    assert_eq!(setup.berth.stored_blobs().await, 2);
}

storages!(push_and_pull, artifact_with_subject);
backends!(refused_push);
