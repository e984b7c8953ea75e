//! Quay as an OAuth authorization server (core-api.md §1.8): the implicit grant, the
//! authorization-code grant and `/oauth/access_token`, token assignment, an application's
//! token list, and the user's own authorizations.

use reqwest::Method;
use serde_json::{json, Value};

use super::permissions::{log_entries, metadata_of};
use crate::harness::fixtures::{
    admin, create_auditor, create_user, implicit_token, registry_token, request_token,
};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Options, Resp};

/// Where the test applications send their users back.
const CALLBACK: &str = "http://ci.example.com/cb";

/// `application/x-www-form-urlencoded` text of `pairs`.
fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                other => format!("%{other:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

const FORM: &str = "application/x-www-form-urlencoded";

/// `method path` as `client`.
async fn call(client: &Client, method: Method, path: &str) -> Resp {
    client.request(method, path).send().await
}

/// Each `(caller, method, path)` answers exactly `status` and `body`.
async fn expect_each(cases: &[(&Client, Method, &str)], status: u16, body: &str) {
    for (caller, method, path) in cases {
        let resp = call(caller, method.clone(), path).await;
        assert_eq!(
            (resp.status, resp.text().as_str()),
            (status, body),
            "{method} {path}"
        );
    }
}

async fn post_form(client: &Client, path: &str, pairs: &[(&str, &str)]) -> Resp {
    client.post(path).body(Some(FORM), form(pairs)).send().await
}

/// The value of `name` in the query or fragment of a redirect.
fn redirect_param(location: &str, name: &str) -> Option<String> {
    location
        .split(['?', '#', '&'])
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .map(str::to_owned)
}

#[track_caller]
fn location(resp: &Resp) -> String {
    assert_eq!(resp.status, 302, "{}", resp.text());
    resp.header("Location").expect("Location").to_owned()
}

/// Where the test application sends its users back.
enum Redirect {
    /// The built-in `/oauth/localapp`.
    LocalApp,
    Callback,
}

/// A running Berth (with `options`) with the superuser `admin` and an organization
/// `ci` owned by `owner`, holding an application `cli`.
struct OrgApp {
    berth: Berth,
    admin: Client,
    session: Client,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
}

async fn org_app(backend: Backend, options: Options, redirect: Redirect) -> OrgApp {
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let redirect_uri = match redirect {
        Redirect::LocalApp => berth.url("/oauth/localapp"),
        Redirect::Callback => CALLBACK.to_owned(),
    };
    let owner = create_user(&admin, "owner").await;
    let session = Client::session(&berth, "owner", &owner.password).await;
    session
        .post("/api/v1/organization/")
        .json(&json!({"name": "ci", "email": "ci@example.com"}))
        .send()
        .await
        .expect_status(201);
    let created = session
        .post("/api/v1/organization/ci/applications")
        .json(&json!({"name": "cli", "redirect_uri": redirect_uri}))
        .send()
        .await
        .json();
    OrgApp {
        berth,
        admin,
        session,
        client_id: created["client_id"].as_str().unwrap().to_owned(),
        client_secret: created["client_secret"].as_str().unwrap().to_owned(),
        redirect_uri,
    }
}

/// `csrf_token_val` of the consent document, which a session echoes on approval.
async fn consent_csrf(session: &Client, query: &str) -> String {
    let consent = session
        .get(&format!("/oauth/authorize?{query}&format=json"))
        .send()
        .await;
    consent.expect_status(200);
    consent.json()["csrf_token_val"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn implicit_grant(backend: Backend) {
    let OrgApp {
        berth,
        admin,
        session,
        client_id,
        redirect_uri: local,
        ..
    } = org_app(backend, Options::default(), Redirect::LocalApp).await;
    let query = format!("client_id={client_id}&scope=repo:read%20user:read&redirect_uri={local}&response_type=token&state=xyz");

    // Not signed in: 401. Signed in: the consent document, with the CSRF token to echo.
    let anon = Client::anon(&berth)
        .get(&format!("/oauth/authorize?{query}"))
        .send()
        .await;
    assert_eq!(anon.status, 401);
    let csrf = consent_csrf(&session, &query).await;

    // Approval without the CSRF token is refused; with it, a 302 carries the token.
    let approval = |csrf: &str| {
        let body = form(&[
            ("client_id", &client_id),
            ("scope", "repo:read user:read"),
            ("redirect_uri", &local),
            ("response_type", "token"),
            ("state", "xyz"),
            ("_csrf_token", csrf),
        ]);
        session
            .post("/oauth/authorizeapp")
            .body(Some(FORM), body)
            .send()
    };
    approval("wrong")
        .await
        .expect(403, &wire::abort(wire::CSRF_INVALID));
    let granted = location(&approval(&csrf).await);
    assert!(
        granted.starts_with(&format!(
            "{local}?scope=repo%3Aread+user%3Aread&state=xyz#access_token="
        )),
        "{granted}"
    );
    let token = redirect_param(&granted, "access_token").unwrap();
    assert!(granted.ends_with("&token_type=Bearer&expires_in=315576000"));

    // The token works within its scopes: it reads the user but cannot create repositories.
    let client = Client::with_token(&berth, &token);
    let me = client.get("/api/v1/user/").send().await;
    me.expect_status(200);
    assert_eq!(me.json()["username"], "owner");
    let create = client
        .post("/api/v1/repository")
        .json(&json!({"repository": "x", "visibility": "public", "description": ""}))
        .send()
        .await;
    assert_eq!(create.status, 403);

    // Asked again for covered scopes, the token comes at once.
    let again = session
        .get(&format!("/oauth/authorize?{query}"))
        .send()
        .await;
    assert_eq!(again.status, 302);
    // Someone who does not administer the organization cannot authorize its application.
    let other = create_user(&admin, "other").await;
    let other = Client::session(&berth, "other", &other.password).await;
    assert_eq!(
        other
            .get(&format!("/oauth/authorize?{query}"))
            .send()
            .await
            .status,
        403
    );
    // A foreign redirect is refused back to the registered one.
    let foreign = session
        .get(&format!("/oauth/authorize?client_id={client_id}&scope=repo:read&redirect_uri=http://evil.example.com/x"))
        .send()
        .await;
    assert_eq!(
        location(&foreign),
        format!("{local}?error=redirect_uri_mismatch")
    );
    // Required parameters, and an unknown application.
    session
        .get(&format!(
            "/oauth/authorize?client_id={client_id}&redirect_uri={local}"
        ))
        .send()
        .await
        .expect(400, &wire::abort("Required param: scope"));
    let unknown = session
        .get(&format!(
            "/oauth/authorize?client_id=NOPE&scope=repo:read&redirect_uri={local}"
        ))
        .send()
        .await;
    unknown.expect(404, &wire::not_found(&berth.addr));
}

/// The code grant end to end, with every refusal of `/oauth/access_token`.
async fn authorization_code_grant(backend: Backend) {
    let OrgApp {
        berth,
        admin,
        session,
        client_id,
        client_secret,
        ..
    } = org_app(backend, Options::default(), Redirect::Callback).await;
    // No response_type: Quay's default, the code grant.
    let query = format!("client_id={client_id}&scope=repo:read&redirect_uri={CALLBACK}&state=s1");
    let consent = session
        .get(&format!("/oauth/authorize?{query}&format=json"))
        .send()
        .await;
    consent.expect_status(200);
    let document = consent.json();
    assert_eq!(document["response_type"], "code");
    assert_eq!(document["has_dangerous_scopes"], false);
    assert_eq!(
        document["scopes"],
        json!([{"dangerous": false, "description": "This application will be able to view and pull all repositories visible to the granting user", "icon": "fa-hdd-o", "scope": "repo:read", "title": "View all visible repositories"}])
    );
    assert_eq!(document["application"]["name"], "cli");
    assert_eq!(document["application"]["organization"]["name"], "ci");
    let avatar: Value =
        serde_json::from_str(document["application"]["avatar"].as_str().unwrap()).unwrap();
    assert_eq!(avatar["kind"], "app");
    assert!(consent.text().starts_with("{\"application\":{"));
    let csrf = document["csrf_token_val"].as_str().unwrap().to_owned();

    let approval = |scope: &str, redirect: &str, response_type: &str, csrf: &str| {
        form(&[
            ("client_id", &client_id),
            ("scope", scope),
            ("redirect_uri", redirect),
            ("response_type", response_type),
            ("state", "s1"),
            ("_csrf_token", csrf),
        ])
    };
    let approve = |body: String| {
        session
            .post("/oauth/authorizeapp")
            .body(Some(FORM), body)
            .send()
    };
    let granted = location(&approve(approval("repo:read", CALLBACK, "code", &csrf)).await);
    let prefix = format!("{CALLBACK}?scope=repo%3Aread&state=s1&code=");
    assert!(granted.starts_with(&prefix), "{granted}");
    let code = redirect_param(&granted, "code").unwrap();
    assert_eq!(code.len(), 40);

    // Refusals at approval go back to the application, once its redirect is known good.
    for (scope, response_type, error) in [
        ("repo:read", "bogus", "unsupported_response_type"),
        ("repo:nope", "code", "invalid_scope"),
    ] {
        let refused = approve(approval(scope, CALLBACK, response_type, &csrf)).await;
        assert_eq!(location(&refused), format!("{CALLBACK}?error={error}"));
    }
    approve(approval(
        "repo:read",
        "http://evil.example.com/cb",
        "code",
        &csrf,
    ))
    .await
    .expect(400, "{\"error\": \"invalid_request\"}");

    // The token endpoint's refusals: none of them uses the code up.
    let anon = Client::anon(&berth);
    let exchange = |body: String| {
        anon.post("/oauth/access_token")
            .body(Some(FORM), body)
            .send()
    };
    let secret = client_secret.as_str();
    let token_request =
        |grant_type: &str, secret: &str, scope: &str, redirect: &str, code: &str| {
            form(&[
                ("grant_type", grant_type),
                ("client_id", &client_id),
                ("client_secret", secret),
                ("redirect_uri", redirect),
                ("code", code),
                ("scope", scope),
            ])
        };
    let without_grant_type = form(&[
        ("client_id", &client_id),
        ("client_secret", secret),
        ("redirect_uri", CALLBACK),
        ("code", &code),
        ("scope", "repo:read"),
    ]);
    exchange(without_grant_type)
        .await
        .expect(400, &wire::abort("Required param: grant_type"));
    let last = if code.ends_with('A') { "B" } else { "A" };
    let wrong_code = format!("{}{last}", &code[..39]);
    let code_grant = "authorization_code";
    for (grant_type, secret, scope, redirect, code, error) in [
        (
            "password",
            secret,
            "repo:read",
            CALLBACK,
            code.as_str(),
            "unsupported_grant_type",
        ),
        (
            code_grant,
            "wrong",
            "repo:read",
            CALLBACK,
            &code,
            "invalid_client",
        ),
        (
            code_grant,
            secret,
            "repo:nope",
            CALLBACK,
            &code,
            "invalid_scope",
        ),
        (
            code_grant,
            secret,
            "repo:write",
            CALLBACK,
            &code,
            "invalid_grant",
        ),
        (
            code_grant,
            secret,
            "repo:read",
            "http://ci.example.com/cb/x",
            &code,
            "invalid_grant",
        ),
        (
            code_grant,
            secret,
            "repo:read",
            CALLBACK,
            &wrong_code,
            "invalid_grant",
        ),
        (
            code_grant,
            secret,
            "repo:read",
            CALLBACK,
            "short",
            "invalid_grant",
        ),
    ] {
        let refused = exchange(token_request(grant_type, secret, scope, redirect, code)).await;
        refused.expect(400, &format!("{{\"error\": \"{error}\"}}"));
        assert_eq!(
            refused.header("Content-Type"),
            Some("application/json;charset=UTF-8")
        );
        assert_eq!(refused.header("Cache-Control"), Some("no-store"));
    }

    // The secret in HTTP basic auth; the answer is the token, once.
    let basic = Client::basic(&berth, &client_id, &client_secret);
    let body = token_request(code_grant, "", "repo:read", CALLBACK, &code);
    let issued = basic
        .post("/oauth/access_token")
        .body(Some(FORM), body.clone())
        .send()
        .await;
    issued.expect_status(200);
    let token = issued.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        issued.text(),
        format!("{{\"access_token\": \"{token}\", \"token_type\": \"Bearer\", \"expires_in\": 315576000, \"refresh_token\": null}}")
    );
    assert_eq!(token.len(), 40);
    basic
        .post("/oauth/access_token")
        .body(Some(FORM), body)
        .send()
        .await
        .expect(400, "{\"error\": \"invalid_grant\"}");
    let login = registry_token(&berth, "$oauthtoken", &token, None).await;
    assert_eq!(login.status, 200, "{}", login.text());

    // Authorized already: the next code comes without consent; parameters in the query work.
    let again = location(
        &session
            .get(&format!("/oauth/authorize?{query}"))
            .send()
            .await,
    );
    let code = redirect_param(&again, "code").unwrap();
    let in_query = token_request(code_grant, secret, "repo:read", CALLBACK, &code);
    anon.post(&format!("/oauth/access_token?{in_query}"))
        .send()
        .await
        .expect_status(200);

    // Someone who does not administer the organization is told the client is not theirs.
    let other = create_user(&admin, "other").await;
    let other = Client::session(&berth, "other", &other.password).await;
    let other_csrf = other.get("/csrf_token").send().await.json()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = approval("repo:read", CALLBACK, "code", &other_csrf);
    let refused = other
        .post("/oauth/authorizeapp")
        .body(Some(FORM), body)
        .send()
        .await;
    assert_eq!(
        location(&refused),
        format!("{CALLBACK}?error=unauthorized_client")
    );
}

/// `/oauth/denyapp` tells the application no, only at one of its redirects.
async fn denial(backend: Backend) {
    let OrgApp {
        // Kept to the end: dropping it stops the server.
        berth: _berth,
        session,
        client_id,
        ..
    } = org_app(backend, Options::default(), Redirect::Callback).await;
    let query = format!("client_id={client_id}&scope=repo:read&redirect_uri={CALLBACK}");
    let csrf = consent_csrf(&session, &query).await;
    let without_csrf = session.without_csrf();
    let deny = |redirect: &str, csrf: &str| {
        let body = form(&[
            ("client_id", &client_id),
            ("scope", "repo:read"),
            ("redirect_uri", redirect),
            ("_csrf_token", csrf),
        ]);
        without_csrf
            .post("/oauth/denyapp")
            .body(Some(FORM), body)
            .send()
    };
    deny(CALLBACK, "wrong")
        .await
        .expect(403, &wire::abort(wire::CSRF_INVALID));
    deny("http://evil.example.com/cb", &csrf)
        .await
        .expect(400, "{\"error\": \"invalid_request\"}");
    assert_eq!(
        location(&deny(CALLBACK, &csrf).await),
        format!("{CALLBACK}?error=authorization_denied")
    );
}

/// Tokens of an application, listed newest first fifty a page and revoked by its
/// organization's admins.
async fn application_tokens(backend: Backend) {
    let OrgApp {
        berth,
        admin,
        session,
        client_id,
        ..
    } = org_app(backend, Options::default(), Redirect::Callback).await;
    let tokens_path = format!("/api/v1/organization/ci/applications/{client_id}/tokens");
    let mut minted = Vec::new();
    for n in 0..51 {
        let resp = session
            .post(&tokens_path)
            .json(&json!({"name": format!("t{n}"), "scope": "repo:read org:admin"}))
            .send()
            .await;
        resp.expect_status(200);
        minted.push(resp.json());
    }
    let first = session.get(&tokens_path).send().await;
    first.expect_status(200);
    let first = first.json();
    let names: Vec<&str> = first["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 50);
    assert_eq!((names[0], names[49]), ("t50", "t1"));
    let newest = &minted[50];
    assert_eq!(
        first["tokens"][0],
        json!({
            "uuid": newest["uuid"], "name": "t50", "scope": "repo:read org:admin",
            "expires_at": newest["expires_at"], "created": newest["created"],
            "created_by": "owner", "last_accessed": null,
        })
    );
    let next = first["next_page"].as_str().unwrap();
    let second = session
        .get(&format!("{tokens_path}?next_page={next}"))
        .send()
        .await
        .json();
    assert_eq!(second["tokens"].as_array().unwrap().len(), 1);
    assert_eq!(second["tokens"][0]["name"], "t0");
    assert!(second.get("next_page").is_none());

    // Who may look and revoke: org admins with org:admin, read-only superusers only look.
    let oldest_token = minted[0]["token"].as_str().unwrap().to_owned();
    let oldest_uuid = minted[0]["uuid"].as_str().unwrap().to_owned();
    let revoke_path = format!("{tokens_path}/{oldest_uuid}");
    let read_only = request_token(&session, "ci", &client_id, "repo:read")
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let read_only = Client::with_token(&berth, &read_only);
    let auditor = create_auditor(&admin).await;
    let auditor = Client::session(&berth, "auditor", &auditor.password).await;
    let stranger = create_user(&admin, "stranger").await;
    let stranger = Client::session(&berth, "stranger", &stranger.password).await;
    let host = &berth.addr;
    let anon = Client::anon(&berth);
    let (get, delete) = (Method::GET, Method::DELETE);
    let nope = "/api/v1/organization/nope/applications/x/tokens";
    expect_each(
        &[(&anon, get.clone(), &tokens_path)],
        401,
        &wire::requires_auth(host),
    )
    .await;
    // An anonymous write meets the CSRF check first, as in Quay.
    let csrf = wire::abort(wire::CSRF_INVALID);
    expect_each(&[(&anon, delete.clone(), &revoke_path)], 403, &csrf).await;
    // Rights come before existence: strangers learn nothing about other organizations.
    let forbidden = [
        (&read_only, get.clone(), tokens_path.as_str()),
        (&read_only, delete.clone(), &revoke_path),
        (&stranger, get.clone(), &tokens_path),
        (&stranger, delete.clone(), &revoke_path),
        (&stranger, get.clone(), nope),
        (&admin, get.clone(), &tokens_path),
        (&admin, delete.clone(), &revoke_path),
        (&auditor, delete, &revoke_path),
    ];
    expect_each(&forbidden, 403, &wire::insufficient_scope(host)).await;
    let unknown = "/api/v1/organization/ci/applications/NOPE/tokens";
    expect_each(&[(&session, get, unknown)], 404, &wire::not_found(host)).await;
    auditor.get(&tokens_path).send().await.expect_status(200);

    // Revoked: gone from the list, refused at once, logged.
    let oldest = Client::with_token(&berth, &oldest_token);
    oldest.get(&tokens_path).send().await.expect_status(200);
    session.delete(&revoke_path).send().await.expect(204, "");
    call(&oldest, Method::GET, &tokens_path)
        .await
        .expect(401, &wire::requires_auth(host));
    call(&session, Method::DELETE, &revoke_path)
        .await
        .expect(404, &wire::not_found(host));
    let entries = log_entries(&session, "/api/v1/organization/ci/logs").await;
    assert_eq!(
        metadata_of(&entries, "revoke_oauth_api_token"),
        json!({"oauth_token_uuid": oldest_uuid, "application_name": "cli", "client_id": client_id})
    );
}

/// A full-access superuser administers any organization's application tokens.
async fn superuser_application_tokens(backend: Backend) {
    let OrgApp {
        berth,
        admin,
        session,
        client_id,
        ..
    } = org_app(
        backend,
        Options {
            superusers_full_access: true,
            ..Options::default()
        },
        Redirect::Callback,
    )
    .await;
    let tokens_path = format!("/api/v1/organization/ci/applications/{client_id}/tokens");
    let minted = request_token(&session, "ci", &client_id, "user:read")
        .await
        .json();
    let listed = admin.get(&tokens_path).send().await;
    listed.expect_status(200);
    assert_eq!(listed.json()["tokens"][0]["uuid"], minted["uuid"]);
    let token = Client::with_token(&berth, minted["token"].as_str().unwrap());
    token.get("/api/v1/user/").send().await.expect_status(200);
    let uuid = minted["uuid"].as_str().unwrap();
    call(&admin, Method::DELETE, &format!("{tokens_path}/{uuid}"))
        .await
        .expect(204, "");
    // Revoked by the superuser, the token no longer signs its holder in.
    token
        .get("/api/v1/user/")
        .send()
        .await
        .expect(401, &wire::not_signed_in(&berth.addr));
}

/// The expected `/api/v1/user/authorizations` view of a token of the `cli` application of
/// `ci`, scope `repo:read user:admin`.
fn authorization_view(uuid: &str) -> String {
    let (app_hash, app_color) = wire::avatar("ci@example.com");
    format!(
        "{{\"application\": {{\"name\": \"cli\", \"description\": \"\", \"url\": \"\", \
         \"avatar\": {{\"name\": \"cli\", \"hash\": \"{app_hash}\", \"color\": \"{app_color}\", \"kind\": \"app\"}}, \
         \"organization\": {{\"name\": \"ci\", \"avatar\": {{\"name\": \"ci\", \"hash\": \"{app_hash}\", \"color\": \"{app_color}\", \"kind\": \"org\"}}}}}}, \
         \"scopes\": [{{\"title\": \"View all visible repositories\", \"scope\": \"repo:read\", \"description\": \"This application will be able to view and pull all repositories visible to the granting user\", \"icon\": \"fa-hdd-o\", \"dangerous\": false}}, \
         {{\"title\": \"Administer User\", \"scope\": \"user:admin\", \"description\": \"This application will be able to administer your account including creating robots and granting them permissions to your repositories. You should have absolute trust in the requesting application before granting this permission.\", \"icon\": \"fa-gear\", \"dangerous\": true}}], \
         \"uuid\": \"{uuid}\"}}"
    )
}

/// The tokens a user granted: listed, shown and revoked by that user only.
async fn user_authorizations(backend: Backend) {
    let OrgApp {
        berth,
        admin,
        session,
        client_id,
        ..
    } = org_app(backend, Options::default(), Redirect::Callback).await;
    let host = &berth.addr;
    let minted = request_token(&session, "ci", &client_id, "repo:read user:admin")
        .await
        .json();
    let uuid = minted["uuid"].as_str().unwrap().to_owned();
    let token = Client::with_token(&berth, minted["token"].as_str().unwrap());
    let weak = request_token(&session, "ci", &client_id, "repo:read")
        .await
        .json();
    let weak_uuid = weak["uuid"].as_str().unwrap().to_owned();
    let weak = Client::with_token(&berth, weak["token"].as_str().unwrap());

    let one = format!("/api/v1/user/authorizations/{uuid}");
    call(&session, Method::GET, &one)
        .await
        .expect(200, &format!("{}\n", authorization_view(&uuid)));
    // The token itself may look, having user:admin.
    let listed = token.get("/api/v1/user/authorizations").send().await;
    listed.expect_status(200);
    let uuids: Vec<String> = listed.json()["authorizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["uuid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(uuids, [uuid.clone(), weak_uuid.clone()]);
    assert!(listed.text().starts_with(&format!(
        "{{\"authorizations\": [{}",
        authorization_view(&uuid)
    )));

    // Anonymous, a token without user:admin, others (the superuser too) see nothing of it.
    let anon = Client::anon(&berth);
    let other = create_user(&admin, "other").await;
    let other = Client::session(&berth, "other", &other.password).await;
    let (get, delete, list) = (Method::GET, Method::DELETE, "/api/v1/user/authorizations");
    let anonymous = [(&anon, get.clone(), list), (&anon, get.clone(), &one)];
    expect_each(&anonymous, 401, &wire::requires_auth(host)).await;
    // An anonymous write meets the CSRF check first, as in Quay.
    let csrf = wire::abort(wire::CSRF_INVALID);
    expect_each(&[(&anon, delete.clone(), &one)], 403, &csrf).await;
    let without_user_admin = [
        (&weak, get.clone(), list),
        (&weak, get.clone(), &one),
        (&weak, delete.clone(), &one),
    ];
    expect_each(&without_user_admin, 403, &wire::insufficient_scope(host)).await;
    let not_theirs = [
        (&other, get.clone(), one.as_str()),
        (&other, delete.clone(), &one),
        (&admin, get, &one),
        (&admin, delete, &one),
    ];
    expect_each(&not_theirs, 404, &wire::not_found(host)).await;
    let others = other.get("/api/v1/user/authorizations").send().await;
    others.expect(200, "{\"authorizations\": []}\n");

    // Revoked by its user: refused at once (a known caller lacking scope becomes anonymous).
    call(
        &session,
        Method::DELETE,
        &format!("/api/v1/user/authorizations/{weak_uuid}"),
    )
    .await
    .expect(204, "");
    call(&weak, Method::GET, "/api/v1/user/")
        .await
        .expect(401, &wire::not_signed_in(host));
    token.delete(&one).send().await.expect(204, "");
    call(&token, Method::GET, "/api/v1/user/")
        .await
        .expect(401, &wire::not_signed_in(host));
    call(&session, Method::DELETE, &one)
        .await
        .expect(404, &wire::not_found(host));
    call(&session, Method::GET, "/api/v1/user/authorizations")
        .await
        .expect(200, "{\"authorizations\": []}\n");
}

/// An organization admin assigns a token to a user, who completes it through the implicit
/// grant or declines it.
async fn token_assignment(backend: Backend) {
    let OrgApp {
        berth,
        admin,
        session,
        client_id,
        redirect_uri: local,
        ..
    } = org_app(backend, Options::default(), Redirect::LocalApp).await;
    let dev = create_user(&admin, "dev").await;
    let dev = Client::session(&berth, "dev", &dev.password).await;
    let host = &berth.addr;
    let assign = |client: &Client, username: &str, scope: &str| {
        let path = format!(
            "/oauth/authorize/assignuser?{}",
            form(&[
                ("client_id", &client_id),
                ("redirect_uri", &local),
                ("scope", scope),
                ("username", username),
                ("response_type", "token"),
                ("format", "json"),
            ])
        );
        let client = client.clone();
        async move { client.post(&path).send().await }
    };

    // Refusals: parameters, CSRF, the signed-in admin of the organization, a real user.
    session
        .post(&format!(
            "/oauth/authorize/assignuser?client_id={client_id}&redirect_uri=x&scope=repo:read"
        ))
        .send()
        .await
        .expect(400, &wire::abort("Required param: username"));
    assign(&session.without_csrf(), "dev", "repo:read")
        .await
        .expect(403, &wire::abort(wire::CSRF_INVALID));
    assign(&dev, "dev", "repo:read")
        .await
        .expect(403, &wire::insufficient_scope(host));
    assign(&session, "nobody", "repo:read")
        .await
        .expect(404, &wire::not_found(host));
    assign(&session, "dev", "repo:nope")
        .await
        .expect(400, "{\"error\": \"invalid_scope\"}");
    for (redirect, response_type, error) in [
        ("http://evil.example.com/cb", "token", "invalid_request"),
        (local.as_str(), "bogus", "unsupported_response_type"),
    ] {
        let path = format!(
            "/oauth/authorize/assignuser?{}",
            form(&[
                ("client_id", &client_id),
                ("redirect_uri", redirect),
                ("scope", "repo:read"),
                ("username", "dev"),
                ("response_type", response_type),
            ])
        );
        session
            .post(&path)
            .send()
            .await
            .expect(400, &format!("{{\"error\": \"{error}\"}}"));
    }
    assert_eq!(
        dev.get("/api/v1/user/assignedauthorization")
            .send()
            .await
            .json(),
        json!({"authorizations": []})
    );

    assign(&session, "dev", "repo:read user:read")
        .await
        .expect(200, "{\"message\":\"Token assigned successfully\"}\n");
    let entries = log_entries(&session, "/api/v1/organization/ci/logs").await;
    assert_eq!(
        metadata_of(&entries, "oauth_token_assigned"),
        json!({"assigning_user": "owner", "assigned_user": "dev", "application": "cli", "client_id": client_id})
    );
    let listed = dev.get("/api/v1/user/assignedauthorization").send().await;
    listed.expect_status(200);
    let assigned = listed.json()["authorizations"][0].clone();
    assert_eq!(assigned["application"]["clientId"], client_id.as_str());
    assert_eq!(assigned["application"]["organization"]["name"], "ci");
    assert_eq!(assigned["redirectUri"], local.as_str());
    assert_eq!(assigned["responseType"], "token");
    assert_eq!(assigned["scopes"][0]["scope"], "repo:read");
    let assignment = assigned["uuid"].as_str().unwrap().to_owned();
    call(&session, Method::GET, "/api/v1/user/assignedauthorization")
        .await
        .expect(200, "{\"authorizations\": []}\n");

    // Without the assignment dev may not authorize; with it, only for what was assigned.
    let query = format!(
        "client_id={client_id}&scope=repo:read%20user:read&redirect_uri={local}&response_type=token"
    );
    call(&dev, Method::GET, &format!("/oauth/authorize?{query}"))
        .await
        .expect(403, &wire::insufficient_scope(host));
    dev.get(&format!(
        "/oauth/authorize?client_id={client_id}&scope=repo:write&redirect_uri={local}&response_type=token&assignment_uuid={assignment}"
    ))
    .send()
    .await
    .expect(403, &wire::insufficient_scope(host));
    let code_flow = dev
        .get(&format!(
            "/oauth/authorize?client_id={client_id}&scope=repo:read&redirect_uri={local}&assignment_uuid={assignment}"
        ))
        .send()
        .await;
    assert_eq!(code_flow.status, 400);
    let with_assignment = format!("{query}&assignment_uuid={assignment}");
    let consent = dev
        .get(&format!("/oauth/authorize?{with_assignment}&format=json"))
        .send()
        .await
        .json();
    assert_eq!(consent["assignment_uuid"], assignment.as_str());
    let csrf = consent["csrf_token_val"].as_str().unwrap();
    let approved = post_form(
        &dev,
        "/oauth/authorizeapp",
        &[
            ("client_id", &client_id),
            ("scope", "repo:read user:read"),
            ("redirect_uri", &local),
            ("response_type", "token"),
            ("assignment_uuid", &assignment),
            ("_csrf_token", csrf),
        ],
    )
    .await;
    let token = redirect_param(&location(&approved), "access_token").unwrap();
    let me = Client::with_token(&berth, &token)
        .get("/api/v1/user/")
        .send()
        .await
        .json();
    assert_eq!(me["username"], "dev");
    // Completed: the assignment is gone.
    call(&dev, Method::GET, "/api/v1/user/assignedauthorization")
        .await
        .expect(200, "{\"authorizations\": []}\n");

    // Declined: gone too; nobody else can decline it.
    assign(&session, "dev", "repo:read")
        .await
        .expect_status(200);
    let listed = dev
        .get("/api/v1/user/assignedauthorization")
        .send()
        .await
        .json();
    let uuid = listed["authorizations"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let one = format!("/api/v1/user/assignedauthorization/{uuid}");
    let list = "/api/v1/user/assignedauthorization";
    let (get, delete) = (Method::GET, Method::DELETE);
    let anon = Client::anon(&berth);
    expect_each(
        &[(&anon, get.clone(), list)],
        401,
        &wire::requires_auth(host),
    )
    .await;
    // An anonymous write meets the CSRF check first, as in Quay.
    let csrf = wire::abort(wire::CSRF_INVALID);
    expect_each(&[(&anon, delete.clone(), &one)], 403, &csrf).await;
    // dev's own token, without user:admin, may not manage dev's assignments.
    let dev_token = Client::with_token(&berth, &token);
    let without_user_admin = [(&dev_token, get, list), (&dev_token, delete.clone(), &one)];
    expect_each(&without_user_admin, 403, &wire::insufficient_scope(host)).await;
    // Others, the superuser too, only ever see their own.
    admin
        .get(list)
        .send()
        .await
        .expect(200, "{\"authorizations\": []}\n");
    let not_theirs = [
        (&session, delete.clone(), one.as_str()),
        (&admin, delete, &one),
    ];
    expect_each(&not_theirs, 404, &wire::not_found(host)).await;
    dev.delete(&one).send().await.expect(204, "");
    call(&dev, Method::DELETE, &one)
        .await
        .expect(404, &wire::not_found(host));
    call(&dev, Method::GET, list)
        .await
        .expect(200, "{\"authorizations\": []}\n");
}

/// With `FEATURE_ASSIGN_OAUTH_TOKEN: false` nothing of assignment exists.
async fn assignment_switched_off(backend: Backend) {
    let OrgApp {
        berth,
        session,
        client_id,
        ..
    } = org_app(
        backend,
        Options {
            extra_yaml: "FEATURE_ASSIGN_OAUTH_TOKEN: false\n".to_owned(),
            ..Options::default()
        },
        Redirect::Callback,
    )
    .await;
    let host = &berth.addr;
    session
        .post(&format!(
            "/oauth/authorize/assignuser?client_id={client_id}&redirect_uri={CALLBACK}&scope=repo:read&username=owner"
        ))
        .send()
        .await
        .expect(404, &wire::not_found(host));
    call(&session, Method::GET, "/api/v1/user/assignedauthorization")
        .await
        .expect(404, &wire::not_found(host));
    let with_assignment = session
        .get(&format!(
            "/oauth/authorize?client_id={client_id}&scope=repo:read&redirect_uri={CALLBACK}&response_type=token&assignment_uuid=x"
        ))
        .send()
        .await;
    assert_eq!(with_assignment.status, 400);
}

/// `OAUTH_APPLICATION_MAXIMUM_TOKEN_COUNT` caps an application's unexpired tokens when one
/// more is minted through the REST endpoint; expired tokens and other applications' do not
/// count, and the grants are not capped (as in Quay).
async fn application_token_limit(backend: Backend) {
    let options = Options {
        extra_yaml: "OAUTH_APPLICATION_MAXIMUM_TOKEN_COUNT: 2\n".into(),
        ..Options::default()
    };
    let OrgApp {
        berth,
        session,
        client_id,
        ..
    } = org_app(backend, options, Redirect::LocalApp).await;
    let tokens_path = format!("/api/v1/organization/ci/applications/{client_id}/tokens");
    let mint = |name: &str, expiration: Option<u64>| {
        let mut body = json!({"name": name, "scope": "repo:read"});
        if let Some(seconds) = expiration {
            body["expiration"] = json!(seconds);
        }
        session.post(&tokens_path).json(&body).send()
    };
    // `short` lives two seconds: time enough for the refusal below.
    let short_minted = std::time::Instant::now();
    mint("short", Some(2)).await.expect_status(200);
    mint("long", None).await.expect_status(200);
    let refused = "{\"message\": \"Token limit reached: maximum 2 non-expired tokens per \
                   application\"}\n";
    mint("third", None).await.expect(400, refused);
    let entries = log_entries(&session, "/api/v1/organization/ci/logs").await;
    let minted_logs = entries
        .iter()
        .filter(|e| e["kind"] == "create_oauth_api_token")
        .count();
    assert_eq!(minted_logs, 2);

    // Once `short` has expired there is room again.
    let expired = short_minted + std::time::Duration::from_millis(2200);
    tokio::time::sleep_until(expired.into()).await;
    mint("third", None).await.expect_status(200);
    mint("fourth", None).await.expect(400, refused);

    // The implicit grant still issues tokens, which then count against REST minting.
    let granted = implicit_token(&berth, &session, &client_id, "repo:read").await;
    assert_eq!(granted.len(), 40);
    let listed = session.get(&tokens_path).send().await.json();
    assert_eq!(listed["tokens"].as_array().unwrap().len(), 3);
    mint("fourth", None).await.expect(400, refused);

    // Another application has a limit of its own.
    let other = session
        .post("/api/v1/organization/ci/applications")
        .json(&json!({"name": "other"}))
        .send()
        .await
        .json();
    let other_id = other["client_id"].as_str().unwrap();
    request_token(&session, "ci", other_id, "repo:read")
        .await
        .expect_status(200);
}

backends!(
    application_token_limit,
    implicit_grant,
    authorization_code_grant,
    denial,
    application_tokens,
    superuser_application_tokens,
    user_authorizations,
    token_assignment,
    assignment_switched_off,
);
