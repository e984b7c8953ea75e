//! Usage logs: written by every action, read through the superuser, organization, user and
//! repository readers (superuser-api.md §7, core-api.md §3.9, §4; docs §6.17.4).

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::harness::fixtures::{
    admin, create_user, oci_manifest, Registry, ADMIN_PASSWORD, OCI_MANIFEST,
};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client};

fn today() -> String {
    chrono::Utc::now().format("%m/%d/%Y").to_string()
}

fn kinds(logs: &[Value]) -> Vec<String> {
    logs.iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Every page of a reader, following `next_page`; asserts no page is empty.
async fn all_pages(client: &Client, path: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut entries = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let url = match &next {
            Some(token) => format!("{path}{sep}next_page={token}"),
            None => path.to_owned(),
        };
        let page = client.get(&url).send().await;
        page.expect_status(200);
        let body = page.json();
        let logs = body["logs"].as_array().cloned().unwrap_or_default();
        assert!(
            next.is_none() || !logs.is_empty(),
            "a next_page led to an empty page"
        );
        assert!(logs.len() <= 20, "pages hold 20 entries");
        entries.extend(logs);
        match body["next_page"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => return entries,
        }
    }
}

/// A one-layer image pushed as `repo:tag` by `user` over the raw protocol.
async fn push_image(berth: &Berth, user: &str, password: &str, repo: &str, tag: &str) {
    let registry = Registry::login(berth, user, password, repo).await;
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let layer = b"layer bytes";
    let config_digest = registry.upload_blob(config).await;
    let layer_digest = registry.upload_blob(layer).await;
    let manifest = oci_manifest(
        (&config_digest, config.len()),
        &[(&layer_digest, layer.len())],
    );
    registry
        .put_manifest(tag, &manifest)
        .await
        .expect_status(201);
    let pulled = registry.get_manifest(tag).await;
    pulled.expect_status(200);
}

async fn docs_command_and_entry_fields(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    create_user(&admin, "newuser").await;
    admin
        .put("/api/v1/superuser/users/newuser")
        .json(&json!({"email": "newuser2@example.com"}))
        .send()
        .await
        .expect_status(200);
    admin
        .delete("/api/v1/superuser/users/newuser")
        .send()
        .await
        .expect(204, "");

    let day = today();
    let resp = admin
        .get(&format!(
            "/api/v1/superuser/logs?starttime={day}&endtime={day}&page=1"
        ))
        .send()
        .await;
    resp.expect_status(200);
    let body = resp.json();
    let midnight = chrono::Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let rfc =
        |t: chrono::DateTime<chrono::Utc>| t.format("%a, %d %b %Y %H:%M:%S -0000").to_string();
    assert_eq!(body["start_time"], rfc(midnight));
    assert_eq!(body["end_time"], rfc(midnight + chrono::Duration::days(1)));
    let logs = body["logs"].as_array().unwrap();
    assert_eq!(
        kinds(logs),
        ["user_delete", "user_change_email", "user_create"]
    );

    let create = &logs[2];
    assert_eq!(
        create["metadata"],
        json!({"email": "newuser@example.com", "username": "newuser", "superuser": "admin",
               "oauth_token_id": 1, "oauth_token_application_id": "admin", "oauth_token_application": "automation"})
    );
    assert_eq!(create["ip"], "127.0.0.1");
    let datetime = create["datetime"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc2822(datetime).is_ok() && datetime.ends_with(" -0000"),
        "{datetime}"
    );
    let (hash, color) = wire::avatar("admin@example.com");
    assert_eq!(
        create["performer"],
        json!({"kind": "user", "name": "admin", "is_robot": false,
               "avatar": {"name": "admin", "hash": hash, "color": color, "kind": "user"}})
    );
    // The deleted user's namespace now carries its placeholder name, as in Quay.
    assert_eq!(create["namespace"]["kind"], "user");
    let change = &logs[1];
    assert_eq!(change["metadata"]["old_email"], "newuser@example.com");
    assert_eq!(change["metadata"]["email"], "newuser2@example.com");
    assert_eq!(logs[0]["metadata"]["username"], "newuser");

    // Key order on the wire is the order of the view.
    let text = resp.text();
    assert!(text.starts_with("{\"start_time\": "), "{text}");
    assert!(text.contains("{\"kind\": \"user_delete\", \"metadata\": {\"username\": \"newuser\", \"oauth_token_id\": 1"), "{text}");
}

async fn scripted_actions_on_every_reader(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    let dev_session = Client::session(&berth, "dev", &dev.password).await;
    dev_session
        .post("/api/v1/organization/")
        .json(&json!({"name": "acme", "email": "acme@example.com"}))
        .send()
        .await
        .expect(201, "\"Created\"\n");
    push_image(&berth, "admin", ADMIN_PASSWORD, "admin/app", "1").await;
    push_image(&berth, "dev", &dev.password, "dev/tool", "v1").await;

    // The instance-wide view, newest first.
    let everything = kinds(&all_pages(&admin, "/api/v1/superuser/logs").await);
    let expected_tail = [
        "push_repo",
        "pull_repo",
        "push_repo",
        "org_create",
        "login_success",
        "user_create",
    ];
    let relevant: Vec<&str> = everything
        .iter()
        .map(String::as_str)
        .filter(|k| expected_tail.contains(k) || k.starts_with("pull"))
        .collect();
    assert_eq!(
        relevant,
        [
            "pull_repo",
            "push_repo",
            "pull_repo",
            "push_repo",
            "org_create",
            "login_success",
            "user_create"
        ]
    );

    // The organization's reader sees its creation only.
    let org = all_pages(&dev_session, "/api/v1/organization/acme/logs").await;
    assert_eq!(kinds(&org), ["org_create"]);
    assert_eq!(
        org[0]["metadata"],
        json!({"email": "acme@example.com", "namespace": "acme"})
    );
    assert!(
        org[0].get("namespace").is_none(),
        "namespace is shown on the superuser listing only"
    );

    // dev's own log: its sign-in, its pushes and pulls, its creation by the superuser.
    let dev_token_reader = dev_session.clone();
    let own = kinds(&all_pages(&dev_token_reader, "/api/v1/user/logs").await);
    assert_eq!(
        own,
        ["pull_repo", "push_repo", "login_success", "user_create"]
    );

    // The repository's reader: the push with its tag and media type, then the pull.
    let repo = all_pages(&admin, "/api/v1/repository/admin/app/logs").await;
    assert_eq!(kinds(&repo), ["pull_repo", "push_repo"]);
    assert_eq!(repo[1]["metadata"]["tag"], "1");
    assert_eq!(repo[1]["metadata"]["mediaType"], OCI_MANIFEST);
    assert_eq!(repo[1]["metadata"]["namespace"], "admin");
    assert_eq!(repo[1]["metadata"]["repo"], "app");

    // Aggregates count the same entries per kind and day.
    let aggregated = admin
        .get("/api/v1/repository/admin/app/aggregatelogs")
        .send()
        .await;
    aggregated.expect_status(200);
    let counts: Vec<(String, i64)> = aggregated.json()["aggregated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap().to_owned(),
                a["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [("pull_repo".to_owned(), 1), ("push_repo".to_owned(), 1)]
    );

    // Readers see only what their role allows.
    dev_session
        .get("/api/v1/repository/admin/app/logs")
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    admin
        .get("/api/v1/organization/acme/logs")
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    Client::anon(&berth)
        .get("/api/v1/user/logs")
        .send()
        .await
        .expect(401, &wire::requires_auth(&berth.addr));
    dev_session
        .get("/api/v1/superuser/logs")
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    let auditor = create_user(&admin, "auditor").await;
    let auditor_session = Client::session(&berth, "auditor", &auditor.password).await;
    auditor_session
        .get("/api/v1/superuser/logs")
        .send()
        .await
        .expect_status(200);
    auditor_session
        .get("/api/v1/organization/acme/logs")
        .send()
        .await
        .expect_status(200);
}

async fn paging_a_thousand_entries(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    create_user(&admin, "busy").await;
    for i in 0..1000 {
        admin
            .put("/api/v1/superuser/users/busy")
            .json(&json!({"email": format!("busy{i}@example.com")}))
            .send()
            .await
            .expect_status(200);
    }
    let entries = all_pages(&admin, "/api/v1/superuser/logs").await;
    let changes: Vec<&Value> = entries
        .iter()
        .filter(|e| e["kind"] == "user_change_email")
        .collect();
    assert_eq!(changes.len(), 1000);
    let distinct: HashSet<&str> = changes
        .iter()
        .map(|e| e["metadata"]["email"].as_str().unwrap())
        .collect();
    assert_eq!(distinct.len(), 1000, "every entry exactly once");
    // Newest first: the last change comes first.
    assert_eq!(changes[0]["metadata"]["email"], "busy999@example.com");
    assert_eq!(changes[999]["metadata"]["email"], "busy0@example.com");

    // A forged or foreign token reads as the first page, as in Quay.
    let first = admin.get("/api/v1/superuser/logs").send().await.json();
    let forged = admin
        .get("/api/v1/superuser/logs?next_page=garbage")
        .send()
        .await;
    forged.expect_status(200);
    assert_eq!(forged.json()["logs"], first["logs"]);
}

async fn dates_and_ranges(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    create_user(&admin, "someone").await;
    let get = |path: &str| admin.get(path);

    get("/api/v1/superuser/logs?page=abc").send().await.expect(
        400,
        "{\"message\": {\"page\": \"The page number for the logs\"}}\n",
    );
    // Berth's decision 6: a date that is neither MM/DD/YYYY nor ISO-8601 is an error.
    let bad = get("/api/v1/superuser/logs?starttime=not-a-date")
        .send()
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text());
    // ISO dates work like Quay's.
    let iso = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let by_iso = get(&format!(
        "/api/v1/superuser/logs?starttime={iso}&endtime={iso}"
    ))
    .send()
    .await;
    assert_eq!(
        kinds(by_iso.json()["logs"].as_array().unwrap()),
        ["user_create"]
    );
    // A reversed window: empty for the superuser (Quay), refused for namespace readers.
    let reversed = get("/api/v1/superuser/logs?starttime=11/27/2026&endtime=11/26/2026")
        .send()
        .await;
    reversed.expect(
        200,
        "{\"start_time\": \"Fri, 27 Nov 2026 00:00:00 -0000\", \"end_time\": \"Fri, 27 Nov 2026 00:00:00 -0000\", \"logs\": []}\n",
    );
    get("/api/v1/user/logs?starttime=02/02/2020&endtime=01/01/2020")
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&berth.addr, "Invalid date range for logs"),
        );
    // Quay answers 500 for aggregates over 31 days; Berth 400 (decision 8).
    get("/api/v1/superuser/aggregatelogs?starttime=01/01/2025&endtime=03/01/2025")
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&berth.addr, "Invalid date range for logs"),
        );
    let aggregated = get("/api/v1/superuser/aggregatelogs").send().await;
    assert_eq!(aggregated.json()["aggregated"][0]["kind"], "user_create");
    assert_eq!(aggregated.json()["aggregated"][0]["count"], 1);
}

async fn export_downloads_the_whole_range(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let owner = create_user(&admin, "owner").await;
    let session = Client::session(&berth, "owner", &owner.password).await;
    session
        .post("/api/v1/organization/")
        .json(&json!({"name": "exported", "email": "exported@example.com"}))
        .send()
        .await
        .expect_status(201);
    for i in 0..45 {
        admin
            .put("/api/v1/superuser/organizations/exported")
            .json(&json!({"email": format!("e{i}@example.com")}))
            .send()
            .await
            .expect_status(200);
    }
    let resp = session
        .post("/api/v1/organization/exported/exportlogs")
        .json(&json!({}))
        .send()
        .await;
    resp.expect_status(200);
    let url = resp.json()["exported_data_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let file: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    let logs = file["logs"].as_array().unwrap();
    assert_eq!(
        logs.len(),
        46,
        "the creation and 45 changes, and not the export request itself"
    );
    assert_eq!(logs[0]["metadata"]["email"], "e44@example.com");
    assert_eq!(logs[45]["kind"], "org_create");
    // The request is logged, and unknown exports are 404.
    let own = kinds(&all_pages(&session, "/api/v1/organization/exported/logs").await);
    assert_eq!(own[0], "export_logs_success");
    let missing = Client::anon(&berth)
        .get("/exportedlogs/00000000-0000-0000-0000-000000000000")
        .send()
        .await;
    assert_eq!(missing.status, 404);
}

async fn failed_logins_are_logged(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    create_user(&admin, "victim").await;
    // A wrong password at the web sign-in and at the registry's token endpoint.
    let csrf = Client::anon(&berth).get("/csrf_token").send().await;
    let cookie = csrf
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = csrf.json()["csrf_token"].as_str().unwrap().to_owned();
    let signin = Client::anon(&berth)
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", &token)
        .post("/api/v1/signin")
        .json(&json!({"username": "victim", "password": "wrong-password"}))
        .send()
        .await;
    assert_eq!(signin.status, 403);
    assert_eq!(signin.json()["invalidCredentials"], true);
    // One failure backs the account off for half a second (Quay's back-off).
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let token = Client::basic(&berth, "victim", "wrong-password")
        .get("/v2/auth?service=x")
        .send()
        .await;
    assert_eq!(token.status, 401);
    let logs = all_pages(&admin, "/api/v1/superuser/logs").await;
    let failures: Vec<&Value> = logs
        .iter()
        .filter(|e| e["kind"] == "login_failure")
        .collect();
    assert_eq!(failures.len(), 2, "{logs:?}");
    assert_eq!(failures[0]["metadata"]["type"], "v2auth");
    assert_eq!(failures[1]["metadata"]["type"], "quayauth");
    for failure in failures {
        assert_eq!(failure["metadata"]["username"], "victim");
        assert_eq!(failure["metadata"]["kind"], "user");
        assert_eq!(
            failure["metadata"]["message"],
            "Invalid Username or Password"
        );
        assert_eq!(failure["namespace"]["name"], "victim");
        assert!(failure.get("performer").is_none());
    }
}

/// Pull logs are written in batches after the pulls are answered: every pull still shows up,
/// also when its repository is deleted while its entry waits.
async fn every_pull_is_logged(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    push_image(&berth, "admin", ADMIN_PASSWORD, "admin/app", "1").await;
    let registry = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/app").await;
    let pulls = (0..40).map(|_| registry.get_manifest("1"));
    for pulled in futures::future::join_all(pulls).await {
        pulled.expect_status(200);
    }
    admin
        .delete("/api/v1/repository/admin/app")
        .send()
        .await
        .expect_status(204);
    let entries = all_pages(&admin, "/api/v1/superuser/logs").await;
    let pulls: Vec<&Value> = entries
        .iter()
        .filter(|e| e["kind"] == "pull_repo")
        .collect();
    assert_eq!(
        pulls.len(),
        41,
        "one entry per pull, the fixture's own included"
    );
    for entry in pulls {
        assert_eq!(entry["metadata"]["username"], "admin");
        assert_eq!(entry["metadata"]["repo"], "app");
        assert_eq!(entry["performer"]["name"], "admin");
    }
    assert_eq!(kinds(&entries)[0], "delete_repo");
}

backends!(
    failed_logins_are_logged,
    docs_command_and_entry_fields,
    scripted_actions_on_every_reader,
    paging_a_thousand_entries,
    dates_and_ranges,
    export_downloads_the_whole_range,
    every_pull_is_logged
);
