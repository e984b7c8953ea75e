//! The headline flow of docs §6.17.1–6.17.2 (core-api.md §2.12): initialize the first
//! superuser, create a user with the superuser API, log in with podman, push and pull with
//! skopeo, list users, delete the user, and see its access and repositories go.

use crate::harness::fixtures::{
    self, assert_failure, assert_success, curl, image_digests, usernames, Tools, User,
};
use crate::harness::{backends, Backend, Berth};

/// The docs' commands as written (with `http://` and this server's address), run by `curl`.
async fn docs_walkthrough(backend: Backend) {
    let berth = Berth::start(backend).await;
    let tools = Tools::new();
    let base = format!("http://{}", berth.addr);

    // Bootstrap (core-api.md §1.6).
    let (status, body) = curl(
        &tools,
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            r#"{"username": "admin", "password": "password123", "email": "admin@example.com", "access_token": true}"#,
            &format!("{base}/api/v1/user/initialize"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let bearer = format!(
        "Authorization: Bearer {}",
        token["access_token"].as_str().expect("access_token")
    );

    // §6.17.1: create a user.
    let (status, body) = curl(
        &tools,
        &[
            "-X",
            "POST",
            "-H",
            &bearer,
            "-H",
            "Content-Type: application/json",
            "-d",
            r#"{ "username": "newuser", "email": "newuser@example.com" }"#,
            &format!("{base}/api/v1/superuser/users/"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let created: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let password = created["password"].as_str().expect("password");

    // `podman login <quay-server.example.com>` with the generated password.
    let login = tools.podman_login(&berth, "newuser", password).await;
    assert_success(&login, "podman login");

    // §6.17.1: list users; §6.17.2: delete, then list again.
    let list = [
        "-X",
        "GET",
        "-H",
        &bearer,
        &format!("{base}/api/v1/superuser/users/"),
    ];
    let (status, body) = curl(&tools, &list).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"username\": \"newuser\""), "{body}");
    let delete = [
        "-X",
        "DELETE",
        "-H",
        &bearer,
        &format!("{base}/api/v1/superuser/users/newuser"),
    ];
    assert_eq!(curl(&tools, &delete).await, (204, String::new()));
    let (status, body) = curl(&tools, &list).await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains("newuser"), "{body}");
}

/// The whole life of a user and its image, with the real clients.
async fn user_push_pull_delete(backend: Backend) {
    let berth = Berth::start(backend).await;
    let tools = Tools::new();
    let admin = fixtures::admin(&berth).await;
    let newuser: User = fixtures::create_user(&admin, "newuser").await;

    let login = tools
        .podman_login(&berth, "newuser", &newuser.password)
        .await;
    assert_success(&login, "podman login");

    let layout = tools.build_image("app", "hello from the journey\n").await;
    let pushed = image_digests(&layout);
    tools
        .push_image(&berth, &newuser, &layout, "newuser/app:1")
        .await;

    let pull = tools
        .pull_image(&berth, &newuser, "newuser/app:1", "pulled")
        .await;
    assert_success(&pull, "skopeo pull");
    assert_eq!(
        image_digests(&tools.path("images/pulled")),
        pushed,
        "pulled image equals the pushed one"
    );

    let image = format!("docker://{}/newuser/app:1", berth.addr);
    let creds = fixtures::creds(&newuser);
    let inspect = tools
        .run_ok(
            "skopeo",
            &["inspect", "--tls-verify=false", "--creds", &creds, &image],
        )
        .await;
    let inspected: serde_json::Value =
        serde_json::from_slice(&inspect.stdout).expect("skopeo inspect JSON");
    assert_eq!(inspected["Digest"], pushed.manifest.as_str());
    assert_eq!(inspected["Layers"], serde_json::json!(pushed.layers));
    assert_eq!(inspected["Name"], format!("{}/newuser/app", berth.addr));

    // The global read-only superuser may pull every repository: it shows what still exists.
    let auditor = fixtures::create_auditor(&admin).await;
    let pull = tools
        .pull_image(&berth, &auditor, "newuser/app:1", "by-auditor")
        .await;
    assert_success(&pull, "auditor pull");

    let users = admin
        .get("/api/v1/superuser/users/")
        .send()
        .await
        .expect_status(200)
        .json();
    let names = usernames(&users);
    assert_eq!(names, ["admin", "newuser", "auditor"]);

    admin
        .delete("/api/v1/superuser/users/newuser")
        .send()
        .await
        .expect(204, "");

    let login = tools
        .podman_login(&berth, "newuser", &newuser.password)
        .await;
    assert_failure(&login, "podman login after delete");
    let pull = tools
        .pull_image(&berth, &newuser, "newuser/app:1", "after-delete")
        .await;
    assert_failure(&pull, "pull after delete");
    let pull = tools
        .pull_image(&berth, &auditor, "newuser/app:1", "auditor-after-delete")
        .await;
    assert_failure(&pull, "auditor pull once newuser/app is gone");
}

backends!(docs_walkthrough, user_push_pull_delete);
