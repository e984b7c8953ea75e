//! Who may call the superuser organization, ownership and log endpoints (superuser-api.md
//! §3.7, §18 items 2, 6, 9): one row per kind of caller, one column per endpoint.

use serde_json::json;

use crate::harness::fixtures::{admin, create_user, mint_token, user_token};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Resp};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    ListOrganizations,
    UpdateOrganization,
    TakeOwnership,
    ListLogs,
    AggregateLogs,
    DeleteOrganization,
}

/// Reads first, the delete last, so a caller allowed everything runs them all in order.
const OPS: [Op; 6] = [
    Op::ListOrganizations,
    Op::ListLogs,
    Op::AggregateLogs,
    Op::UpdateOrganization,
    Op::TakeOwnership,
    Op::DeleteOrganization,
];

impl Op {
    async fn call(self, client: &Client) -> Resp {
        match self {
            Op::ListOrganizations => client.get("/api/v1/superuser/organizations/").send().await,
            Op::ListLogs => client.get("/api/v1/superuser/logs").send().await,
            Op::AggregateLogs => client.get("/api/v1/superuser/aggregatelogs").send().await,
            Op::UpdateOrganization => {
                let body = json!({"email": "changed@example.com"});
                client
                    .put("/api/v1/superuser/organizations/target")
                    .json(&body)
                    .send()
                    .await
            }
            Op::TakeOwnership => {
                client
                    .post("/api/v1/superuser/takeownership/target")
                    .send()
                    .await
            }
            Op::DeleteOrganization => {
                client
                    .delete("/api/v1/superuser/organizations/target")
                    .send()
                    .await
            }
        }
    }

    fn is_read(self) -> bool {
        matches!(
            self,
            Op::ListOrganizations | Op::ListLogs | Op::AggregateLogs
        )
    }

    fn success(self) -> u16 {
        if self == Op::DeleteOrganization {
            204
        } else {
            200
        }
    }
}

/// A server with `admin`, the organization `target` (owned by `owner`) and the caller kinds.
async fn setup(backend: Backend) -> (Berth, Client) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let owner = create_user(&admin, "owner").await;
    let owner_session = Client::session(&berth, "owner", &owner.password).await;
    owner_session
        .post("/api/v1/organization/")
        .json(&json!({"name": "target", "email": "target@example.com"}))
        .send()
        .await
        .expect_status(201);
    (berth, admin)
}

/// Asserts every endpoint's status for `client`, then that `target` is unchanged.
async fn assert_row(
    admin: &Client,
    who: &str,
    client: &Client,
    expected: impl Fn(Op) -> (u16, String),
) {
    for op in OPS {
        let resp = op.call(client).await;
        let (status, body) = expected(op);
        assert_eq!(
            (resp.status, resp.text()),
            (status, body),
            "{who} calling {op:?}"
        );
    }
    let orgs = admin
        .get("/api/v1/superuser/organizations/?name=target")
        .send()
        .await
        .json();
    assert_eq!(
        orgs["organizations"][0]["email"], "target@example.com",
        "{who} changed nothing"
    );
}

async fn callers_without_rights(backend: Backend) {
    let (berth, admin) = setup(backend).await;
    let host = berth.addr.clone();
    let anonymous = |op: Op| {
        if op.is_read() {
            (401, wire::requires_auth(&host))
        } else {
            (403, wire::abort(wire::CSRF_INVALID))
        }
    };
    assert_row(&admin, "anonymous", &Client::anon(&berth), anonymous).await;
    let forged = Client::with_token(&berth, "ABCDEFGHIJKLMNOPQRST0123456789ABCDEFGHIJ");
    assert_row(&admin, "an invalid token", &forged, anonymous).await;

    let forbidden = |_: Op| (403, wire::insufficient_scope(&host));
    let user = create_user(&admin, "plain").await;
    let user_client = Client::with_token(
        &berth,
        &user_token(&berth, &user, "org:admin repo:read user:read").await,
    );
    assert_row(&admin, "a normal user", &user_client, forbidden).await;
    let session = Client::session(&berth, "plain", &user.password).await;
    assert_row(&admin, "a normal user's session", &session, forbidden).await;
    let narrow = Client::with_token(
        &berth,
        &mint_token(&admin, "adminorg", "repo:read user:read").await,
    );
    assert_row(
        &admin,
        "a superuser token without super:user",
        &narrow,
        forbidden,
    )
    .await;

    let auditor = create_user(&admin, "auditor").await;
    let auditor = Client::session(&berth, "auditor", &auditor.password).await;
    let readonly = |op: Op| {
        if op.is_read() {
            (200, String::new())
        } else {
            (403, wire::insufficient_scope(&host))
        }
    };
    for op in OPS {
        let resp = op.call(&auditor).await;
        let (status, body) = readonly(op);
        assert_eq!(
            resp.status,
            status,
            "read-only superuser calling {op:?}: {}",
            resp.text()
        );
        if status != 200 {
            assert_eq!(resp.text(), body);
        }
    }
}

async fn superuser_may_do_everything(backend: Backend) {
    let (_berth, admin) = setup(backend).await;
    for op in OPS {
        let resp = op.call(&admin).await;
        assert_eq!(
            resp.status,
            op.success(),
            "superuser calling {op:?}: {}",
            resp.text()
        );
    }
    let orgs = admin
        .get("/api/v1/superuser/organizations/")
        .send()
        .await
        .json();
    assert_eq!(orgs["organizations"], json!([]));
}

backends!(callers_without_rights, superuser_may_do_everything);
