//! `/api/v1/superuser/users/` (superuser-api.md §5, docs §6.17.1–6.17.2), checked against the
//! bytes Quay sent in `quay-transcripts.md` exchanges 3–48.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::harness::fixtures::{admin, create_user, registry_token, usernames};
use crate::harness::wire::{self, UserView};
use crate::harness::{backends, Backend, Berth, Client, Options, Resp};

const USERS: &str = "/api/v1/superuser/users/";

fn user_path(name: &str) -> String {
    format!("{USERS}{name}")
}

async fn create(admin: &Client, body: Value) -> Resp {
    admin.post(USERS).json(&body).send().await
}

async fn get(admin: &Client, name: &str) -> Resp {
    admin.get(&user_path(name)).send().await
}

async fn delete(admin: &Client, name: &str) -> Resp {
    admin.delete(&user_path(name)).send().await
}

async fn put(admin: &Client, name: &str, body: Value) -> Resp {
    admin.put(&user_path(name)).json(&body).send().await
}

fn is_generated_password(pw: &str) -> bool {
    pw.len() == 32
        && pw
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Standard base64 of IV‖ciphertext: 108 characters ending in one `=` for a 32-char password.
#[track_caller]
fn assert_encrypted_password(encrypted: &str) {
    assert_eq!(encrypted.len(), 108, "{encrypted}");
    assert!(
        encrypted.ends_with('=') && !encrypted.ends_with("=="),
        "{encrypted}"
    );
    assert!(
        encrypted
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
        "{encrypted}"
    );
}

/// Asserts a problem body whose detail (a jsonschema message) starts with `summary`.
#[track_caller]
fn assert_schema_error(resp: &Resp, host: &str, summary: &str) {
    assert_eq!(resp.status, 400, "{}", resp.text());
    let text = resp.text();
    assert!(
        text.starts_with("{\"detail\": ") && text.ends_with("\"status\": 400}\n"),
        "{text}"
    );
    let body = resp.json();
    let detail = body["detail"].as_str().expect("detail");
    assert!(
        detail.starts_with(summary),
        "detail {detail:?} should start with {summary:?}"
    );
    assert_eq!(body["error_message"], body["detail"]);
    assert_eq!(body["error_type"], "invalid_request");
    assert_eq!(body["title"], "invalid_request");
    assert_eq!(
        body["type"],
        format!("http://{host}/api/v1/error/invalid_request")
    );
}

/// Transcript 3 (and 6 without e-mail): 200, the request's e-mail echoed, a fresh password.
async fn create_user_answers_like_quay(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;

    let resp = create(
        &admin,
        json!({"username": "newuser", "email": "newuser@example.com"}),
    )
    .await;
    resp.expect_status(200);
    assert_eq!(resp.header("Content-Type"), Some("application/json"));
    let body = resp.json();
    let password = body["password"].as_str().expect("password");
    let encrypted = body["encrypted_password"]
        .as_str()
        .expect("encrypted_password");
    assert!(is_generated_password(password), "{password}");
    assert_encrypted_password(encrypted);
    resp.expect(
        200,
        &format!(
            "{{\"username\": \"newuser\", \"email\": \"newuser@example.com\", \"password\": \"{password}\", \"encrypted_password\": \"{encrypted}\"}}\n"
        ),
    );

    let resp = create(&admin, json!({"username": "noemail"})).await;
    let body = resp.json();
    resp.expect(
        200,
        &format!(
            "{{\"username\": \"noemail\", \"email\": null, \"password\": {}, \"encrypted_password\": {}}}\n",
            body["password"], body["encrypted_password"]
        ),
    );
    assert_ne!(
        body["password"].as_str(),
        Some(password),
        "every user gets its own password"
    );

    // Without an e-mail (mailing off) a random UUID is stored, and the avatar hashes it.
    let view = get(&admin, "noemail").await.json();
    let stored = view["email"].as_str().expect("email");
    assert!(
        uuid::Uuid::parse_str(stored).is_ok(),
        "stored e-mail {stored:?} is a UUID"
    );
    assert_eq!(view["avatar"]["hash"], wire::avatar(stored).0);
}

/// Transcript 4: the whole list, every field, the exact avatar hashes and colours.
async fn list_users_shows_every_field(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    create_user(&admin, "newuser").await;

    let expected = [
        UserView::new("admin", "admin@example.com"),
        UserView::new("newuser", "newuser@example.com"),
    ];
    admin
        .get(USERS)
        .send()
        .await
        .expect(200, &wire::user_list(&expected, None));
    // The recorded values, independent of the template's arithmetic.
    assert_eq!(
        wire::avatar("newuser@example.com"),
        (
            "f338a2c83bfdde84abe2d3348994d70c34185a234cfbf32f9e323e3578e7e771".into(),
            "#9edae5"
        )
    );
    assert_eq!(
        wire::avatar("admin@example.com"),
        (
            "258d8dc916db8cea2cafb6c3cd0cb0246efe061421dbd83ec3a350428cabda4f".into(),
            "#98df8a"
        )
    );

    // Transcript 12, Berth's decision 3: no trailing slash answers the same, without a redirect.
    admin
        .get("/api/v1/superuser/users")
        .send()
        .await
        .expect(200, &wire::user_list(&expected, None));
}

/// Transcript 5 with FEATURE_QUOTA_MANAGEMENT on, as Quay was recorded: 464 bytes exactly.
async fn get_user_with_quota_views(backend: Backend) {
    let berth = Berth::start_with(
        backend,
        Options {
            quota_management: true,
            ..Options::default()
        },
    )
    .await;
    let admin = admin(&berth).await;
    create_user(&admin, "newuser").await;
    let resp = get(&admin, "newuser").await;
    resp.expect(
        200,
        "{\"kind\": \"user\", \"name\": \"newuser\", \"username\": \"newuser\", \"email\": \"newuser@example.com\", \
         \"verified\": true, \"avatar\": {\"name\": \"newuser\", \"hash\": \
         \"f338a2c83bfdde84abe2d3348994d70c34185a234cfbf32f9e323e3578e7e771\", \"color\": \"#9edae5\", \"kind\": \
         \"user\"}, \"super_user\": false, \"global_readonly_super_user\": false, \"enabled\": true, \"quotas\": [], \
         \"quota_report\": {\"quota_bytes\": 0, \"configured_quota\": null, \"running_backfill\": \"waiting\", \
         \"backfill_status\": \"waiting\"}}\n",
    );
    assert_eq!(resp.body.len(), 464);
}

/// Transcripts 5 and 23: one user, with and without the trailing slash; unknown names are 404.
async fn get_user(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    create_user(&admin, "newuser").await;
    let view = UserView::new("newuser", "newuser@example.com").body();
    get(&admin, "newuser").await.expect(200, &view);
    get(&admin, "newuser/").await.expect(200, &view);
    get(&admin, "admin")
        .await
        .expect(200, &UserView::new("admin", "admin@example.com").body());
    get(&admin, "nosuchuser")
        .await
        .expect(404, &wire::not_found(&berth.addr));
    // An organization is not a user (transcript 48 for DELETE).
    admin
        .post("/api/v1/organization/")
        .json(&json!({"name": "test", "email": "test@example.com"}))
        .send()
        .await
        .expect_status(201);
    get(&admin, "test")
        .await
        .expect(404, &wire::not_found(&berth.addr));
    delete(&admin, "test")
        .await
        .expect(404, &wire::not_found(&berth.addr));
}

/// Every user exactly once across the pages of `limit`, and never an empty last page.
async fn walk_pages(admin: &Client, limit: usize) -> Vec<usize> {
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut path = format!("{USERS}?limit={limit}");
    loop {
        let body = admin.get(&path).send().await.expect_status(200).json();
        let users = body["users"].as_array().expect("users");
        sizes.push(users.len());
        assert!(!users.is_empty(), "page {} is empty", sizes.len());
        assert!(users.len() <= limit);
        seen.extend(
            users
                .iter()
                .map(|u| u["username"].as_str().expect("username").to_owned()),
        );
        match body.get("next_page").and_then(Value::as_str) {
            Some(token) => path = format!("{USERS}?limit={limit}&next_page={token}"),
            None => break,
        }
        assert!(sizes.len() < 20, "paging does not end");
    }
    let unique: BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a user appeared twice: {seen:?}");
    sizes
}

/// Transcripts 7–8 and §18 item 11: `limit` + `next_page` paging.
async fn list_users_pages(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    for name in ["newuser", "noemail", "other", "jdoe", "dupmail", "carol"] {
        create_user(&admin, name).await;
    }
    assert_eq!(walk_pages(&admin, 2).await, [2, 2, 2, 1]);
    assert_eq!(
        walk_pages(&admin, 7).await,
        [7],
        "a full last page has no next_page (decision 5)"
    );
    assert_eq!(walk_pages(&admin, 3).await, [3, 3, 1]);
    assert_eq!(walk_pages(&admin, 100).await, [7]);

    // The first page in id order: admin, newuser (transcript 7), and a Fernet token.
    let first = admin.get(&format!("{USERS}?limit=2")).send().await.json();
    let names = usernames(&first);
    assert_eq!(names, ["admin", "newuser"]);
    assert!(
        first["next_page"]
            .as_str()
            .is_some_and(|t| t.starts_with("gAAAAA")),
        "{first}"
    );

    // A garbage token means "first page" (§18 item 57).
    let garbage = admin
        .get(&format!("{USERS}?limit=2&next_page=garbage"))
        .send()
        .await
        .json();
    assert_eq!(garbage["users"], first["users"]);
}

/// Transcripts 9 and 10.
async fn list_users_limit_errors(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    admin
        .get(&format!("{USERS}?limit=101"))
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&berth.addr, "Page limit cannot be above 100"),
        );
    admin.get(&format!("{USERS}?limit=abc")).send().await.expect(
        400,
        "{\"message\": {\"limit\": \"Limit to the number of results to return per page. Max 100.\"}}\n",
    );
    for below_one in ["0", "-3"] {
        admin
            .get(&format!("{USERS}?limit={below_one}"))
            .send()
            .await
            .expect(
                400,
                &wire::invalid_request(&berth.addr, "Page limit must be at least 1"),
            );
    }
}

/// Transcripts 11 and 15–17: `disabled=false` lists enabled users only.
async fn list_users_disabled_filter(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    create_user(&admin, "newuser").await;
    create_user(&admin, "other").await;
    put(&admin, "other", json!({"enabled": false}))
        .await
        .expect_status(200);

    let admin_view = UserView::new("admin", "admin@example.com");
    let newuser_view = UserView::new("newuser", "newuser@example.com");
    let other_disabled = UserView {
        enabled: false,
        ..UserView::new("other", "other@example.com")
    };
    let all = wire::user_list(
        &[admin_view.clone(), newuser_view.clone(), other_disabled],
        None,
    );
    let enabled = wire::user_list(&[admin_view, newuser_view], None);
    admin.get(USERS).send().await.expect(200, &all);
    admin
        .get(&format!("{USERS}?disabled=true"))
        .send()
        .await
        .expect(200, &all);
    for falsy in ["false", "False", "FALSE", "0"] {
        admin
            .get(&format!("{USERS}?disabled={falsy}"))
            .send()
            .await
            .expect(200, &enabled);
    }
}

/// Transcripts 13–20: PUT answers the user as it was, with the new e-mail or the encrypted
/// new password; the change itself is visible afterwards.
async fn update_user(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let newuser = create_user(&admin, "newuser").await;
    let before = UserView::new("newuser", "newuser@example.com");

    // 13: e-mail. The avatar in the answer is still the old one.
    put(&admin, "newuser", json!({"email": "newuser2@example.com"}))
        .await
        .expect(
            200,
            &UserView {
                email: "newuser2@example.com".into(),
                ..before.clone()
            }
            .body(),
        );
    let after = UserView::new("newuser", "newuser2@example.com");
    get(&admin, "newuser").await.expect(200, &after.body());
    assert_eq!(wire::avatar("newuser2@example.com").1, "#ad494a");

    // 14: password. The answer adds `encrypted_password`; only the new password logs in.
    let resp = put(&admin, "newuser", json!({"password": "n3w-passw0rd"})).await;
    let encrypted = resp.json()["encrypted_password"]
        .as_str()
        .expect("encrypted_password")
        .to_owned();
    resp.expect(
        200,
        &UserView {
            encrypted_password: Some(encrypted.clone()),
            ..after.clone()
        }
        .body(),
    );
    assert_eq!(
        encrypted.len(),
        64,
        "IV and 32 bytes for a 12-char password: {encrypted}"
    );
    registry_token(&berth, "newuser", "n3w-passw0rd", None)
        .await
        .expect_status(200);
    registry_token(&berth, "newuser", &encrypted, None)
        .await
        .expect_status(200);
    registry_token(&berth, "newuser", &newuser.password, None)
        .await
        .expect_status(401);

    // 15–17: disable, then enable; each answer shows the state before the change.
    put(&admin, "newuser", json!({"enabled": false}))
        .await
        .expect(200, &after.body());
    let disabled = UserView {
        enabled: false,
        ..after.clone()
    };
    get(&admin, "newuser").await.expect(200, &disabled.body());
    put(&admin, "newuser", json!({"enabled": true}))
        .await
        .expect(200, &disabled.body());

    // 18: an empty body changes nothing.
    put(&admin, "newuser", json!({}))
        .await
        .expect(200, &after.body());
    get(&admin, "newuser").await.expect(200, &after.body());

    // 19: password rules.
    let short = wire::data_model(
        "Invalid password, password must be at least 8 characters and contain no whitespace.",
    );
    put(&admin, "newuser", json!({"password": "short"}))
        .await
        .expect(400, &short);
    put(&admin, "newuser", json!({"password": "has white space"}))
        .await
        .expect(400, &short);

    // 20: an e-mail in use elsewhere (the recorded 200 was a schema artifact; §5.4).
    put(&admin, "newuser", json!({"email": "admin@example.com"}))
        .await
        .expect(400, &wire::data_model("E-mail address already used"));
    get(&admin, "newuser").await.expect(200, &after.body());

    // Types are checked by the schema before anything else.
    let resp = put(&admin, "newuser", json!({"enabled": "yes"})).await;
    assert_schema_error(&resp, &berth.addr, "'yes' is not of type 'boolean'");
}

/// §5.4 `enabled`: a disabled user cannot log in to the registry; enabling restores it.
async fn disabled_user_cannot_log_in(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let user = create_user(&admin, "newuser").await;
    registry_token(&berth, "newuser", &user.password, None)
        .await
        .expect_status(200);

    put(&admin, "newuser", json!({"enabled": false}))
        .await
        .expect_status(200);
    let denied = registry_token(&berth, "newuser", &user.password, None).await;
    denied.expect_status(401);
    assert_eq!(
        denied.json()["errors"][0]["code"],
        "UNAUTHORIZED",
        "{}",
        denied.text()
    );
    registry_token(&berth, "newuser", &user.encrypted_password, None)
        .await
        .expect_status(401);

    put(&admin, "newuser", json!({"enabled": true}))
        .await
        .expect_status(200);
    registry_token(&berth, "newuser", &user.password, None)
        .await
        .expect_status(200);
}

/// Transcripts 21, 22, 47: superusers cannot be changed or deleted here; unknown users are 404.
async fn superusers_are_protected(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let host = &berth.addr;
    put(&admin, "admin", json!({"email": "x@example.com"}))
        .await
        .expect(
            400,
            &wire::invalid_request(host, "Cannot update a superuser"),
        );
    delete(&admin, "admin").await.expect(
        400,
        &wire::invalid_request(host, "Cannot delete a superuser"),
    );
    put(&admin, "nosuchuser", json!({"email": "x@example.com"}))
        .await
        .expect(404, &wire::not_found(host));
    delete(&admin, "nosuchuser")
        .await
        .expect(404, &wire::not_found(host));
    get(&admin, "admin")
        .await
        .expect(200, &UserView::new("admin", "admin@example.com").body());
}

/// Whether `name` is a superuser, as the superuser user view says.
async fn is_superuser(admin: &Client, name: &str) -> bool {
    let user = get(admin, name).await;
    user.expect_status(200);
    user.json()["super_user"].as_bool().expect("super_user")
}

/// The superuser-log entries of `kind` about `username`, newest first.
async fn superuser_changes(admin: &Client, kind: &str, username: &str) -> Vec<Value> {
    let logs = admin.get("/api/v1/superuser/logs").send().await;
    logs.expect_status(200);
    logs.json()["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .filter(|e| e["kind"] == kind && e["metadata"]["username"] == username)
        .cloned()
        .collect()
}

/// docs/decisions.md 14: `superuser` takes JSON booleans only; promotions and demotions are
/// logged; another superuser may demote, and a superuser may demote itself while another
/// remains; `SUPER_USERS` names stay superusers.
async fn superusers_are_promoted_and_demoted(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let host = &berth.addr;
    let alice = create_user(&admin, "alice").await;
    let bob = create_user(&admin, "bob").await;

    for not_boolean in [json!("false"), json!(1), json!("yes"), json!(null)] {
        let resp = put(&admin, "alice", json!({ "superuser": not_boolean })).await;
        let shown = match &not_boolean {
            Value::String(s) => format!("'{s}'"),
            Value::Null => "None".to_owned(),
            other => other.to_string(),
        };
        assert_schema_error(&resp, host, &format!("{shown} is not of type 'boolean'"));
    }
    assert!(!is_superuser(&admin, "alice").await);

    put(&admin, "alice", json!({"superuser": false}))
        .await
        .expect_status(200);
    assert!(
        !is_superuser(&admin, "alice").await,
        "false leaves a user as it is"
    );
    put(&admin, "alice", json!({"superuser": true}))
        .await
        .expect_status(200);
    put(&admin, "bob", json!({"superuser": true}))
        .await
        .expect_status(200);
    assert!(is_superuser(&admin, "alice").await && is_superuser(&admin, "bob").await);
    let promoted = superuser_changes(&admin, "promote_superuser", "alice").await;
    assert_eq!(promoted.len(), 1, "{promoted:?}");
    assert_eq!(promoted[0]["metadata"]["superuser"], "admin");
    assert_eq!(promoted[0]["performer"]["name"], "admin");

    // A promoted user uses the superuser API at once, and is protected like any superuser.
    let alice_session = Client::session(&berth, "alice", &alice.password).await;
    get(&alice_session, "bob").await.expect_status(200);
    for change in [
        json!({"email": "a@example.com"}),
        json!({"superuser": false, "enabled": false}),
    ] {
        put(&admin, "alice", change).await.expect(
            400,
            &wire::invalid_request(host, "Cannot update a superuser"),
        );
    }
    // SUPER_USERS names are the configuration's to change.
    put(&alice_session, "admin", json!({"superuser": false}))
        .await
        .expect(
            400,
            &wire::invalid_request(
                host,
                "Cannot demote admin: it is a superuser through SUPER_USERS in the configuration",
            ),
        );

    // Another superuser demotes; a superuser demotes itself while others remain.
    let bob_session = Client::session(&berth, "bob", &bob.password).await;
    put(&bob_session, "alice", json!({"superuser": false}))
        .await
        .expect_status(200);
    assert!(!is_superuser(&admin, "alice").await);
    get(&alice_session, "bob").await.expect_status(403);
    put(&bob_session, "bob", json!({"superuser": false}))
        .await
        .expect_status(200);
    assert!(!is_superuser(&admin, "bob").await);
    let demoted = superuser_changes(&admin, "demote_superuser", "alice").await;
    assert_eq!(demoted.len(), 1, "{demoted:?}");
    assert_eq!(demoted[0]["metadata"]["superuser"], "bob");
    assert_eq!(
        superuser_changes(&admin, "demote_superuser", "bob")
            .await
            .len(),
        1
    );
    assert!(is_superuser(&admin, "admin").await);
}

/// Transcripts 24–29: names and schema.
async fn create_user_rejects_bad_names(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    create_user(&admin, "newuser").await;

    create(
        &admin,
        json!({"username": "newuser", "email": "other@example.com"}),
    )
    .await
    .expect(
        400,
        &wire::data_model("Username has already been taken by user cannot be reused: newuser"),
    );
    create(&admin, json!({"username": "Bad User!", "email": "bad@example.com"})).await.expect(
        400,
        &wire::data_model(
            "Invalid namespace Bad User!: Namespace must match expression ^([a-z0-9]+(?:[._-][a-z0-9]+)*)$",
        ),
    );
    create(&admin, json!({"username": "a", "email": "a@example.com"}))
        .await
        .expect(
            400,
            &wire::data_model(
                "Invalid namespace a: Namespace must be between 2 and 255 characters in length",
            ),
        );
    let too_long = "a".repeat(256);
    create(
        &admin,
        json!({"username": too_long, "email": "long@example.com"}),
    )
    .await
    .expect(
        400,
        &wire::data_model(&format!(
            "Invalid namespace {too_long}: Namespace must be between 2 and 255 characters in length"
        )),
    );
    // An organization's name is taken too.
    admin
        .post("/api/v1/organization/")
        .json(&json!({"name": "someorg", "email": "someorg@example.com"}))
        .send()
        .await
        .expect_status(201);
    create(&admin, json!({"username": "someorg"})).await.expect(
        400,
        &wire::data_model(
            "Username has already been taken by an organization and cannot be reused: someorg",
        ),
    );

    let resp = create(&admin, json!({"email": "x@example.com"})).await;
    assert_schema_error(&resp, &berth.addr, "'username' is a required property");
    let resp = create(&admin, json!({"username": "nulle", "email": null})).await;
    assert_schema_error(&resp, &berth.addr, "None is not of type 'string'");
    let resp = create(&admin, json!({"username": 42})).await;
    assert_schema_error(&resp, &berth.addr, "42 is not of type 'string'");

    // Nothing above created a user.
    let list = admin.get(USERS).send().await.json();
    let names = usernames(&list);
    assert_eq!(names, ["admin", "newuser"]);
}

/// Transcripts 30–34: bodies that are not a JSON object.
async fn create_user_rejects_bad_bodies(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let json_type = Some("application/json");
    let send = |content_type: Option<&'static str>, body: &'static str| {
        admin.post(USERS).body(content_type, body).send()
    };
    let undecodable = wire::restful_message(wire::UNDECODABLE);
    send(json_type, "{\"username\": \"broken\", ")
        .await
        .expect(400, &undecodable);
    send(json_type, "").await.expect(400, &undecodable);
    send(json_type, "null").await.expect(
        400,
        &wire::invalid_request(&berth.addr, "Missing JSON body"),
    );
    let body = "{\"username\": \"ctype\", \"email\": \"c@example.com\"}";
    let not_json = wire::restful_message(wire::NOT_JSON);
    send(Some("application/x-www-form-urlencoded"), body)
        .await
        .expect(415, &not_json);
    send(None, body).await.expect(415, &not_json);
    send(Some("text/plain"), body).await.expect(415, &not_json);
    // `application/*+json` is JSON too (§1.2).
    send(Some("application/merge-patch+json"), body)
        .await
        .expect_status(200);
}

/// Transcripts 42–46: delete answers 204, the user is gone, and the name stays reserved until
/// the namespace is purged (held back here so that the reserved state can be seen).
async fn delete_user(backend: Backend) {
    let berth = Berth::start_with(
        backend,
        Options {
            extra_yaml: "FEATURE_NAMESPACE_GARBAGE_COLLECTION: false\n".into(),
            ..Options::default()
        },
    )
    .await;
    let admin = admin(&berth).await;
    let user = create_user(&admin, "newuser").await;
    create_user(&admin, "other").await;

    let resp = delete(&admin, "newuser").await;
    resp.expect(204, "");
    get(&admin, "newuser")
        .await
        .expect(404, &wire::not_found(&berth.addr));
    delete(&admin, "newuser")
        .await
        .expect(404, &wire::not_found(&berth.addr));
    admin
        .put(&user_path("newuser"))
        .json(&json!({}))
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
    admin.get(USERS).send().await.expect(
        200,
        &wire::user_list(
            &[
                UserView::new("admin", "admin@example.com"),
                UserView::new("other", "other@example.com"),
            ],
            None,
        ),
    );
    create(
        &admin,
        json!({"username": "newuser", "email": "newuser@example.com"}),
    )
    .await
    .expect(400, &wire::data_model("Username is not available"));
    registry_token(&berth, "newuser", &user.password, None)
        .await
        .expect_status(401);

    // Without the trailing slash conventions getting in the way (decision 3).
    admin
        .delete("/api/v1/superuser/users/other/")
        .send()
        .await
        .expect(204, "");
    admin.get(USERS).send().await.expect(
        200,
        &wire::user_list(&[UserView::new("admin", "admin@example.com")], None),
    );
}

/// Decision 3: both spellings of the collection path serve GET and POST.
async fn trailing_slash_is_optional(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    admin
        .post("/api/v1/superuser/users")
        .json(&json!({"username": "noslash", "email": "noslash@example.com"}))
        .send()
        .await
        .expect_status(200);
    admin
        .post("/api/v1/superuser/users/")
        .json(&json!({"username": "slash", "email": "slash@example.com"}))
        .send()
        .await
        .expect_status(200);
    let with = admin.get("/api/v1/superuser/users/").send().await;
    let without = admin.get("/api/v1/superuser/users").send().await;
    with.expect_status(200);
    without.expect(200, &with.text());
    assert_eq!(with.json()["users"].as_array().map(Vec::len), Some(3));
}

backends!(
    create_user_answers_like_quay,
    list_users_shows_every_field,
    get_user_with_quota_views,
    get_user,
    list_users_pages,
    list_users_limit_errors,
    list_users_disabled_filter,
    update_user,
    disabled_user_cannot_log_in,
    superusers_are_protected,
    superusers_are_promoted_and_demoted,
    create_user_rejects_bad_names,
    create_user_rejects_bad_bodies,
    delete_user,
    trailing_slash_is_optional,
);
