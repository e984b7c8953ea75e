//! `/api/v1/repository` (core-api.md §3.3): create, read, list, change and delete repositories,
//! with each caller's rights.

use serde_json::json;

use crate::harness::fixtures::{admin, create_user, mint_token, Registry, ADMIN_PASSWORD};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client};

async fn create(client: &Client, body: serde_json::Value) -> crate::harness::Resp {
    client.post("/api/v1/repository").json(&body).send().await
}

async fn lifecycle(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    create(
        &admin,
        json!({"repository": "web", "visibility": "private", "description": "the site"}),
    )
    .await
    .expect(
        201,
        "{\"namespace\": \"admin\", \"name\": \"web\", \"kind\": \"image\"}\n",
    );
    create(
        &admin,
        json!({"repository": "web", "visibility": "private", "description": ""}),
    )
    .await
    .expect(400, &wire::data_model("Repository already exists"));
    let bad = create(
        &admin,
        json!({"repository": "web", "visibility": "secret", "description": ""}),
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.text());

    let repo = admin.get("/api/v1/repository/admin/web").send().await;
    repo.expect_status(200);
    let body = repo.json();
    assert_eq!(body["description"], "the site");
    assert_eq!(body["is_public"], false);
    assert_eq!(body["state"], "NORMAL");
    assert_eq!(body["tags"], json!({}));
    assert_eq!(
        (body["can_write"].clone(), body["can_admin"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(body["tag_expiration_s"], 1_209_600);

    admin
        .put("/api/v1/repository/admin/web")
        .json(&json!({"description": "new"}))
        .send()
        .await
        .expect(200, "{\"success\": true}\n");
    admin
        .post("/api/v1/repository/admin/web/changevisibility")
        .json(&json!({"visibility": "public"}))
        .send()
        .await
        .expect(200, "{\"success\": true}\n");

    // Anonymous callers see a public repository, and list it among public ones.
    let anon = Client::anon(&berth);
    let public = anon.get("/api/v1/repository/admin/web").send().await;
    public.expect_status(200);
    assert_eq!(public.json()["description"], "new");
    assert_eq!(public.json()["can_write"], false);
    let listed = anon.get("/api/v1/repository?public=true").send().await;
    assert_eq!(listed.json()["repositories"][0]["name"], "web");
    anon.get("/api/v1/repository").send().await.expect(
        400,
        &wire::invalid_request(
            &berth.addr,
            "Either the namespace, public or starred filter must be specified",
        ),
    );

    // Stars.
    admin
        .post("/api/v1/user/starred")
        .json(&json!({"namespace": "admin", "repository": "web"}))
        .send()
        .await
        .expect_status(201);
    let starred = admin.get("/api/v1/repository?starred=true").send().await;
    assert_eq!(starred.json()["repositories"][0]["is_starred"], true);
    admin
        .delete("/api/v1/user/starred/admin/web")
        .send()
        .await
        .expect(204, "");

    // The log of the repository holds each change.
    let logs = admin
        .get("/api/v1/repository/admin/web/logs")
        .send()
        .await
        .json();
    let kinds: Vec<&str> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "change_repo_visibility",
            "set_repo_description",
            "create_repo"
        ]
    );

    // Delete: the name is free at once and the repository is gone.
    admin
        .delete("/api/v1/repository/admin/web")
        .send()
        .await
        .expect(204, "");
    admin
        .get("/api/v1/repository/admin/web")
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
    create(
        &admin,
        json!({"repository": "web", "visibility": "public", "description": ""}),
    )
    .await
    .expect_status(201);
}

async fn rights_of_each_caller(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let alice = create_user(&admin, "alice").await;
    let bob = create_user(&admin, "bob").await;
    let alice_session = Client::session(&berth, "alice", &alice.password).await;
    let bob_session = Client::session(&berth, "bob", &bob.password).await;
    create(
        &alice_session,
        json!({"repository": "secret", "visibility": "private", "description": ""}),
    )
    .await
    .expect_status(201);
    let path = "/api/v1/repository/alice/secret";

    // Outsiders cannot tell a private repository from a missing one.
    Client::anon(&berth)
        .get(path)
        .send()
        .await
        .expect(401, &wire::requires_auth(&berth.addr));
    bob_session
        .get(path)
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    bob_session
        .get("/api/v1/repository/alice/nothing")
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    // The namespace owner learns that a repository does not exist.
    alice_session
        .get("/api/v1/repository/alice/nothing")
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
    // Creating in someone else's namespace is refused.
    create(
        &bob_session,
        json!({"repository": "x", "visibility": "public", "description": "", "namespace": "alice"}),
    )
    .await
    .expect(403, &wire::insufficient_scope(&berth.addr));
    // A repo:read token reads but cannot write or create.
    let reader = mint_token(&alice_session, "aliceorg", "repo:read").await;
    let reader = Client::with_token(&berth, &reader);
    reader.get(path).send().await.expect_status(200);
    reader
        .put(path)
        .json(&json!({"description": "x"}))
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    create(
        &reader,
        json!({"repository": "y", "visibility": "public", "description": ""}),
    )
    .await
    .expect(403, &wire::insufficient_scope(&berth.addr));
    // The superuser without FULL_ACCESS has no rights on alice's repository.
    admin
        .delete(path)
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    // The global read-only superuser reads everything.
    let auditor = create_user(&admin, "auditor").await;
    let auditor = Client::session(&berth, "auditor", &auditor.password).await;
    auditor.get(path).send().await.expect_status(200);

    // A repository created through the API is pushed to and pulled from by its creator.
    let registry = Registry::login(&berth, "alice", &alice.password, "alice/secret").await;
    let digest = registry.upload_blob(b"content").await;
    registry.head_blob(&digest).await.expect_status(200);
}

const STARRED: &str = "/api/v1/user/starred";

async fn star(client: &Client, namespace: &str, repository: &str) {
    client
        .post(STARRED)
        .json(&json!({"namespace": namespace, "repository": repository}))
        .send()
        .await
        .expect_status(201);
}

/// The `name`s of a page of `GET /api/v1/user/starred` and its `next_page`.
async fn starred_page(client: &Client, next_page: Option<&str>) -> (Vec<String>, Option<String>) {
    let path = match next_page {
        Some(token) => format!("{STARRED}?next_page={token}"),
        None => STARRED.to_owned(),
    };
    let resp = client.get(&path).send().await;
    resp.expect_status(200);
    let body = resp.json();
    let names = body["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    (names, body["next_page"].as_str().map(str::to_owned))
}

/// `GET /api/v1/user/starred` (user:admin): the caller's stars, a hundred a page, also those
/// it may no longer read (as in Quay); deleted repositories drop out.
async fn starred_repositories(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let alice = create_user(&admin, "alice").await;
    let bob = create_user(&admin, "bob").await;
    let alice = Client::session(&berth, "alice", &alice.password).await;
    let bob = Client::session(&berth, "bob", &bob.password).await;
    alice
        .get(STARRED)
        .send()
        .await
        .expect(200, "{\"repositories\": []}\n");

    // Bob's public repository, starred by alice, then made private: still listed.
    create(
        &bob,
        json!({"repository": "shared", "visibility": "public", "description": "bob's"}),
    )
    .await
    .expect_status(201);
    star(&alice, "bob", "shared").await;
    bob.post("/api/v1/repository/bob/shared/changevisibility")
        .json(&json!({"visibility": "private"}))
        .send()
        .await
        .expect_status(200);
    alice.get(STARRED).send().await.expect(
        200,
        "{\"repositories\": [{\"namespace\": \"bob\", \"name\": \"shared\", \
         \"description\": \"bob's\", \"is_public\": false}]}\n",
    );

    // A hundred more make two pages.
    for n in 0..100 {
        let name = format!("r{n:03}");
        create(
            &alice,
            json!({"repository": name, "visibility": "private", "description": ""}),
        )
        .await
        .expect_status(201);
        star(&alice, "alice", &name).await;
    }
    let (first, next) = starred_page(&alice, None).await;
    assert_eq!(
        (first.len(), first[0].as_str(), first[99].as_str()),
        (100, "shared", "r098")
    );
    let (second, last) = starred_page(&alice, next.as_deref()).await;
    assert_eq!((second, last), (vec!["r099".to_owned()], None));
    alice
        .delete("/api/v1/repository/alice/r099")
        .send()
        .await
        .expect(204, "");
    let (first, next) = starred_page(&alice, None).await;
    assert_eq!((first.len(), next), (100, None));

    // Only the user itself, with user:admin; others have their own stars.
    let host = &berth.addr;
    Client::anon(&berth)
        .get(STARRED)
        .send()
        .await
        .expect(401, &wire::requires_auth(host));
    let reader = Client::with_token(&berth, &mint_token(&alice, "aliceorg", "repo:read").await);
    reader
        .get(STARRED)
        .send()
        .await
        .expect(403, &wire::insufficient_scope(host));
    let manager = Client::with_token(&berth, &mint_token(&alice, "aliceorg2", "user:admin").await);
    assert_eq!(starred_page(&manager, None).await.0.len(), 100);
    assert_eq!(starred_page(&bob, None).await, (Vec::new(), None));
}

/// `popularity` counts the repository's usage-log entries of the last week (Quay's action
/// counts), as a float; older entries and other repositories' do not count.
async fn popularity_counts_recent_actions(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let busy = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/busy").await;
    assert_eq!(busy.try_push().await, 201);
    for _ in 0..3 {
        busy.get_manifest("v1").await.expect_status(200);
    }
    let quiet = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/quiet").await;
    assert_eq!(quiet.try_push().await, 201);
    // Reading the logs writes the queued pull entries first.
    let logged = admin.get("/api/v1/repository/admin/busy/logs").send().await;
    let busy_entries = logged.json()["logs"].as_array().unwrap().len();
    assert!(busy_entries >= 4, "{busy_entries} entries");
    let eight_days_ago = (now_ms() - 8 * 24 * 3600 * 1000).to_string();
    berth
        .backend()
        .execute(
            "INSERT INTO log_entries (kind, repository_id, metadata, datetime_ms) \
             SELECT 'pull_repo', id, '{}', CAST($1 AS BIGINT) FROM repositories WHERE name = 'busy'",
            &[&eight_days_ago],
        )
        .await;

    let listed = admin
        .get("/api/v1/repository?namespace=admin&popularity=true")
        .send()
        .await;
    listed.expect_status(200);
    let text = listed.text();
    let listed = listed.json();
    let popularity = |name: &str| {
        listed["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .map(|r| r["popularity"].clone())
            .unwrap()
    };
    assert_eq!(popularity("busy"), json!(busy_entries as f64));
    assert!(popularity("quiet").as_f64().unwrap() < busy_entries as f64);
    assert!(
        text.contains(&format!("\"popularity\": {busy_entries}.0")),
        "{text}"
    );
    let without = admin.get("/api/v1/repository?namespace=admin").send().await;
    assert!(without.json()["repositories"][0]
        .get("popularity")
        .is_none());
}

fn now_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    since_epoch.as_millis() as i64
}

backends!(
    lifecycle,
    rights_of_each_caller,
    starred_repositories,
    popularity_counts_recent_actions
);
