//! `/api/v1/superuser/organizations/` and `takeownership` (superuser-api.md §5.7, §6, Berth's
//! decisions 1–3; docs §6.17.3), against transcripts 49–65.

use serde_json::{json, Value};

use crate::harness::fixtures::{admin, create_user};
use crate::harness::wire::{self, avatar};
use crate::harness::{backends, Backend, Berth, Client, Resp};

const ORGS: &str = "/api/v1/superuser/organizations/";

async fn create_org(client: &Client, name: &str, email: Option<&str>) {
    let body = match email {
        Some(email) => json!({"name": name, "email": email}),
        None => json!({"name": name}),
    };
    client
        .post("/api/v1/organization/")
        .json(&body)
        .send()
        .await
        .expect(201, "\"Created\"\n");
}

/// The three organizations of the docs' setup (transcripts 49–51).
async fn docs_setup(berth: &Berth) -> Client {
    let admin = admin(berth).await;
    create_org(&admin, "test", Some("test@example.com")).await;
    create_org(&admin, "fed_test", None).await;
    create_org(&admin, "tmporg", Some("tmporg@example.com")).await;
    admin
}

fn org_view(name: &str, email: &str) -> String {
    let (hash, color) = avatar(email);
    format!(
        "{{\"name\": \"{name}\", \"email\": \"{email}\", \"avatar\": {{\"name\": \"{name}\", \"hash\": \"{hash}\", \"color\": \"{color}\", \"kind\": \"org\"}}}}"
    )
}

async fn superuser_logs(admin: &Client) -> Vec<Value> {
    let resp = admin.get("/api/v1/superuser/logs").send().await;
    resp.expect_status(200);
    resp.json()["logs"].as_array().cloned().unwrap_or_default()
}

fn names(resp: &Resp) -> Vec<String> {
    resp.json()["organizations"]
        .as_array()
        .expect("organizations")
        .iter()
        .map(|o| o["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn list_filter_and_paging(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = docs_setup(&berth).await;

    // The docs' command, without -L and without the trailing slash (decisions 2 and 3).
    let resp = admin
        .get("/api/v1/superuser/organizations?name=test")
        .send()
        .await;
    resp.expect(
        200,
        &format!(
            "{{\"organizations\": [{}]}}\n",
            org_view("test", "test@example.com")
        ),
    );

    // fed_test has no e-mail: a UUID stands in, and the avatar hashes it.
    let all = admin.get(ORGS).send().await;
    all.expect_status(200);
    assert_eq!(names(&all), ["test", "fed_test", "tmporg"]);
    let fed = &all.json()["organizations"][1];
    let email = fed["email"].as_str().unwrap();
    assert!(uuid_like(email), "{email}");
    assert_eq!(fed["avatar"]["hash"], avatar(email).0);

    // limit=1: every organization exactly once, never an empty page.
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let path = match &next {
            Some(token) => format!("{ORGS}?limit=1&next_page={token}"),
            None => format!("{ORGS}?limit=1"),
        };
        let page = admin.get(&path).send().await;
        page.expect_status(200);
        let got = names(&page);
        assert_eq!(got.len(), 1, "{}", page.text());
        seen.extend(got);
        match page.json()["next_page"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["test", "fed_test", "tmporg"]);
    admin.get(&format!("{ORGS}?limit=101")).send().await.expect(
        400,
        &wire::invalid_request(&berth.addr, "Page limit cannot be above 100"),
    );
}

fn uuid_like(text: &str) -> bool {
    text.len() == 36 && text.chars().filter(|c| *c == '-').count() == 4
}

async fn update_with_docs_body(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = docs_setup(&berth).await;
    let body = json!({"email": "new-contact@test-org.com", "invoice_email": true, "invoice_email_address": "billing@test-org.com", "tag_expiration_s": 1209600});
    let resp = admin
        .put("/api/v1/superuser/organizations/test")
        .json(&body)
        .send()
        .await;
    // Berth's decision 1: the docs' fields are applied and the updated view is answered.
    resp.expect(
        200,
        &format!("{}\n", org_view("test", "new-contact@test-org.com")),
    );
    let listed = admin
        .get("/api/v1/superuser/organizations/?name=test")
        .send()
        .await;
    assert_eq!(
        listed.json()["organizations"][0]["email"],
        "new-contact@test-org.com"
    );

    let kinds: Vec<Value> = superuser_logs(&admin)
        .await
        .into_iter()
        .map(|e| e["kind"].clone())
        .collect();
    assert!(kinds.contains(&json!("org_change_email")), "{kinds:?}");
    assert!(kinds.contains(&json!("org_change_invoicing")), "{kinds:?}");
    let change = superuser_logs(&admin)
        .await
        .into_iter()
        .find(|e| e["kind"] == "org_change_email")
        .unwrap();
    assert_eq!(change["metadata"]["old_email"], "test@example.com");
    assert_eq!(change["metadata"]["email"], "new-contact@test-org.com");
    assert_eq!(change["namespace"]["name"], "test");
    assert_eq!(change["namespace"]["kind"], "org");

    // Wrong types are refused by the schema before anything changes.
    let bad = admin
        .put("/api/v1/superuser/organizations/test")
        .json(&json!({"tag_expiration_s": "soon"}))
        .send()
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert_eq!(bad.json()["detail"], "'soon' is not of type 'integer'");
}

async fn rename_and_errors(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = docs_setup(&berth).await;
    let resp = admin
        .put("/api/v1/superuser/organizations/tmporg")
        .json(&json!({"name": "tmporg2"}))
        .send()
        .await;
    resp.expect(
        200,
        &format!("{}\n", org_view("tmporg2", "tmporg@example.com")),
    );
    let rename = superuser_logs(&admin)
        .await
        .into_iter()
        .find(|e| e["kind"] == "org_change_name")
        .unwrap();
    assert_eq!(rename["metadata"]["old_name"], "tmporg");
    assert_eq!(rename["metadata"]["new_name"], "tmporg2");
    assert_eq!(rename["metadata"]["superuser"], "admin");

    // Quay answers 500 for these two; Berth answers 400 and 404 (decision 8).
    admin
        .put("/api/v1/superuser/organizations/tmporg2")
        .json(&json!({"name": "fed_test"}))
        .send()
        .await
        .expect(
            400,
            &wire::data_model("A user or organization with this name already exists"),
        );
    admin
        .put("/api/v1/superuser/organizations/tmporg2")
        .json(&json!({"name": "Bad Name"}))
        .send()
        .await
        .expect(400, "{\"message\":\"Invalid username Bad Name: Namespace must match expression ^([a-z0-9]+(?:[._-][a-z0-9]+)*)$\"}\n");
    admin
        .put("/api/v1/superuser/organizations/nosuchorg")
        .json(&json!({}))
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
    // A failed rename changed nothing.
    let all = admin.get(ORGS).send().await;
    assert_eq!(names(&all), ["test", "fed_test", "tmporg2"]);
}

async fn delete_frees_the_name(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = docs_setup(&berth).await;
    let user = create_user(&admin, "newuser").await;
    let resp = admin
        .delete("/api/v1/superuser/organizations/tmporg")
        .send()
        .await;
    resp.expect(204, "");
    let deletes: Vec<Value> = superuser_logs(&admin)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "org_delete")
        .collect();
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0]["metadata"]["namespace"], "tmporg");
    assert_eq!(names(&admin.get(ORGS).send().await), ["test", "fed_test"]);

    // Unknown names and users answer 404 and write nothing.
    let before = superuser_logs(&admin).await.len();
    for name in ["nosuchorg", user.username.as_str()] {
        admin
            .delete(&format!("/api/v1/superuser/organizations/{name}"))
            .send()
            .await
            .expect(404, &wire::not_found(&berth.addr));
    }
    assert_eq!(superuser_logs(&admin).await.len(), before);

    // The organization's name is free again at once.
    create_org(&admin, "tmporg", Some("again@example.com")).await;
    assert_eq!(
        names(&admin.get(ORGS).send().await),
        ["test", "fed_test", "tmporg"]
    );
}

async fn take_ownership(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let reader = create_user(&admin, "reader").await;
    let other = create_user(&admin, "other").await;
    let other_session = Client::session(&berth, &other.username, &other.password).await;
    create_org(&other_session, "otherorg", Some("otherorg@example.com")).await;

    let own = |ns: &str| format!("/api/v1/superuser/takeownership/{ns}");
    admin.post(&own("admin")).send().await.expect(
        400,
        &wire::invalid_request(&berth.addr, "Cannot take ownership of a superuser"),
    );
    admin
        .post(&own("nosuchnamespace"))
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
    let reader_session = Client::session(&berth, &reader.username, &reader.password).await;
    reader_session
        .post(&own("otherorg"))
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));

    // An organization: the superuser joins its owners and may then administer it.
    admin
        .post(&own("otherorg"))
        .send()
        .await
        .expect(200, "{\"namespace\":\"otherorg\"}\n");
    admin
        .get("/api/v1/organization/otherorg/logs")
        .send()
        .await
        .expect_status(200);

    // A user: it becomes an organization owned by the superuser and can no longer log in.
    admin
        .post(&own("reader"))
        .send()
        .await
        .expect(200, "{\"namespace\":\"reader\"}\n");
    let listed = admin
        .get("/api/v1/superuser/organizations/?name=reader")
        .send()
        .await;
    assert_eq!(names(&listed), ["reader"]);
    let login = Client::anon(&berth)
        .post("/api/v1/signin")
        .json(&json!({"username": "reader", "password": reader.password}))
        .send()
        .await;
    assert_ne!(login.status, 200);
    let entry = superuser_logs(&admin)
        .await
        .into_iter()
        .find(|e| e["kind"] == "take_ownership")
        .unwrap();
    assert_eq!(entry["metadata"]["namespace"], "reader");
    assert_eq!(entry["metadata"]["was_user"], true);
    assert_eq!(entry["namespace"]["name"], "admin");
}

backends!(
    list_filter_and_paging,
    update_with_docs_body,
    rename_and_errors,
    delete_frees_the_name,
    take_ownership
);
