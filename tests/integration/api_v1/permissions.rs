//! Repository permissions (core-api.md §3.7) and default permissions (§3.8): who may manage
//! them, their wire shapes and logs, and how team grants and prototypes change what `/v2`
//! grants. Also the helpers `teams.rs` and `robots.rs` share.

use serde_json::{json, Value};

use crate::harness::fixtures::{
    admin, create_auditor, create_org, create_team, create_user, mint_token, try_pull, try_push,
    user_session, User,
};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Resp};

/// The entries of a usage-log list, newest first.
pub(super) async fn log_entries(client: &Client, path: &str) -> Vec<Value> {
    let resp = client.get(path).send().await;
    resp.expect_status(200);
    resp.json()["logs"].as_array().cloned().unwrap_or_default()
}

/// The metadata of the newest entry of `kind`; panics when there is none.
#[track_caller]
pub(super) fn metadata_of(entries: &[Value], kind: &str) -> Value {
    entries
        .iter()
        .find(|e| e["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} entry in {entries:?}"))["metadata"]
        .clone()
}

/// Asserts the metadata of the newest entry of each kind.
#[track_caller]
pub(super) fn assert_logged(entries: &[Value], expected: &[(&str, Value)]) {
    for (kind, metadata) in expected {
        assert_eq!(&metadata_of(entries, kind), metadata, "{kind}");
    }
}

/// A client calling with a token for `owner` that holds `scope` alone (minted in `org`).
pub(super) async fn scoped(berth: &Berth, owner: &Client, org: &str, scope: &str) -> Client {
    Client::with_token(berth, &mint_token(owner, org, scope).await)
}

/// The callers of §1.3 around organization `acme`: its creator `owner`, `orgadmin` in the
/// `owners` team, `member` in team `devs`, an `outsider`, tokens of the owner holding one scope
/// each, the superuser `admin` (no FULL_ACCESS) and the read-only superuser `auditor`.
pub(super) struct Callers {
    pub anon: Client,
    pub owner: (User, Client),
    pub orgadmin: Client,
    pub member: (User, Client),
    pub outsider: Client,
    pub org_token: Client,
    pub repo_admin_token: Client,
    pub repo_write_token: Client,
    pub user_token: Client,
    pub admin: Client,
    pub auditor: Client,
}

impl Callers {
    /// Sets them up, `devs` having `devs_role`.
    pub(super) async fn new(berth: &Berth, devs_role: &str) -> Callers {
        let admin = admin(berth).await;
        let owner = user_session(berth, &admin, "owner").await;
        let (_, orgadmin) = user_session(berth, &admin, "orgadmin").await;
        let member = user_session(berth, &admin, "member").await;
        let (_, outsider) = user_session(berth, &admin, "outsider").await;
        let auditor = create_auditor(&admin).await;
        let auditor = Client::session(berth, &auditor.username, &auditor.password).await;
        create_org(&owner.1, "acme").await;
        create_team(&owner.1, "acme", "owners", "admin", &["orgadmin"]).await;
        create_team(&owner.1, "acme", "devs", devs_role, &["member"]).await;
        Callers {
            anon: Client::anon(berth),
            org_token: scoped(berth, &owner.1, "t1", "org:admin").await,
            repo_admin_token: scoped(berth, &owner.1, "t2", "repo:admin").await,
            repo_write_token: scoped(berth, &owner.1, "t3", "repo:write").await,
            user_token: scoped(berth, &owner.1, "t4", "user:admin").await,
            owner,
            orgadmin,
            member,
            outsider,
            admin,
            auditor,
        }
    }

    /// Runs `calls` as each caller and compares the statuses with `expected`, whose rows
    /// follow the order of the fields above.
    pub(super) async fn check<const N: usize, F, Fut>(&self, expected: [[u16; N]; 11], calls: F)
    where
        F: Fn(Client) -> Fut,
        Fut: std::future::Future<Output = [Resp; N]>,
    {
        let callers = [
            ("anonymous", &self.anon),
            ("owner", &self.owner.1),
            ("orgadmin", &self.orgadmin),
            ("member", &self.member.1),
            ("outsider", &self.outsider),
            ("org:admin token", &self.org_token),
            ("repo:admin token", &self.repo_admin_token),
            ("repo:write token", &self.repo_write_token),
            ("user:admin token", &self.user_token),
            ("superuser", &self.admin),
            ("auditor", &self.auditor),
        ];
        for ((who, client), statuses) in callers.into_iter().zip(expected) {
            let answers = calls(client.clone()).await;
            let got = answers.each_ref().map(|r| r.status);
            let bodies: Vec<String> = answers.iter().map(Resp::text).collect();
            assert_eq!(got, statuses, "{who}: {bodies:?}");
        }
    }
}

const REPO: &str = "/api/v1/repository/acme/app";

async fn user_and_team_permissions(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (owner, owner_s) = user_session(&berth, &admin, "owner").await;
    let (bob, _) = user_session(&berth, &admin, "bob").await;
    create_org(&owner_s, "acme").await;
    assert_eq!(
        try_push(&berth, &owner.username, &owner.password, "acme/app").await,
        201
    );
    create_team(&owner_s, "acme", "readers", "member", &["bob"]).await;

    // The creator of a pushed repository is its admin; nobody else has a grant yet.
    let users = owner_s
        .get(&format!("{REPO}/permissions/user/"))
        .send()
        .await;
    users.expect_status(200);
    let listed = users.json();
    assert_eq!(listed["permissions"]["owner"]["role"], "admin");
    assert_eq!(listed["permissions"]["owner"]["is_org_member"], true);
    assert_eq!(listed["permissions"]["owner"]["is_robot"], false);
    owner_s
        .get(&format!("{REPO}/permissions/team/"))
        .send()
        .await
        .expect(200, "{\"permissions\": {}}\n");

    // A team grant gives its members pull; write gives push.
    assert_eq!(
        try_pull(&berth, &bob.username, &bob.password, "acme/app").await,
        401
    );
    let team = owner_s
        .put(&format!("{REPO}/permissions/team/readers"))
        .json(&json!({"role": "read"}))
        .send()
        .await;
    team.expect_status(200);
    assert_eq!(team.json()["name"], "readers");
    assert_eq!(team.json()["role"], "read");
    assert_eq!(team.json()["avatar"]["kind"], "team");
    assert_eq!(
        try_pull(&berth, &bob.username, &bob.password, "acme/app").await,
        200
    );
    assert_eq!(
        try_push(&berth, &bob.username, &bob.password, "acme/app").await,
        401
    );
    owner_s
        .put(&format!("{REPO}/permissions/team/readers"))
        .json(&json!({"role": "write"}))
        .send()
        .await
        .expect_status(200);
    assert_eq!(
        try_push(&berth, &bob.username, &bob.password, "acme/app").await,
        201
    );
    let transitive = owner_s
        .get(&format!("{REPO}/permissions/user/bob/transitive"))
        .send()
        .await;
    transitive.expect(200, "{\"permissions\": [{\"role\": \"write\"}]}\n");

    // A user grant, read back alone and among the others, then removed.
    let set = owner_s
        .put(&format!("{REPO}/permissions/user/bob"))
        .json(&json!({"role": "admin"}))
        .send()
        .await;
    set.expect_status(200);
    assert_eq!(set.json()["role"], "admin");
    assert_eq!(set.json()["is_org_member"], true);
    let one = owner_s
        .get(&format!("{REPO}/permissions/user/bob"))
        .send()
        .await;
    assert_eq!(one.json()["name"], "bob");
    let roles = owner_s
        .get(&format!("{REPO}/permissions/user/bob/transitive"))
        .send()
        .await
        .json();
    assert_eq!(
        roles,
        json!({"permissions": [{"role": "admin"}, {"role": "write"}]})
    );

    // Quay's refusals.
    let host = berth.addr.clone();
    owner_s
        .put(&format!("{REPO}/permissions/user/acme"))
        .json(&json!({"role": "read"}))
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&host, "Namespace owner must always be admin."),
        );
    owner_s
        .put(&format!("{REPO}/permissions/user/nobody"))
        .json(&json!({"role": "read"}))
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&host, "Invalid username: nobody"),
        );
    owner_s
        .put(&format!("{REPO}/permissions/user/bob"))
        .json(&json!({"role": "owner"}))
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&host, "'owner' is not one of ['read', 'write', 'admin']"),
        );
    owner_s
        .put(&format!("{REPO}/permissions/team/ghosts"))
        .json(&json!({"role": "read"}))
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&host, "No team ghosts in organization acme"),
        );
    owner_s
        .delete(&format!("{REPO}/permissions/user/bob"))
        .send()
        .await
        .expect(204, "");
    owner_s
        .delete(&format!("{REPO}/permissions/user/bob"))
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&host, "User does not have permission for repo."),
        );
    owner_s
        .delete(&format!("{REPO}/permissions/team/readers"))
        .send()
        .await
        .expect(204, "");
    assert_eq!(
        try_pull(&berth, &bob.username, &bob.password, "acme/app").await,
        401
    );
    owner_s
        .get(&format!("{REPO}/permissions/user/bob/transitive"))
        .send()
        .await
        .expect_status(404);

    // Each change is in the repository's log, with Quay's metadata.
    let entries = log_entries(&owner_s, &format!("{REPO}/logs")).await;
    let kinds: Vec<&str> = entries.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "change_repo_permission")
            .count(),
        3
    );
    assert_eq!(
        metadata_of(&entries, "delete_repo_permission"),
        json!({"team": "readers", "repo": "app"})
    );
    let user_change = entries
        .iter()
        .find(|e| e["kind"] == "change_repo_permission" && e["metadata"]["username"] == "bob")
        .expect("user grant entry");
    assert_eq!(
        user_change["metadata"],
        json!({"username": "bob", "repo": "app", "namespace": "acme", "role": "admin"})
    );
    assert_eq!(user_change["performer"]["name"], "owner");
}

/// Every caller of §1.3 against the permission endpoints of an organization's repository.
async fn permission_authorization(backend: Backend) {
    let berth = Berth::start(backend).await;
    let callers = Callers::new(&berth, "creator").await;
    let (owner, owner_s) = &callers.owner;
    assert_eq!(
        try_push(&berth, &owner.username, &owner.password, "acme/app").await,
        201
    );
    owner_s
        .put(&format!("{REPO}/permissions/user/outsider"))
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .expect_status(200);
    owner_s
        .put(&format!("{REPO}/permissions/user/member"))
        .json(&json!({"role": "write"}))
        .send()
        .await
        .expect_status(200);

    // List users, list teams, set the grant `member` already holds (so nothing changes). The
    // outsider administers the repository through its own grant.
    let expected = [
        // Anonymous writes fail the CSRF check first (403), as in Quay.
        [401, 401, 403],
        [200, 200, 200],
        [200, 200, 200],
        [403, 403, 403],
        [200, 200, 200],
        [403, 403, 403],
        [200, 200, 200],
        [403, 403, 403],
        [403, 403, 403],
        [403, 403, 403],
        [200, 200, 403],
    ];
    callers
        .check(expected, |client| async move {
            [
                client
                    .get(&format!("{REPO}/permissions/user/"))
                    .send()
                    .await,
                client
                    .get(&format!("{REPO}/permissions/team/"))
                    .send()
                    .await,
                client
                    .put(&format!("{REPO}/permissions/user/member"))
                    .json(&json!({"role": "write"}))
                    .send()
                    .await,
            ]
        })
        .await;

    // A repository that does not exist: 404 only for those with rights over the namespace.
    let missing = "/api/v1/repository/acme/none/permissions/user/";
    let expected = [
        [401],
        [404],
        [404],
        [403],
        [403],
        [403],
        [404],
        [403],
        [403],
        [403],
        [404],
    ];
    callers
        .check(expected, |client| async move {
            [client.get(missing).send().await]
        })
        .await;
}

async fn prototypes_apply_on_push(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (owner, owner_s) = user_session(&berth, &admin, "owner").await;
    let (carol, carol_s) = user_session(&berth, &admin, "carol").await;
    create_user(&admin, "dave").await;
    create_org(&owner_s, "acme").await;
    create_team(&owner_s, "acme", "builders", "creator", &["carol"]).await;
    create_team(&owner_s, "acme", "readers", "member", &[]).await;
    let prototypes = "/api/v1/organization/acme/prototypes";

    // Anyone's new repositories: readers read them; carol's: dave writes them.
    let for_all = owner_s
        .post(prototypes)
        .json(&json!({"role": "read", "delegate": {"name": "readers", "kind": "team"}}))
        .send()
        .await;
    for_all.expect_status(200);
    let view = for_all.json();
    assert_eq!(view["activating_user"], Value::Null);
    assert_eq!(view["delegate"]["kind"], "team");
    assert_eq!(view["role"], "read");
    let for_carol = owner_s
        .post(prototypes)
        .json(
            &json!({"role": "read", "delegate": {"name": "dave", "kind": "user"},
                      "activating_user": {"name": "carol"}}),
        )
        .send()
        .await;
    for_carol.expect_status(200);
    let id = for_carol.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(for_carol.json()["delegate"]["is_org_member"], false);
    assert_eq!(for_carol.json()["activating_user"]["is_org_member"], true);
    let changed = owner_s
        .put(&format!("{prototypes}/{id}"))
        .json(&json!({"role": "write"}))
        .send()
        .await;
    changed.expect_status(200);
    assert_eq!(changed.json()["role"], "write");

    let host = berth.addr.clone();
    owner_s
        .post(prototypes)
        .json(&json!({"role": "read", "delegate": {"name": "nobody", "kind": "user"}}))
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&host, "Missing delegate user or team"),
        );
    owner_s
        .post(prototypes)
        .json(
            &json!({"role": "read", "delegate": {"name": "dave", "kind": "user"},
                      "activating_user": {"name": "nobody"}}),
        )
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&host, "Unknown activating user"),
        );
    owner_s
        .post(prototypes)
        .json(&json!({"role": "read"}))
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&host, "'delegate' is a required property"),
        );
    owner_s
        .put(&format!("{prototypes}/no-such-id"))
        .json(&json!({"role": "read"}))
        .send()
        .await
        .expect_status(404);

    // Who may see and change them.
    let (_, outsider_s) = user_session(&berth, &admin, "outsider").await;
    let auditor = create_auditor(&admin).await;
    let auditor_s = Client::session(&berth, &auditor.username, &auditor.password).await;
    let org_token = scoped(&berth, &owner_s, "t1", "org:admin").await;
    let repo_token = scoped(&berth, &owner_s, "t2", "repo:admin").await;
    for (client, list, create) in [
        (Client::anon(&berth), 401, 403),
        (carol_s.clone(), 403, 403),
        (outsider_s, 403, 403),
        (admin.clone(), 403, 403),
        (auditor_s, 200, 403),
        (repo_token, 403, 403),
        (org_token, 200, 200),
    ] {
        assert_eq!(client.get(prototypes).send().await.status, list);
        let created = client
            .post(prototypes)
            .json(
                &json!({"role": "admin", "delegate": {"name": "readers", "kind": "team"},
                          "activating_user": {"name": "owner"}}),
            )
            .send()
            .await;
        assert_eq!(created.status, create, "{}", created.text());
    }

    // carol pushes a new repository: she is its admin, dave writes, readers read.
    assert_eq!(
        try_push(&berth, &carol.username, &carol.password, "acme/new").await,
        201
    );
    let users = owner_s
        .get("/api/v1/repository/acme/new/permissions/user/")
        .send()
        .await
        .json();
    assert_eq!(users["permissions"]["carol"]["role"], "admin");
    assert_eq!(users["permissions"]["dave"]["role"], "write");
    let teams = owner_s
        .get("/api/v1/repository/acme/new/permissions/team/")
        .send()
        .await
        .json();
    assert_eq!(teams["permissions"]["readers"]["role"], "read");

    // The owner's pushes get the prototype for the owner (admin) over the one for anyone.
    assert_eq!(
        try_push(&berth, &owner.username, &owner.password, "acme/mine").await,
        201
    );
    let teams = owner_s
        .get("/api/v1/repository/acme/mine/permissions/team/")
        .send()
        .await
        .json();
    assert_eq!(teams["permissions"]["readers"]["role"], "admin");
    let users = owner_s
        .get("/api/v1/repository/acme/mine/permissions/user/")
        .send()
        .await
        .json();
    assert!(users["permissions"].get("dave").is_none(), "{users}");

    owner_s
        .delete(&format!("{prototypes}/{id}"))
        .send()
        .await
        .expect(204, "");
    let entries = log_entries(&owner_s, "/api/v1/organization/acme/logs").await;
    let deleted = metadata_of(&entries, "delete_prototype_permission");
    assert_eq!(
        deleted,
        json!({"prototypeid": id, "username": "owner", "activating_username": "carol",
               "role": "write", "delegate_user": "dave"})
    );
    let modified = metadata_of(&entries, "modify_prototype_permission");
    assert_eq!(modified["original_role"], "read");
    assert_eq!(modified["role"], "write");
    let created = metadata_of(&entries, "create_prototype_permission");
    assert_eq!(created["delegate_team"], "readers");
}

backends!(
    user_and_team_permissions,
    permission_authorization,
    prototypes_apply_on_push
);
