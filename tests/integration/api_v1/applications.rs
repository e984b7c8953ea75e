//! OAuth applications of an organization (core-api.md §1.7): their views for admins and
//! others, changes and their logs, deletion with everything issued through them, the public
//! view of `/api/v1/app/{client_id}`, bad bodies, and each caller's rights (§1.3, §1.4).

use serde_json::{json, Value};

use super::permissions::{assert_logged, log_entries, Callers};
use crate::harness::fixtures::{
    admin, create_org, create_user, initialize_admin, request_token, user_session,
};
use crate::harness::wire::{self, avatar};
use crate::harness::{backends, Backend, Berth, Client, Options, Resp};

const APPS: &str = "/api/v1/organization/acme/applications";
const LOGS: &str = "/api/v1/organization/acme/logs";
const CALLBACK: &str = "http://ci.example.com/cb";
const RESERVED: &str = "Application name is reserved for bootstrap token provisioning";

/// `POST .../applications` with `body` as `client`.
async fn create_app(client: &Client, body: Value) -> Resp {
    client.post(APPS).json(&body).send().await
}

/// Creates an application in `acme` and returns its admin view.
async fn created_app(owner: &Client, body: Value) -> Value {
    let created = create_app(owner, body).await;
    created.expect_status(200);
    created.json()
}

fn app_path(client_id: &str) -> String {
    format!("{APPS}/{client_id}")
}

fn text<'a>(view: &'a Value, field: &str) -> &'a str {
    view[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {view}"))
}

/// An avatar object, its hash drawn from `source`.
fn avatar_value(name: &str, source: &str, kind: &str) -> Value {
    let (hash, color) = avatar(source);
    json!({"name": name, "hash": hash, "color": color, "kind": kind})
}

/// The view of an application as someone who does not administer its organization sees it.
fn without_secrets(view: &Value) -> Value {
    let mut view = view.clone();
    for field in ["client_secret", "redirect_uri", "avatar_email"] {
        view[field] = Value::Null;
    }
    view
}

/// Created, listed, read, changed, given a new secret and deleted by an organization admin,
/// each change logged with Quay's metadata.
async fn application_lifecycle(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    create_org(&owner, "acme").await;
    let host = berth.addr.clone();
    owner
        .get(APPS)
        .send()
        .await
        .expect(200, "{\"applications\": []}\n");

    // Creation answers the admin view, fields in Quay's order (transcript 157).
    let minimal = create_app(&owner, json!({"name": "cli"})).await;
    minimal.expect_status(200);
    let cli = minimal.json();
    let client_id = text(&cli, "client_id").to_owned();
    let secret = text(&cli, "client_secret").to_owned();
    assert_eq!(
        minimal.text(),
        format!(
            "{{\"name\": \"cli\", \"description\": \"\", \"application_uri\": \"\", \
             \"client_id\": \"{client_id}\", \"client_secret\": \"{secret}\", \
             \"redirect_uri\": \"\", \"avatar_email\": null}}\n"
        )
    );
    for (value, len) in [(&client_id, 20), (&secret, 40)] {
        assert_eq!(value.len(), len, "{value}");
        assert!(value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    }
    let full_body = json!({
        "name": "deploy", "redirect_uri": CALLBACK, "application_uri": "http://ci.example.com",
        "description": "deploys", "avatar_email": "deploy@example.com",
    });
    let deploy = created_app(&owner, full_body.clone()).await;
    let deploy_id = text(&deploy, "client_id").to_owned();
    assert_eq!(deploy["description"], "deploys");
    assert_eq!(deploy["redirect_uri"], CALLBACK);
    assert_eq!(deploy["avatar_email"], "deploy@example.com");

    // Listed oldest first, and read one by one.
    let listed = owner.get(APPS).send().await;
    listed.expect_status(200);
    assert_eq!(listed.json(), json!({"applications": [cli, deploy]}));
    let one = owner.get(&app_path(&deploy_id)).send().await;
    one.expect_status(200);
    assert_eq!(one.json(), deploy);

    // A change replaces every setting: left out, the description and avatar e-mail go.
    let change = json!({"name": "deployer", "redirect_uri": "http://ci.example.com/other", "application_uri": ""});
    let changed = owner.put(&app_path(&deploy_id)).json(&change).send().await;
    changed.expect_status(200);
    let changed = changed.json();
    assert_eq!(
        changed,
        json!({
            "name": "deployer", "description": "", "application_uri": "",
            "client_id": deploy_id, "client_secret": deploy["client_secret"],
            "redirect_uri": "http://ci.example.com/other", "avatar_email": null,
        })
    );
    assert_eq!(
        owner.get(&app_path(&deploy_id)).send().await.json(),
        changed
    );

    // A new secret; everything else stays.
    let reset_path = format!("{}/resetclientsecret", app_path(&deploy_id));
    let reset = owner.post(&reset_path).send().await;
    reset.expect_status(200);
    let reset = reset.json();
    assert_ne!(reset["client_secret"], changed["client_secret"]);
    assert_eq!(text(&reset, "client_secret").len(), 40);
    let mut expected = changed.clone();
    expected["client_secret"] = reset["client_secret"].clone();
    assert_eq!(reset, expected);
    assert_eq!(owner.get(&app_path(&deploy_id)).send().await.json(), reset);

    // Deleted: gone for every call.
    owner
        .delete(&app_path(&deploy_id))
        .send()
        .await
        .expect(204, "");
    for resp in [
        owner.get(&app_path(&deploy_id)).send().await,
        owner.delete(&app_path(&deploy_id)).send().await,
        owner.post(&reset_path).send().await,
        owner.put(&app_path(&deploy_id)).json(&change).send().await,
    ] {
        resp.expect(404, &wire::not_found(&host));
    }
    assert_eq!(
        owner.get(APPS).send().await.json(),
        json!({"applications": [cli]})
    );

    // The log repeats each request, with the application's name and client id.
    let named = json!({"application_name": "deployer", "client_id": deploy_id});
    let mut created_metadata = full_body;
    created_metadata["application_name"] = json!("deploy");
    created_metadata["client_id"] = json!(deploy_id);
    let mut changed_metadata = change;
    changed_metadata["application_name"] = json!("deployer");
    changed_metadata["client_id"] = json!(deploy_id);
    let entries = log_entries(&owner, LOGS).await;
    assert_logged(
        &entries,
        &[
            ("create_application", created_metadata),
            ("update_application", changed_metadata),
            ("reset_application_client_secret", named.clone()),
            ("delete_application", named),
        ],
    );
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .filter(|kind| kind.ends_with("application") || kind.ends_with("secret"))
        .collect();
    assert_eq!(
        kinds,
        [
            "delete_application",
            "reset_application_client_secret",
            "update_application",
            "create_application",
            "create_application"
        ]
    );
    assert_eq!(
        entries
            .iter()
            .find(|e| e["kind"] == "delete_application")
            .unwrap()["performer"]["name"],
        "owner"
    );
}

/// Deleting an application revokes its tokens and drops the token assignments waiting on it.
async fn deletion_revokes_what_was_issued(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    let (_, dev) = user_session(&berth, &admin, "dev").await;
    create_org(&owner, "acme").await;
    let app = created_app(&owner, json!({"name": "cli", "redirect_uri": CALLBACK})).await;
    let client_id = text(&app, "client_id");
    let minted = request_token(&owner, "acme", client_id, "user:read").await;
    minted.expect_status(200);
    let token = Client::with_token(&berth, text(&minted.json(), "token"));
    token.get("/api/v1/user/").send().await.expect_status(200);
    let assign = format!(
        "/oauth/authorize/assignuser?client_id={client_id}&redirect_uri={CALLBACK}\
         &scope=repo:read&username=dev&response_type=token&format=json"
    );
    owner.post(&assign).send().await.expect_status(200);
    let assigned = |dev: Client| async move {
        let resp = dev.get("/api/v1/user/assignedauthorization").send().await;
        resp.expect_status(200);
        resp.json()["authorizations"].as_array().unwrap().len()
    };
    assert_eq!(assigned(dev.clone()).await, 1);

    owner
        .delete(&app_path(client_id))
        .send()
        .await
        .expect(204, "");
    token
        .get("/api/v1/user/")
        .send()
        .await
        .expect(401, &wire::not_signed_in(&berth.addr));
    assert_eq!(assigned(dev).await, 0);
}

/// Each caller of §1.3: organization admins (and `org:admin` tokens) do everything; the
/// read-only superuser only reads, without the secrets; everyone else is refused, the
/// anonymous with 401 (403 from the CSRF check for writes), before any existence check.
async fn application_rights(backend: Backend) {
    let berth = Berth::start(backend).await;
    let callers = Callers::new(&berth, "member").await;
    let owner = &callers.owner.1;
    let app = created_app(owner, json!({"name": "cli", "redirect_uri": CALLBACK})).await;
    let path = app_path(text(&app, "client_id"));

    // List, read, change, new secret, create, delete an unknown application, read an
    // application of an unknown organization.
    let expected = [
        [401, 401, 403, 403, 403, 403, 401],
        [200, 200, 200, 200, 200, 404, 403],
        [200, 200, 200, 200, 200, 404, 403],
        [403, 403, 403, 403, 403, 403, 403],
        [403, 403, 403, 403, 403, 403, 403],
        [200, 200, 200, 200, 200, 404, 403],
        [403, 403, 403, 403, 403, 403, 403],
        [403, 403, 403, 403, 403, 403, 403],
        [403, 403, 403, 403, 403, 403, 403],
        [403, 403, 403, 403, 403, 403, 403],
        [200, 200, 403, 403, 403, 403, 404],
    ];
    let change = json!({"name": "cli", "redirect_uri": CALLBACK, "application_uri": ""});
    callers
        .check(expected, |client| {
            let (path, change) = (path.clone(), change.clone());
            async move {
                [
                    client.get(APPS).send().await,
                    client.get(&path).send().await,
                    client.put(&path).json(&change).send().await,
                    client
                        .post(&format!("{path}/resetclientsecret"))
                        .send()
                        .await,
                    create_app(&client, json!({"name": "more"})).await,
                    client.delete(&app_path("NOPE")).send().await,
                    client
                        .get("/api/v1/organization/nope/applications/NOPE")
                        .send()
                        .await,
                ]
            }
        })
        .await;

    // The read-only superuser sees no secret, redirect URI or avatar e-mail.
    let current = owner.get(&path).send().await.json();
    assert_ne!(current["client_secret"], Value::Null);
    let seen = callers.auditor.get(&path).send().await.json();
    assert_eq!(seen, without_secrets(&current));
    assert_eq!(seen["client_secret"], Value::Null);
    let listed = callers.auditor.get(APPS).send().await.json();
    assert_eq!(listed["applications"][0], without_secrets(&current));

    // The refusals in Quay's bodies, and nothing refused changed anything.
    let host = berth.addr.clone();
    callers
        .anon
        .get(APPS)
        .send()
        .await
        .expect(401, &wire::requires_auth(&host));
    callers
        .anon
        .delete(&path)
        .send()
        .await
        .expect(403, &wire::abort(wire::CSRF_INVALID));
    callers
        .member
        .1
        .delete(&path)
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&host));
    let names: Vec<String> = owner.get(APPS).send().await.json()["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| text(a, "name").to_owned())
        .collect();
    assert_eq!(names, ["cli", "more", "more", "more"]);
    owner.get(&path).send().await.expect_status(200);
}

/// With FEATURE_SUPERUSERS_FULL_ACCESS a superuser manages any organization's applications
/// and sees their secrets; unknown organizations are 404 for it, 403 for others.
async fn full_access_superuser(backend: Backend) {
    let options = Options {
        superusers_full_access: true,
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    create_org(&owner, "acme").await;
    let app = created_app(&owner, json!({"name": "cli"})).await;
    let path = app_path(text(&app, "client_id"));

    let seen = admin.get(&path).send().await;
    seen.expect_status(200);
    assert_eq!(seen.json(), app);
    let by_admin = created_app(&admin, json!({"name": "audit"})).await;
    assert_ne!(by_admin["client_secret"], Value::Null);
    let reset = admin
        .post(&format!("{path}/resetclientsecret"))
        .send()
        .await;
    reset.expect_status(200);
    assert_ne!(reset.json()["client_secret"], app["client_secret"]);
    admin.delete(&path).send().await.expect(204, "");
    let entries = log_entries(&owner, LOGS).await;
    assert_eq!(entries[0]["kind"], "delete_application");
    assert_eq!(entries[0]["performer"]["name"], "admin");

    let host = berth.addr.clone();
    let unknown = "/api/v1/organization/nope/applications";
    admin
        .get(unknown)
        .send()
        .await
        .expect(404, &wire::not_found(&host));
    owner
        .get(unknown)
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&host));
}

/// Bodies the schemas refuse, and the reserved name: 400 with Quay's messages, and nothing
/// created or changed.
async fn bad_application_bodies(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    create_org(&owner, "acme").await;
    let app = created_app(&owner, json!({"name": "cli"})).await;
    let path = app_path(text(&app, "client_id"));
    let host = berth.addr.clone();

    let refused_creations = [
        (json!({}), "'name' is a required property"),
        (json!({"name": 5}), "5 is not of type 'string'"),
        (
            json!({"name": "x", "description": null}),
            "None is not of type 'string'",
        ),
        (
            json!({"name": "x", "redirect_uri": ["a"]}),
            "['a'] is not of type 'string'",
        ),
        (json!(["cli"]), "['cli'] is not of type 'object'"),
        (json!({"name": "__quay_bootstrap_app"}), RESERVED),
    ];
    for (body, message) in refused_creations {
        create_app(&owner, body)
            .await
            .expect(400, &wire::invalid_request(&host, message));
    }
    let refused_changes = [
        (
            json!({"name": "x", "application_uri": ""}),
            "'redirect_uri' is a required property",
        ),
        (
            json!({"name": "x", "redirect_uri": ""}),
            "'application_uri' is a required property",
        ),
        (
            json!({"name": "x", "redirect_uri": "", "application_uri": "", "avatar_email": 1}),
            "1 is not of type 'string'",
        ),
        (
            json!({"name": "__quay_bootstrap_app", "redirect_uri": "", "application_uri": ""}),
            RESERVED,
        ),
    ];
    for (body, message) in refused_changes {
        owner
            .put(&path)
            .json(&body)
            .send()
            .await
            .expect(400, &wire::invalid_request(&host, message));
    }
    owner
        .post(APPS)
        .body(Some("text/plain"), "name=cli")
        .send()
        .await
        .expect(415, &wire::restful_message(wire::NOT_JSON));

    // A name that only looks like the reserved one is fine.
    created_app(&owner, json!({"name": "__quay_bootstrap_app2"})).await;
    let listed = owner.get(APPS).send().await.json();
    assert_eq!(listed["applications"].as_array().unwrap().len(), 2);
    assert_eq!(owner.get(&path).send().await.json(), app);
}

/// `GET /api/v1/app/{client_id}`: anyone sees the application's public settings and its
/// organization as that caller sees it, without teams; 404 for unknown client ids.
async fn public_application_view(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    create_org(&owner, "acme").await;
    let plain = created_app(&owner, json!({"name": "cli", "description": "the CLI"})).await;
    let pictured = created_app(
        &owner,
        json!({"name": "ui", "application_uri": "http://ui.example.com", "avatar_email": "ui@example.com"}),
    )
    .await;
    let acme_avatar = avatar_value("acme", "acme@example.com", "user");
    let public_org = json!({
        "name": "acme", "email": "", "avatar": acme_avatar, "is_admin": false,
        "is_member": false, "teams": {}, "ordered_teams": [],
    });
    let (hash, color) = avatar("acme@example.com");
    let anon = Client::anon(&berth);
    let plain_path = format!("/api/v1/app/{}", text(&plain, "client_id"));
    anon.get(&plain_path).send().await.expect(
        200,
        &format!(
            "{{\"name\": \"cli\", \"description\": \"the CLI\", \"uri\": \"\", \
             \"avatar\": {{\"name\": \"cli\", \"hash\": \"{hash}\", \"color\": \"{color}\", \"kind\": \"app\"}}, \
             \"organization\": {{\"name\": \"acme\", \"email\": \"\", \"avatar\": {{\"name\": \"acme\", \
             \"hash\": \"{hash}\", \"color\": \"{color}\", \"kind\": \"user\"}}, \"is_admin\": false, \
             \"is_member\": false, \"teams\": {{}}, \"ordered_teams\": []}}}}\n"
        ),
    );
    let pictured_path = format!("/api/v1/app/{}", text(&pictured, "client_id"));
    let seen = anon.get(&pictured_path).send().await.json();
    assert_eq!(
        seen,
        json!({
            "name": "ui", "description": "", "uri": "http://ui.example.com",
            "avatar": avatar_value("ui", "ui@example.com", "app"), "organization": public_org,
        })
    );
    // Its admins see the organization as admins do, still without teams.
    let as_owner = owner.get(&pictured_path).send().await.json();
    assert_eq!(
        as_owner["organization"],
        json!({
            "name": "acme", "email": "acme@example.com", "avatar": acme_avatar, "is_admin": true,
            "is_member": true, "teams": {}, "ordered_teams": [], "invoice_email": false,
            "invoice_email_address": null, "tag_expiration_s": 1209600, "is_free_account": true,
        })
    );
    anon.get("/api/v1/app/NOPE")
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
}

/// The application `initialize` creates belongs to the first user's own namespace, which the
/// public view describes as an organization that user administers.
async fn public_view_of_a_user_application(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = Client::with_token(&berth, &initialize_admin(&berth).await);
    let outsider = create_user(&admin, "outsider").await;
    let outsider = Client::session(&berth, "outsider", &outsider.password).await;
    let admin_avatar = avatar_value("admin", "admin@example.com", "user");
    let expected = |organization: Value| {
        json!({
            "name": "automation", "description": "", "uri": "",
            "avatar": avatar_value("automation", "admin@example.com", "app"),
            "organization": organization,
        })
    };
    let as_outsider = outsider.get("/api/v1/app/admin").send().await;
    as_outsider.expect_status(200);
    assert_eq!(
        as_outsider.json(),
        expected(json!({
            "name": "admin", "email": "", "avatar": admin_avatar, "is_admin": false,
            "is_member": false, "teams": {}, "ordered_teams": [],
        }))
    );
    let as_admin = admin.get("/api/v1/app/admin").send().await;
    as_admin.expect_status(200);
    assert_eq!(
        as_admin.json(),
        expected(json!({
            "name": "admin", "email": "admin@example.com", "avatar": admin_avatar,
            "is_admin": true, "is_member": true, "teams": {}, "ordered_teams": [],
            "invoice_email": false, "invoice_email_address": null, "tag_expiration_s": 1209600,
            "is_free_account": true,
        }))
    );
}

const SECRET_OF: &str = "SELECT client_secret FROM oauth_applications WHERE client_id = $1";

/// What `/oauth/access_token` says to a code grant with `secret` and a code that was never
/// issued: `invalid_grant` once the client is authenticated, else `invalid_client`.
async fn exchange_bogus_code(berth: &Berth, client_id: &str, secret: &str) -> Resp {
    let form = format!(
        "grant_type=authorization_code&client_id={client_id}&client_secret={}\
         &redirect_uri=http%3A%2F%2Fci.example.com%2Fcb&scope=repo%3Aread&code={}",
        secret
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D"),
        "A".repeat(40),
    );
    Client::anon(berth)
        .post("/oauth/access_token")
        .body(Some("application/x-www-form-urlencoded"), form)
        .send()
        .await
}

/// Client secrets are stored encrypted (core-api.md §1.7), also after a reset and for the
/// application `user/initialize` creates; the API shows them plain and `/oauth/access_token`
/// takes the plain secret. Rows holding a plain secret, as older releases wrote them, keep
/// working.
async fn client_secrets_stored_encrypted(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    create_org(&owner, "acme").await;
    let created = created_app(&owner, json!({"name": "cli", "redirect_uri": CALLBACK})).await;
    let client_id = text(&created, "client_id").to_owned();
    let secret = text(&created, "client_secret").to_owned();
    let db = berth.backend();
    let stored_secret = || async { db.query_texts(SECRET_OF, &[&client_id]).await.remove(0) };
    let stored = stored_secret().await;
    assert_eq!(stored.len(), 108, "{stored}");
    assert!(!stored.contains(&secret), "{stored}");
    let shown = owner.get(&app_path(&client_id)).send().await.json();
    assert_eq!(shown["client_secret"], secret.as_str());
    let all = "SELECT client_secret FROM oauth_applications WHERE client_id <> $1";
    for other in db.query_texts(all, &[""]).await {
        assert_eq!(other.len(), 108, "{other}");
    }

    // The exchange authenticates the client with the plain secret, not the stored text.
    let invalid_client = "{\"error\": \"invalid_client\"}";
    let invalid_grant = "{\"error\": \"invalid_grant\"}";
    for (presented, answer) in [
        (secret.as_str(), invalid_grant),
        (stored.as_str(), invalid_client),
        ("", invalid_client),
    ] {
        exchange_bogus_code(&berth, &client_id, presented)
            .await
            .expect(400, answer);
    }

    // A new secret: stored encrypted as well, and the old one stops working.
    let reset_path = format!("{}/resetclientsecret", app_path(&client_id));
    let reset = owner.post(&reset_path).send().await;
    reset.expect_status(200);
    let new_secret = text(&reset.json(), "client_secret").to_owned();
    assert_ne!(new_secret, secret);
    let new_stored = stored_secret().await;
    assert_eq!(new_stored.len(), 108);
    assert!(new_stored != stored && !new_stored.contains(&new_secret));
    for (presented, answer) in [(&new_secret, invalid_grant), (&secret, invalid_client)] {
        exchange_bogus_code(&berth, &client_id, presented)
            .await
            .expect(400, answer);
    }

    // A row from before encryption: its plain secret is shown and accepted as it is.
    let legacy = "LEGACYPLAINSECRET0123456789ABCDEFGHIJKLM";
    let set_secret = "UPDATE oauth_applications SET client_secret = $1 WHERE client_id = $2";
    db.execute(set_secret, &[legacy, &client_id]).await;
    let shown = owner.get(&app_path(&client_id)).send().await.json();
    assert_eq!(shown["client_secret"], legacy);
    exchange_bogus_code(&berth, &client_id, legacy)
        .await
        .expect(400, invalid_grant);
    // Its next reset stores the encrypted form.
    owner.post(&reset_path).send().await.expect_status(200);
    assert_eq!(stored_secret().await.len(), 108);
}

backends!(
    client_secrets_stored_encrypted,
    application_lifecycle,
    deletion_revokes_what_was_issued,
    application_rights,
    full_access_superuser,
    bad_application_bodies,
    public_application_view,
    public_view_of_a_user_application
);
