//! The OAuth implicit grant (core-api.md §1.8 (a)): an organization admin authorizes an
//! application of the organization and receives a token in the redirect's fragment.

use serde_json::json;

use crate::harness::fixtures::{admin, create_user};
use crate::harness::{backends, Backend, Berth, Client};

async fn implicit_grant(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let owner = create_user(&admin, "owner").await;
    let session = Client::session(&berth, "owner", &owner.password).await;
    session
        .post("/api/v1/organization/")
        .json(&json!({"name": "ci", "email": "ci@example.com"}))
        .send()
        .await
        .expect_status(201);
    let local = berth.url("/oauth/localapp");
    let created = session
        .post("/api/v1/organization/ci/applications")
        .json(&json!({"name": "cli", "redirect_uri": local}))
        .send()
        .await;
    let client_id = created.json()["client_id"].as_str().unwrap().to_owned();
    let query = format!("client_id={client_id}&scope=repo:read%20user:read&redirect_uri={local}&response_type=token&state=xyz");

    // Not signed in: 401. Signed in: the consent document, with the CSRF token to echo.
    let anon = Client::anon(&berth)
        .get(&format!("/oauth/authorize?{query}"))
        .send()
        .await;
    assert_eq!(anon.status, 401);
    let consent = session
        .get(&format!("/oauth/authorize?{query}&format=json"))
        .send()
        .await;
    consent.expect_status(200);
    let csrf = consent.json()["csrf_token_val"]
        .as_str()
        .unwrap()
        .to_owned();

    // Approval without the CSRF token is refused; with it, a 302 carries the token.
    let form = |csrf: &str| {
        format!("client_id={client_id}&scope=repo%3Aread+user%3Aread&redirect_uri={local}&response_type=token&state=xyz&_csrf_token={csrf}")
    };
    let refused = session
        .post("/oauth/authorizeapp")
        .body(Some("application/x-www-form-urlencoded"), form("wrong"))
        .send()
        .await;
    assert_eq!(refused.status, 403);
    let approved = session
        .post("/oauth/authorizeapp")
        .body(Some("application/x-www-form-urlencoded"), form(&csrf))
        .send()
        .await;
    assert_eq!(approved.status, 302, "{}", approved.text());
    let location = approved.header("Location").unwrap().to_owned();
    assert!(
        location.starts_with(&format!(
            "{local}?scope=repo%3Aread+user%3Aread&state=xyz#access_token="
        )),
        "{location}"
    );
    let token = location
        .split("access_token=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    assert!(location.ends_with("&token_type=Bearer&expires_in=315576000"));

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
    assert_eq!(foreign.status, 302);
    assert!(foreign
        .header("Location")
        .unwrap()
        .ends_with("error=redirect_uri_mismatch"));
}

backends!(implicit_grant);
