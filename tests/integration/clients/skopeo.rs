//! skopeo against Berth: push, pull, inspect, list-tags, repository-to-repository copies, and
//! the pushes it must refuse.

use crate::harness::fixtures::{
    admin, assert_failure, assert_success, create_auditor, create_user, creds, image_digests, Tools,
};
use crate::harness::{backends, Backend, Berth};

async fn list_tags(tools: &Tools, berth: &Berth, creds: &str, repo: &str) -> Vec<String> {
    let image = format!("docker://{}/{repo}", berth.addr);
    let out = tools
        .run_ok(
            "skopeo",
            &["list-tags", "--tls-verify=false", "--creds", creds, &image],
        )
        .await;
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list-tags JSON");
    let mut tags: Vec<String> = body["Tags"]
        .as_array()
        .expect("Tags")
        .iter()
        .map(|t| t.as_str().expect("tag").to_owned())
        .collect();
    tags.sort();
    tags
}

/// Push, pull back, compare digests; a second tag of the same image; `list-tags`.
async fn round_trip(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let user = create_user(&admin, "newuser").await;
    let tools = Tools::new();
    let layout = tools.build_image("app", "round trip\n").await;
    let pushed = image_digests(&layout);

    tools
        .push_image(&berth, &user, &layout, "newuser/app:1")
        .await;
    tools
        .push_image(&berth, &user, &layout, "newuser/app:latest")
        .await;
    assert_eq!(
        list_tags(&tools, &berth, &creds(&user), "newuser/app").await,
        ["1", "latest"]
    );

    for tag in ["1", "latest"] {
        let into = format!("pulled-{tag}");
        let out = tools
            .pull_image(&berth, &user, &format!("newuser/app:{tag}"), &into)
            .await;
        assert_success(&out, &format!("pull {tag}"));
        assert_eq!(
            image_digests(&tools.path(&format!("images/{into}"))),
            pushed
        );
    }
    // By digest too.
    let by_digest = format!("newuser/app@{}", pushed.manifest);
    let dest = format!("oci:{}:v1", tools.path("images/by-digest").display());
    let out = tools
        .skopeo_copy(
            &format!("docker://{}/{by_digest}", berth.addr),
            &dest,
            &creds(&user),
        )
        .await;
    assert_success(&out, "pull by digest");
    assert_eq!(image_digests(&tools.path("images/by-digest")), pushed);
}

/// `skopeo copy docker://… docker://…` between two repositories of the user (blob mounts).
async fn copy_between_repositories(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let user = create_user(&admin, "newuser").await;
    let tools = Tools::new();
    let layout = tools.build_image("app", "copied\n").await;
    let pushed = image_digests(&layout);
    tools
        .push_image(&berth, &user, &layout, "newuser/app:1")
        .await;

    let src = format!("docker://{}/newuser/app:1", berth.addr);
    let dest = format!("docker://{}/newuser/copy:1", berth.addr);
    let out = tools.skopeo_copy(&src, &dest, &creds(&user)).await;
    assert_success(&out, "copy");
    let out = tools
        .pull_image(&berth, &user, "newuser/copy:1", "copy")
        .await;
    assert_success(&out, "pull copy");
    assert_eq!(image_digests(&tools.path("images/copy")), pushed);
}

/// Bad credentials and someone else's namespace are refused, and leave nothing behind.
async fn refused_pushes(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let user = create_user(&admin, "newuser").await;
    let other = create_user(&admin, "other").await;
    let auditor = create_auditor(&admin).await;
    let tools = Tools::new();
    let layout = tools.build_image("app", "refused\n").await;
    let src = format!("oci:{}:v1", layout.display());

    let wrong = format!("{}:not-the-password", user.username);
    let out = tools
        .skopeo_copy(
            &src,
            &format!("docker://{}/newuser/app:1", berth.addr),
            &wrong,
        )
        .await;
    assert_failure(&out, "push with a wrong password");

    let out = tools
        .skopeo_copy(
            &src,
            &format!("docker://{}/other/app:1", berth.addr),
            &creds(&user),
        )
        .await;
    assert_failure(&out, "push into another user's namespace");

    // The auditor reads everything; neither repository has an image.
    for repo in ["newuser/app:1", "other/app:1"] {
        let out = tools.pull_image(&berth, &auditor, repo, "nothing").await;
        assert_failure(&out, &format!("pull of {repo}, which does not exist,"));
    }
    // The owner can still push normally afterwards.
    tools
        .push_image(&berth, &other, &layout, "other/app:1")
        .await;
    let out = tools
        .pull_image(&berth, &auditor, "other/app:1", "other")
        .await;
    assert_success(&out, "auditor pull");
}

backends!(round_trip, copy_between_repositories, refused_pushes);
