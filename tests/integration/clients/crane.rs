//! crane (go-containerregistry's CLI, built from Debian's source package) against Berth:
//! append, catalog with the `registry:catalog:*` scope it asks for, ls, digest, tag, copy with
//! a cross-repository mount, and delete by digest, which ends every tag of the manifest
//! (restorable through the time machine on `/api/v1`).

use serde_json::json;

use crate::harness::fixtures::{
    assert_failure, assert_success, create_user, Registry, Tools, User,
};
use crate::harness::storage::{storages, Storage};
use crate::harness::{Backend, Berth, Client};
use crate::v2::Setup;

/// `crane <args> --insecure` (plain HTTP) with the tools' home, where `crane auth login`
/// keeps its credentials.
async fn crane(tools: &Tools, args: &[&str]) -> std::process::Output {
    let mut all = args.to_vec();
    all.push("--insecure");
    tools.run("crane", &all).await
}

/// Like `crane`, but it must succeed; its standard output, lines trimmed.
async fn crane_ok(tools: &Tools, args: &[&str]) -> Vec<String> {
    let out = crane(tools, args).await;
    assert_success(&out, &format!("crane {args:?}"));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

async fn login(tools: &Tools, berth: &Berth, user: &User) {
    let args = [
        "auth",
        "login",
        berth.addr.as_str(),
        "-u",
        user.username.as_str(),
        "-p",
        user.password.as_str(),
    ];
    let out = tools.run("crane", &args).await;
    assert_success(&out, "crane auth login");
}

async fn crane_round_trip(backend: Backend, storage: Storage) {
    let setup = Setup::start(backend, storage, false).await;
    let (berth, tools) = (&setup.berth, &setup.tools);
    login(tools, berth, &setup.user).await;
    let app = format!("{}/dev/app", berth.addr);

    let layer = tools.path("tmp/layer.tar");
    let file = tools.path("tmp/hello.txt");
    std::fs::write(&file, "hello from crane\n").expect("layer file");
    let tar = tools
        .run(
            "tar",
            &[
                "-cf",
                layer.to_str().expect("utf-8"),
                "-C",
                tools.path("tmp").to_str().expect("utf-8"),
                "hello.txt",
            ],
        )
        .await;
    assert_success(&tar, "tar");
    let v1 = format!("{app}:v1");
    crane_ok(tools, &["append", "-f", layer.to_str().unwrap(), "-t", &v1]).await;
    let digest = crane_ok(tools, &["digest", &v1]).await.join("");
    assert!(digest.starts_with("sha256:"), "{digest}");
    crane_ok(tools, &["tag", &v1, "v2"]).await;
    assert_eq!(crane_ok(tools, &["ls", &app]).await, ["v1", "v2"]);

    // Another user's repository stays out of dev's catalog.
    let other = create_user(&setup.admin, "other").await;
    let theirs = Registry::login(berth, "other", &other.password, "other/private").await;
    assert_eq!(theirs.try_push().await, 201);
    let catalog = crane_ok(tools, &["catalog", &berth.addr]).await;
    assert_eq!(catalog, ["dev/app"]);

    // A copy between repositories mounts the blobs.
    let copy = format!("{}/dev/copy:v1", berth.addr);
    crane_ok(tools, &["copy", &v1, &copy]).await;
    assert_eq!(crane_ok(tools, &["digest", &copy]).await.join(""), digest);
    let catalog = crane_ok(tools, &["catalog", &berth.addr]).await;
    assert_eq!(catalog, ["dev/app", "dev/copy"]);

    // Delete by digest: both tags end, the manifest is gone, the copy stays.
    crane_ok(tools, &["delete", &format!("{app}@{digest}")]).await;
    assert!(crane_ok(tools, &["ls", &app]).await.is_empty());
    assert_failure(
        &crane(tools, &["manifest", &format!("{app}@{digest}")]).await,
        "crane manifest of a deleted digest",
    );
    assert_eq!(crane_ok(tools, &["digest", &copy]).await.join(""), digest);

    // The time machine brings a tag back.
    Client::session(berth, "dev", &setup.user.password)
        .await
        .post("/api/v1/repository/dev/app/tag/v1/restore")
        .json(&json!({ "manifest_digest": digest }))
        .send()
        .await
        .expect_status(200);
    assert_eq!(crane_ok(tools, &["ls", &app]).await, ["v1"]);
    crane_ok(tools, &["manifest", &v1]).await;
}

storages!(crane_round_trip);
