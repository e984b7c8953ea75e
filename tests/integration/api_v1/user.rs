//! The signed-in user (core-api.md §3.1): who gets `GET /api/v1/user/`'s 401, and its body.

use crate::harness::fixtures::{admin, mint_token, user_session};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client};

/// Everyone who may not read a user gets Quay's 401 with `"session_required": false` in front;
/// other 401s (transcripts 35, 36, 40) carry no such field.
async fn logged_in_user_refusals(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (owner_user, owner) = user_session(&berth, &admin, "owner").await;
    let host = berth.addr.clone();
    let repo_token = mint_token(&owner, "acme", "repo:read").await;
    let callers = [
        Client::anon(&berth),
        Client::with_token(&berth, "ABCDEFGHIJKLMNOPQRST0123456789ABCDEFGHIJ"),
        Client::basic(&berth, "owner", &owner_user.password),
        // A token without user:read: signed in, yet not allowed to read the user.
        Client::with_token(&berth, &repo_token),
    ];
    for caller in &callers {
        let resp = caller.get("/api/v1/user/").send().await;
        resp.expect(401, &wire::not_signed_in(&host));
        assert_eq!(resp.header("Content-Type"), Some("application/json"));
        assert_eq!(resp.header("WWW-Authenticate"), None);
    }
    owner.get("/api/v1/user/").send().await.expect_status(200);

    // The same callers elsewhere get the plain problem body.
    for caller in &callers[..3] {
        for path in ["/api/v1/superuser/users/", "/api/v1/user/robots"] {
            caller
                .get(path)
                .send()
                .await
                .expect(401, &wire::requires_auth(&host));
        }
    }
}

backends!(logged_in_user_refusals);
