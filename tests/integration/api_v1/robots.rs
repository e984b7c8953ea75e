//! Robot accounts (core-api.md §1.11): the user and organization endpoints, their logs and
//! callers, and robots logging in on `/v2/auth` to push and pull exactly where granted.

use serde_json::{json, Value};

use super::permissions::{assert_logged, log_entries, metadata_of, Callers};
use crate::harness::fixtures::{
    admin, create_org, create_team, registry_token, try_pull, try_push, user_session,
};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth};

/// A token as Quay makes them: 64 characters from `[A-Z0-9]`.
#[track_caller]
fn token_of(robot: &Value) -> String {
    let token = robot["token"].as_str().expect("token").to_owned();
    assert_eq!(token.len(), 64, "{token}");
    assert!(token
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    token
}

async fn user_robot_lifecycle(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, alice) = user_session(&berth, &admin, "alice").await;
    let host = berth.addr.clone();

    // Without a body; then with a description and metadata.
    let created = alice.put("/api/v1/user/robots/bot").send().await;
    created.expect_status(201);
    let robot = created.json();
    assert_eq!(robot["name"], "alice+bot");
    assert_eq!(robot["description"], "");
    assert_eq!(robot["last_accessed"], Value::Null);
    assert_eq!(robot["unstructured_metadata"], json!({}));
    let token = token_of(&robot);
    let described = alice
        .put("/api/v1/user/robots/deployer")
        .json(&json!({"description": "CD", "unstructured_metadata": {"team": "web"}}))
        .send()
        .await;
    described.expect_status(201);
    assert_eq!(
        described.json()["unstructured_metadata"],
        json!({"team": "web"})
    );

    alice.put("/api/v1/user/robots/bot").send().await.expect(
        400,
        &wire::invalid_request(&host, "Existing robot with name: alice+bot"),
    );
    alice
        .put("/api/v1/user/robots/Bad")
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(
                &host,
                "The name for the robot 'Bad' is invalid: Namespace must match expression ^([a-z0-9]+(?:[._-][a-z0-9]+)*)$",
            ),
        );
    let long = "x".repeat(256);
    let too_long = alice
        .put("/api/v1/user/robots/other")
        .json(&json!({"description": long}))
        .send()
        .await;
    too_long.expect(
        400,
        &wire::invalid_request(&host, &format!("'{long}' is too long")),
    );

    // The token can be shown again; regenerating replaces it.
    let shown = alice.get("/api/v1/user/robots/bot").send().await.json();
    assert_eq!(token_of(&shown), token);
    let list = alice.get("/api/v1/user/robots").send().await.json();
    let names: Vec<&str> = list["robots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alice+bot", "alice+deployer"]);
    assert_eq!(list["robots"][0]["token"], token);
    let hidden = alice
        .get("/api/v1/user/robots?token=false&limit=1")
        .send()
        .await
        .json();
    assert_eq!(hidden["robots"].as_array().map(Vec::len), Some(1));
    assert!(hidden["robots"][0].get("token").is_none());
    let renewed = alice
        .post("/api/v1/user/robots/bot/regenerate")
        .send()
        .await;
    renewed.expect_status(200);
    let new_token = token_of(&renewed.json());
    assert_ne!(new_token, token);
    assert_eq!(
        registry_token(&berth, "alice+bot", &token, None)
            .await
            .status,
        401
    );
    registry_token(&berth, "alice+bot", &new_token, None)
        .await
        .expect_status(200);
    // The sign-in is recorded (FEATURE_USER_LAST_ACCESSED), as an RFC 2822 date.
    let seen = alice.get("/api/v1/user/robots/bot").send().await.json();
    let last_accessed = seen["last_accessed"].as_str().expect("a sign-in date");
    assert!(last_accessed.ends_with(" -0000"), "{last_accessed}");
    alice
        .get("/api/v1/user/robots/bot/permissions")
        .send()
        .await
        .expect(200, "{\"permissions\": []}\n");

    alice
        .delete("/api/v1/user/robots/bot")
        .send()
        .await
        .expect(204, "");
    alice.get("/api/v1/user/robots/bot").send().await.expect(
        400,
        &wire::data_model("Could not find robot with username: alice+bot"),
    );
    assert_eq!(
        registry_token(&berth, "alice+bot", &new_token, None)
            .await
            .status,
        401
    );

    let entries = log_entries(&alice, "/api/v1/user/logs").await;
    let created =
        json!({"robot": "deployer", "description": "CD", "unstructured_metadata": {"team": "web"}});
    assert_logged(
        &entries,
        &[
            ("delete_robot", json!({"robot": "bot"})),
            ("regenerate_robot_token", json!({"robot": "bot"})),
            ("create_robot", created),
        ],
    );
    let login = metadata_of(&entries, "login_success");
    assert_eq!(
        (&login["kind"], &login["robot"]),
        (&json!("robot"), &json!("alice+bot"))
    );
}

/// A robot logs in as podman does and pushes and pulls only where it is granted; a robot
/// that creates a repository by pushing administers it.
async fn robot_registry_access(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (owner, owner_s) = user_session(&berth, &admin, "owner").await;
    create_org(&owner_s, "acme").await;
    assert_eq!(
        try_push(&berth, &owner.username, &owner.password, "acme/app").await,
        201
    );
    assert_eq!(
        try_push(&berth, &owner.username, &owner.password, "acme/lib").await,
        201
    );
    let created = owner_s
        .put("/api/v1/organization/acme/robots/ci")
        .send()
        .await;
    created.expect_status(201);
    let token = token_of(&created.json());

    // `podman login -u 'acme+ci' -p <token>`: no scope, a login_success under acme.
    registry_token(&berth, "acme+ci", &token, None)
        .await
        .expect_status(200);
    let wrong = registry_token(&berth, "acme+ci", "WRONG", None).await;
    wire_error(
        &wrong,
        "Could not find robot with username: acme+ci and supplied password.",
    );
    let entries = log_entries(&owner_s, "/api/v1/organization/acme/logs").await;
    let login = metadata_of(&entries, "login_success");
    assert_eq!(
        (&login["type"], &login["kind"], &login["robot"]),
        (&json!("v2auth"), &json!("robot"), &json!("acme+ci"))
    );

    // No grant, nothing; read pulls; write pushes.
    assert_eq!(try_pull(&berth, "acme+ci", &token, "acme/app").await, 401);
    assert_eq!(try_push(&berth, "acme+ci", &token, "acme/app").await, 401);
    let grant = |repo: &'static str, role: &'static str| {
        let owner_s = owner_s.clone();
        async move {
            owner_s
                .put(&format!(
                    "/api/v1/repository/acme/{repo}/permissions/user/acme+ci"
                ))
                .json(&json!({"role": role}))
                .send()
                .await
                .expect_status(200);
        }
    };
    grant("app", "read").await;
    assert_eq!(try_pull(&berth, "acme+ci", &token, "acme/app").await, 200);
    assert_eq!(try_push(&berth, "acme+ci", &token, "acme/app").await, 401);
    assert_eq!(try_pull(&berth, "acme+ci", &token, "acme/lib").await, 401);
    grant("lib", "write").await;
    assert_eq!(try_push(&berth, "acme+ci", &token, "acme/lib").await, 201);
    let pulls = log_entries(&owner_s, "/api/v1/repository/acme/lib/logs").await;
    let push = metadata_of(&pulls, "push_repo");
    assert_eq!(
        (&push["username"], &push["is_robot"]),
        (&json!("acme+ci"), &json!(true))
    );

    // Robots of another namespace cannot be granted.
    let (_, alice) = user_session(&berth, &admin, "alice").await;
    alice
        .put("/api/v1/user/robots/bot")
        .send()
        .await
        .expect_status(201);
    owner_s
        .put("/api/v1/repository/acme/app/permissions/user/alice+bot")
        .json(&json!({"role": "read"}))
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(
                &berth.addr,
                "Cannot add robot alice+bot under namespace acme",
            ),
        );

    // In a creator team the robot creates repositories by pushing, and administers them.
    assert_eq!(try_push(&berth, "acme+ci", &token, "acme/made").await, 401);
    create_team(&owner_s, "acme", "builders", "creator", &["acme+ci"]).await;
    assert_eq!(try_push(&berth, "acme+ci", &token, "acme/made").await, 201);
    let users = owner_s
        .get("/api/v1/repository/acme/made/permissions/user/")
        .send()
        .await
        .json();
    assert_eq!(users["permissions"]["acme+ci"]["role"], "admin");
    assert_eq!(users["permissions"]["acme+ci"]["is_robot"], true);

    // Listing with permissions names its teams and granted repositories.
    let listed = owner_s
        .get("/api/v1/organization/acme/robots?permissions=true")
        .send()
        .await
        .json();
    let robot = &listed["robots"][0];
    assert_eq!(robot["teams"][0]["name"], "builders");
    assert_eq!(robot["repositories"], json!(["app", "lib", "made"]));
    let permissions = owner_s
        .get("/api/v1/organization/acme/robots/ci/permissions")
        .send()
        .await
        .json();
    assert_eq!(
        permissions["permissions"][0],
        json!({"repository": {"name": "app", "is_public": false}, "role": "read"})
    );

    // Deleting the robot ends its access.
    owner_s
        .delete("/api/v1/organization/acme/robots/ci")
        .send()
        .await
        .expect(204, "");
    assert_eq!(
        registry_token(&berth, "acme+ci", &token, None).await.status,
        401
    );
}

/// Asserts a `/v2/auth` refusal: 401 UNAUTHORIZED with `message`.
#[track_caller]
fn wire_error(resp: &crate::harness::Resp, message: &str) {
    assert_eq!(resp.status, 401, "{}", resp.text());
    assert_eq!(resp.json()["errors"][0]["code"], "UNAUTHORIZED");
    assert_eq!(resp.json()["errors"][0]["message"], message);
}

/// Every caller of §1.3 against the organization robot endpoints, and the user endpoints'
/// `user:admin` requirement.
async fn robot_authorization(backend: Backend) {
    let berth = Berth::start(backend).await;
    let callers = Callers::new(&berth, "member").await;
    let owner = &callers.owner.1;
    owner
        .put("/api/v1/organization/acme/robots/ci")
        .send()
        .await
        .expect_status(201);

    // List, get one, create an existing one (400 for those who pass), regenerate of a robot
    // that does not exist (400 likewise): nothing changes. Members list robots, without tokens.
    let robots = "/api/v1/organization/acme/robots";
    let expected = [
        // Anonymous writes fail the CSRF check first (403), as in Quay.
        [401, 401, 403, 403],
        [200, 200, 400, 400],
        [200, 200, 400, 400],
        [200, 403, 403, 403],
        [403, 403, 403, 403],
        [200, 200, 400, 400],
        [403, 403, 403, 403],
        [403, 403, 403, 403],
        [403, 403, 403, 403],
        [403, 403, 403, 403],
        [200, 200, 403, 403],
    ];
    callers
        .check(expected, |client| async move {
            [
                client.get(robots).send().await,
                client.get(&format!("{robots}/ci")).send().await,
                client.put(&format!("{robots}/ci")).send().await,
                client
                    .post(&format!("{robots}/none/regenerate"))
                    .send()
                    .await,
            ]
        })
        .await;
    for (client, tokens) in [
        (owner, true),
        (&callers.member.1, false),
        (&callers.auditor, false),
    ] {
        let list = client.get(robots).send().await.json();
        assert_eq!(list["robots"][0].get("token").is_some(), tokens, "{list}");
    }

    // The user endpoints need `user:admin`.
    let expected = [
        [401],
        [200],
        [200],
        [200],
        [200],
        [403],
        [403],
        [403],
        [200],
        [200],
        [200],
    ];
    callers
        .check(expected, |client| async move {
            [client.get("/api/v1/user/robots").send().await]
        })
        .await;
    let entries = log_entries(owner, "/api/v1/organization/acme/logs").await;
    let created = entries
        .iter()
        .filter(|e| e["kind"] == "create_robot")
        .count();
    assert_eq!(created, 1, "refused requests write nothing");
}

backends!(
    user_robot_lifecycle,
    robot_registry_access,
    robot_authorization
);
