//! podman against Berth: login with the generated or the encrypted password, pull, push.

use crate::harness::fixtures::{
    admin, assert_failure, assert_success, create_user, describe, Tools,
};
use crate::harness::{backends, Backend, Berth};

/// `podman login` accepts the generated and the encrypted password (§13), refuses a wrong one.
async fn login_logout(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let user = create_user(&admin, "newuser").await;
    let tools = Tools::new();

    let out = tools.podman_login(&berth, "newuser", &user.password).await;
    assert_success(&out, "login");
    let out = tools
        .run("podman", &["login", "--get-login", &berth.addr])
        .await;
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "newuser",
        "{}",
        describe(&out)
    );
    tools.run_ok("podman", &["logout", &berth.addr]).await;

    let out = tools
        .podman_login(&berth, "newuser", &user.encrypted_password)
        .await;
    assert_success(&out, "login with encrypted_password");
    tools.run_ok("podman", &["logout", &berth.addr]).await;

    let out = tools.podman_login(&berth, "newuser", "WRONGPASSWORD").await;
    assert_failure(&out, "login with a wrong password");
    let out = tools
        .podman_login(&berth, "nosuchuser", &user.password)
        .await;
    assert_failure(&out, "login as an unknown user");
}

/// Pull an image skopeo pushed, then push it under another name with podman.
async fn pull_and_push(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let user = create_user(&admin, "newuser").await;
    let tools = Tools::new();
    let layout = tools.build_image("app", "podman\n").await;
    tools
        .push_image(&berth, &user, &layout, "newuser/app:1")
        .await;

    let out = tools.podman_login(&berth, "newuser", &user.password).await;
    assert_success(&out, "login");
    let source = format!("{}/newuser/app:1", berth.addr);
    tools
        .run_ok("podman", &["pull", "--tls-verify=false", &source])
        .await;
    let target = format!("{}/newuser/again:1", berth.addr);
    tools.run_ok("podman", &["tag", &source, &target]).await;
    tools
        .run_ok("podman", &["push", "--tls-verify=false", &target])
        .await;

    // The layers are the same content (podman may recompress, so compare the diff_ids).
    let config = |image: String| {
        let tools = &tools;
        async move {
            let image = format!("docker://{image}");
            let out = tools
                .run_ok(
                    "skopeo",
                    &["inspect", "--config", "--tls-verify=false", &image],
                )
                .await;
            let config: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("config JSON");
            config["rootfs"]["diff_ids"].clone()
        }
    };
    let (a, b) = (config(source.clone()).await, config(target.clone()).await);
    assert!(a.as_array().is_some_and(|ids| ids.len() == 1), "{a}");
    assert_eq!(a, b);
}

backends!(login_logout, pull_and_push);
