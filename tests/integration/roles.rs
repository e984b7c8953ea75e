//! Who may call the superuser users endpoints (superuser-api.md §3.1, §3.6, §3.7 and §18 items
//! 1, 3, 4, 5): one row per kind of caller, one column per endpoint.

use serde_json::json;

use crate::harness::fixtures::{
    admin, create_auditor, create_org_app, create_user, initialize_admin, mint_token,
    request_token, user_token, User, ADMIN_PASSWORD,
};
use crate::harness::wire::{self, UserView};
use crate::harness::{backends, Backend, Berth, Client, Options, Resp};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:134.0) Gecko/20100101 Firefox/134.0";
const CHROME: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// The five users endpoints; writes target `newuser`.
#[derive(Debug, Clone, Copy)]
enum Op {
    List,
    Create,
    Get,
    Put,
    Delete,
}

const OPS: [Op; 5] = [Op::List, Op::Create, Op::Get, Op::Put, Op::Delete];

impl Op {
    async fn call(self, client: &Client) -> Resp {
        match self {
            Op::List => client.get("/api/v1/superuser/users/").send().await,
            Op::Create => {
                let body = json!({"username": "x1", "email": "x1@example.com"});
                client
                    .post("/api/v1/superuser/users/")
                    .json(&body)
                    .send()
                    .await
            }
            Op::Get => client.get("/api/v1/superuser/users/newuser").send().await,
            Op::Put => {
                client
                    .put("/api/v1/superuser/users/newuser")
                    .json(&json!({}))
                    .send()
                    .await
            }
            Op::Delete => {
                client
                    .delete("/api/v1/superuser/users/newuser")
                    .send()
                    .await
            }
        }
    }

    fn is_read(self) -> bool {
        matches!(self, Op::List | Op::Get)
    }
}

/// A server with `admin` (superuser) and `newuser` (the target of every write).
async fn setup(backend: Backend) -> (Berth, Client, User) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let newuser = create_user(&admin, "newuser").await;
    (berth, admin, newuser)
}

/// Every endpoint answers `client` with `expected(op)` (exact bytes), and nothing changed.
async fn assert_row(
    berth: &Berth,
    admin: &Client,
    who: &str,
    client: &Client,
    expected: impl Fn(Op) -> (u16, String),
) {
    for op in OPS {
        let resp = op.call(client).await;
        let (status, body) = expected(op);
        assert_eq!((resp.status, resp.text()), (status, body), "{who}: {op:?}");
    }
    assert_unchanged(berth, admin).await;
}

/// `x1` was not created and `newuser` is still there, unchanged.
async fn assert_unchanged(berth: &Berth, admin: &Client) {
    admin
        .get("/api/v1/superuser/users/newuser")
        .send()
        .await
        .expect(200, &UserView::new("newuser", "newuser@example.com").body());
    admin
        .get("/api/v1/superuser/users/x1")
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
}

/// Anonymous callers: reads 401, writes 403 CSRF (transcripts 35–40). An invalid bearer token
/// and basic auth (not accepted on `/api/v1`) are the same as no credentials.
async fn anonymous_callers(backend: Backend) {
    let (berth, admin, newuser) = setup(backend).await;
    let anonymous = |op: Op| {
        if op.is_read() {
            (401, wire::requires_auth(&berth.addr))
        } else {
            (403, wire::abort(wire::CSRF_INVALID))
        }
    };
    let callers = [
        ("anonymous", Client::anon(&berth)),
        (
            "invalid token",
            Client::with_token(&berth, "ABCDEFGHIJKLMNOPQRST0123456789ABCDEFGHIJ"),
        ),
        ("short garbage token", Client::with_token(&berth, "nope")),
        ("basic auth", Client::basic(&berth, "admin", ADMIN_PASSWORD)),
        (
            "basic auth, normal user",
            Client::basic(&berth, "newuser", &newuser.password),
        ),
    ];
    for (who, client) in &callers {
        assert_row(&berth, &admin, who, client, anonymous).await;
    }
    // The CSRF abort is served like Quay's: text/html, no trailing newline.
    let resp = Op::Delete.call(&Client::anon(&berth)).await;
    assert_eq!(
        resp.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(resp.header("WWW-Authenticate").is_none(), "decision 11");
    assert!(
        Op::List
            .call(&Client::anon(&berth))
            .await
            .header("WWW-Authenticate")
            .is_none(),
        "decision 11"
    );
}

/// A normal user's token (transcripts 160–163) and its session (155): 403 everywhere.
async fn normal_user(backend: Backend) {
    let (berth, admin, _) = setup(backend).await;
    let jdoe = create_user(&admin, "jdoe").await;
    let forbidden = |_| (403, wire::insufficient_scope(&berth.addr));
    let token = user_token(&berth, &jdoe, "org:admin repo:read user:read").await;
    assert_row(
        &berth,
        &admin,
        "normal user token",
        &Client::with_token(&berth, &token),
        forbidden,
    )
    .await;
    let session = Client::session(&berth, "jdoe", &jdoe.password).await;
    assert_row(&berth, &admin, "normal user session", &session, forbidden).await;
}

/// Transcript 159: a normal user cannot mint a `super:user` token.
async fn normal_user_cannot_mint_super_scope(backend: Backend) {
    let (berth, admin, _) = setup(backend).await;
    let jdoe = create_user(&admin, "jdoe").await;
    let session = Client::session(&berth, "jdoe", &jdoe.password).await;
    let client_id = create_org_app(&session, "jdoeorg").await;
    request_token(&session, "jdoeorg", &client_id, "super:user")
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    request_token(&session, "jdoeorg", &client_id, "user:read")
        .await
        .expect_status(200);
}

/// A superuser's token without `super:user` (transcripts 165–166): 403 everywhere.
async fn superuser_without_super_scope(backend: Backend) {
    let (berth, admin, _) = setup(backend).await;
    let token = mint_token(&admin, "adminorg", "repo:read user:read").await;
    let forbidden = |_| (403, wire::insufficient_scope(&berth.addr));
    assert_row(
        &berth,
        &admin,
        "superuser without super:user",
        &Client::with_token(&berth, &token),
        forbidden,
    )
    .await;
}

/// The global read-only superuser: reads 200, writes 403, with a token of any scope and with a
/// session.
async fn readonly_superuser(backend: Backend) {
    let (berth, admin, _) = setup(backend).await;
    let auditor = create_auditor(&admin).await;
    let token = user_token(&berth, &auditor, "user:read").await;
    let session = Client::session(&berth, "auditor", &auditor.password).await;
    for (who, client) in [
        ("auditor token", Client::with_token(&berth, &token)),
        ("auditor session", session),
    ] {
        for op in OPS {
            let resp = op.call(&client).await;
            if op.is_read() {
                assert_eq!(resp.status, 200, "{who}: {op:?}: {}", resp.text());
            } else {
                assert_eq!(
                    (resp.status, resp.text()),
                    (403, wire::insufficient_scope(&berth.addr)),
                    "{who}: {op:?}"
                );
            }
        }
        assert_unchanged(&berth, &admin).await;
    }
    let auditor_view = UserView::new("auditor", "auditor@example.com");
    assert!(auditor_view.global_readonly_super_user);
    admin
        .get("/api/v1/superuser/users/auditor")
        .send()
        .await
        .expect(200, &auditor_view.body());
}

/// The superuser with its `initialize` token (every scope): 200, 200, 200, 200, 204.
async fn superuser(backend: Backend) {
    let (berth, admin, _) = setup(backend).await;
    for op in OPS {
        let resp = op.call(&admin).await;
        let expected = if matches!(op, Op::Delete) { 204 } else { 200 };
        assert_eq!(resp.status, expected, "{op:?}: {}", resp.text());
    }
    admin
        .get("/api/v1/superuser/users/newuser")
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
    admin
        .get("/api/v1/superuser/users/x1")
        .send()
        .await
        .expect_status(200);
}

/// The superuser signed in with a session: writes need the CSRF token.
async fn superuser_session(backend: Backend) {
    let (berth, admin, _) = setup(backend).await;
    let session = Client::session(&berth, "admin", ADMIN_PASSWORD).await;
    session
        .get("/api/v1/superuser/users/")
        .send()
        .await
        .expect_status(200);
    session
        .put("/api/v1/superuser/users/newuser")
        .json(&json!({}))
        .send()
        .await
        .expect_status(200);
    // The same cookie without the CSRF header is refused.
    session
        .without_csrf()
        .delete("/api/v1/superuser/users/newuser")
        .send()
        .await
        .expect(403, &wire::abort(wire::CSRF_INVALID));
    assert_unchanged(&berth, &admin).await;
    session
        .delete("/api/v1/superuser/users/newuser")
        .send()
        .await
        .expect(204, "");
}

/// Transcript 162: the schema is checked before the role, so a normal user gets 400.
async fn schema_before_permission(backend: Backend) {
    let (berth, admin, _) = setup(backend).await;
    let jdoe = create_user(&admin, "jdoe").await;
    let token = user_token(&berth, &jdoe, "org:admin repo:read user:read").await;
    let resp = Client::with_token(&berth, &token)
        .post("/api/v1/superuser/users/")
        .json(&json!({"email": "x1@example.com"}))
        .send()
        .await;
    assert_eq!(resp.status, 400, "{}", resp.text());
    let detail = resp.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        detail.starts_with("'username' is a required property"),
        "{detail}"
    );
    assert_unchanged(&berth, &admin).await;
}

/// Transcripts 167–172 (`BROWSER_API_CALLS_XHR_ONLY: true`): a browser's GET needs
/// `X-Requested-With`; curl, POSTs and `X-Requested-With: XMLHttpRequest` pass.
async fn browser_calls_need_xhr(backend: Backend) {
    let berth = Berth::start_with(
        backend,
        Options {
            xhr_only: true,
            ..Options::default()
        },
    )
    .await;
    let token = initialize_admin(&berth).await;
    let admin = Client::with_token(&berth, &token);
    let rejected = wire::abort(wire::XHR_REQUIRED);
    for ua in [FIREFOX, CHROME] {
        let resp = admin
            .clone()
            .user_agent(ua)
            .get("/api/v1/superuser/users/")
            .send()
            .await;
        resp.expect(400, &rejected);
        assert_eq!(
            resp.header("Content-Type"),
            Some("text/html; charset=utf-8")
        );
    }
    // Before authentication: anonymous browsers get the same 400, not 401.
    Client::anon(&berth)
        .user_agent(FIREFOX)
        .get("/api/v1/superuser/users/")
        .send()
        .await
        .expect(400, &rejected);
    let list = admin.get("/api/v1/superuser/users/").send().await;
    list.expect_status(200);
    admin
        .clone()
        .user_agent(FIREFOX)
        .header("X-Requested-With", "XMLHttpRequest")
        .get("/api/v1/superuser/users/")
        .send()
        .await
        .expect(200, &list.text());
    admin
        .clone()
        .user_agent(FIREFOX)
        .post("/api/v1/superuser/users/")
        .json(&json!({"username": "fromfirefox", "email": "ff@example.com"}))
        .send()
        .await
        .expect_status(200);
}

/// Transcript 83: with `BROWSER_API_CALLS_XHR_ONLY: false` (the docs' setting) browsers pass.
async fn browser_calls_allowed_when_xhr_check_off(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let curl = admin.get("/api/v1/superuser/users/").send().await;
    admin
        .clone()
        .user_agent(FIREFOX)
        .get("/api/v1/superuser/users/")
        .send()
        .await
        .expect(200, &curl.text());
}

backends!(
    anonymous_callers,
    normal_user,
    normal_user_cannot_mint_super_scope,
    superuser_without_super_scope,
    readonly_superuser,
    superuser,
    superuser_session,
    schema_before_permission,
    browser_calls_need_xhr,
    browser_calls_allowed_when_xhr_check_off,
);
