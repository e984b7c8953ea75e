//! Organizations for their own admins and members (core-api.md §3.2, §3.1): the organization
//! view as each caller sees it, settings and their logs, deletion, members and outside
//! collaborators, the organizations of the user view, and each caller's rights (§1.3, §1.4).

use reqwest::Method;
use serde_json::{json, Value};

use super::permissions::{assert_logged, log_entries, scoped, Callers};
use crate::harness::fixtures::{admin, create_auditor, create_org, create_team, user_session};
use crate::harness::wire::{self, avatar};
use crate::harness::{backends, Backend, Berth, Client, Options};

const ORG: &str = "/api/v1/organization/acme";
const LOGS: &str = "/api/v1/organization/acme/logs";

/// An avatar as the wire shows it, its hash drawn from `source`.
fn avatar_json(name: &str, source: &str, kind: &str) -> String {
    let (hash, color) = avatar(source);
    format!(
        "{{\"name\": \"{name}\", \"hash\": \"{hash}\", \"color\": \"{color}\", \"kind\": \"{kind}\"}}"
    )
}

/// One entry of the view's `teams`.
fn team_json(name: &str, role: &str, can_view: bool, repos: u32, members: u32) -> String {
    format!(
        "\"{name}\": {{\"name\": \"{name}\", \"description\": \"\", \"role\": \"{role}\", \
         \"avatar\": {}, \"can_view\": {can_view}, \"repo_count\": {repos}, \
         \"member_count\": {members}, \"is_synced\": false}}",
        avatar_json(name, name, "team")
    )
}

/// The organization view of `acme`: `email` when shown, `teams` (already rendered) for those
/// who see them, and the admins' settings.
fn org_view(email: &str, is_admin: bool, is_member: bool, teams: Option<&[String]>) -> String {
    let mut out = format!(
        "{{\"name\": \"acme\", \"email\": \"{email}\", \"avatar\": {}, \"is_admin\": {is_admin}, \
         \"is_member\": {is_member}",
        avatar_json("acme", "acme@example.com", "user")
    );
    if let Some(teams) = teams {
        let names: Vec<String> = teams
            .iter()
            .map(|t| t[..t.find(':').unwrap()].to_owned())
            .collect();
        out.push_str(&format!(
            ", \"teams\": {{{}}}, \"ordered_teams\": [{}]",
            teams.join(", "),
            names.join(", ")
        ));
    }
    if is_admin {
        out.push_str(
            ", \"invoice_email\": false, \"invoice_email_address\": null, \
             \"tag_expiration_s\": 1209600, \"is_free_account\": true",
        );
    }
    out.push_str("}\n");
    out
}

/// `POST /api/v1/repository` for `acme/<name>` as `owner`, who gets admin on it.
async fn create_repo(owner: &Client, name: &str) {
    owner
        .post("/api/v1/repository")
        .json(&json!({"namespace": "acme", "repository": name, "visibility": "private", "description": ""}))
        .send()
        .await
        .expect_status(201);
}

/// Grants `role` on `acme/<repo>` to a user or (with `kind` "team") a team.
async fn grant(owner: &Client, repo: &str, kind: &str, name: &str, role: &str) {
    owner
        .put(&format!(
            "/api/v1/repository/acme/{repo}/permissions/{kind}/{name}"
        ))
        .json(&json!({"role": role}))
        .send()
        .await
        .expect_status(200);
}

/// Each caller sees the view its rights allow; transcript 56 gives the shape and the
/// `owners` avatar.
async fn organization_view(backend: Backend) {
    let berth = Berth::start(backend).await;
    let callers = Callers::new(&berth, "member").await;
    let owner = &callers.owner.1;
    create_repo(owner, "app").await;
    grant(owner, "app", "team", "devs", "read").await;
    assert_eq!(
        avatar("owners"),
        (
            "6f0e3a8c0eb46e8834b43b03374ece43a030621d92a7437beb48f871e90f8d90".to_owned(),
            "#c7c7c7"
        )
    );

    let all_visible = [
        team_json("owners", "admin", true, 0, 2),
        team_json("devs", "member", true, 1, 1),
    ];
    let admin_view = org_view("acme@example.com", true, true, Some(&all_visible));
    let member_teams = [
        team_json("owners", "admin", false, 0, 2),
        team_json("devs", "member", true, 1, 1),
    ];
    let member_view = org_view("", false, true, Some(&member_teams));
    let public_view = org_view("", false, false, None);
    let auditor_view = org_view("acme@example.com", false, false, Some(&all_visible));
    let expected = [
        (&callers.anon, &public_view),
        (owner, &admin_view),
        (&callers.orgadmin, &admin_view),
        (&callers.member.1, &member_view),
        (&callers.outsider, &public_view),
        (&callers.org_token, &admin_view),
        // Without org:admin or repo:create a token cannot act as a member at all.
        (&callers.repo_admin_token, &public_view),
        (&callers.user_token, &public_view),
        // A superuser without FULL_ACCESS sees what anyone sees.
        (&callers.admin, &public_view),
        (&callers.auditor, &auditor_view),
    ];
    for (client, view) in expected {
        client.get(ORG).send().await.expect(200, view);
    }
    // repo:create caps the owner's role at creator: a member who sees only its own teams.
    let creator_token = scoped(&berth, owner, "t5", "repo:create").await;
    let creator_teams = [
        team_json("owners", "admin", true, 0, 2),
        team_json("devs", "member", false, 1, 1),
    ];
    creator_token
        .get(ORG)
        .send()
        .await
        .expect(200, &org_view("", false, true, Some(&creator_teams)));

    // Unknown names and user namespaces are no organizations, for anyone.
    let host = berth.addr.clone();
    for client in [&callers.anon, owner, &callers.auditor] {
        for path in ["/api/v1/organization/nope", "/api/v1/organization/owner"] {
            assert_not_found(client, path, &host).await;
        }
    }
}

/// With FEATURE_QUOTA_MANAGEMENT members see quota fields; with FULL_ACCESS the superuser sees
/// and changes every organization, and gets 404 for unknown ones where others get 403.
async fn quotas_and_full_access(backend: Backend) {
    let options = Options {
        quota_management: true,
        superusers_full_access: true,
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    let (_, outsider) = user_session(&berth, &admin, "outsider").await;
    create_org(&owner, "acme").await;

    let quota = ", \"quotas\": [], \"quota_report\": {\"quota_bytes\": 0, \"configured_quota\": \
                 null, \"running_backfill\": \"waiting\", \"backfill_status\": \"waiting\"}}\n";
    let owners = [team_json("owners", "admin", true, 0, 1)];
    let owner_view = org_view("acme@example.com", true, true, Some(&owners)).replace("}\n", quota);
    owner.get(ORG).send().await.expect(200, &owner_view);
    outsider
        .get(ORG)
        .send()
        .await
        .expect(200, &org_view("", false, false, None));
    admin.get(ORG).send().await.expect(
        200,
        &org_view("acme@example.com", false, false, Some(&owners)),
    );

    let host = berth.addr.clone();
    admin
        .get(&format!("{ORG}/members"))
        .send()
        .await
        .expect_status(200);
    for path in ["/members", "/collaborators", "/members/owner"] {
        let unknown = format!("/api/v1/organization/nope{path}");
        assert_not_found(&admin, &unknown, &host).await;
        owner
            .get(&unknown)
            .send()
            .await
            .expect(403, &wire::insufficient_scope(&host));
    }
    let changed = admin
        .put(ORG)
        .json(&json!({"tag_expiration_s": 86400}))
        .send()
        .await;
    changed.expect_status(200);
    assert_eq!(changed.json()["email"], "acme@example.com");
    assert_eq!(changed.json()["is_admin"], false);
    let entries = log_entries(&owner, LOGS).await;
    assert_eq!(entries[0]["kind"], "org_change_tag_expiration");
    assert_eq!(entries[0]["performer"]["name"], "admin");
    admin.delete(ORG).send().await.expect_status(204);
    assert_not_found(&owner, ORG, &host).await;
}

/// `PUT` changes e-mail, invoicing and the time-machine window with Quay's logs; bad bodies
/// and refused values change nothing.
async fn update_settings(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    create_org(&owner, "acme").await;

    let body = json!({"email": "contact@acme.io", "invoice_email": true,
        "invoice_email_address": "billing@acme.io", "tag_expiration_s": 604800});
    let resp = owner.put(ORG).json(&body).send().await;
    resp.expect_status(200);
    let view = resp.json();
    assert_eq!(view["email"], "contact@acme.io");
    assert_eq!(view["avatar"]["hash"], avatar("contact@acme.io").0);
    assert_eq!(
        (
            &view["invoice_email"],
            &view["invoice_email_address"],
            &view["tag_expiration_s"]
        ),
        (&json!(true), &json!("billing@acme.io"), &json!(604800))
    );
    assert_eq!(view["ordered_teams"], json!(["owners"]));
    assert_eq!(owner.get(ORG).send().await.json(), view);
    let entries = log_entries(&owner, LOGS).await;
    let kinds: Vec<&Value> = entries.iter().map(|e| &e["kind"]).take(4).collect();
    assert_eq!(
        kinds,
        [
            "org_change_tag_expiration",
            "org_change_email",
            "org_change_invoicing",
            "org_change_invoicing"
        ]
    );
    assert_eq!(
        entries[3]["metadata"],
        json!({"invoice_email": true, "namespace": "acme"})
    );
    assert_logged(
        &entries,
        &[
            (
                "org_change_invoicing",
                json!({"invoice_email_address": "billing@acme.io", "namespace": "acme"}),
            ),
            (
                "org_change_email",
                json!({"email": "contact@acme.io", "namespace": "acme", "old_email": "acme@example.com"}),
            ),
            (
                "org_change_tag_expiration",
                json!({"tag_expiration": 604800, "namespace": "acme"}),
            ),
        ],
    );

    // Refused: by the schema first, then by Quay's data checks. An invoicing change in the
    // same body as a refused value is not applied either.
    let host = berth.addr.clone();
    let refusals = [
        (
            json!({"tag_expiration_s": "soon"}),
            wire::invalid_request(&host, "'soon' is not of type 'integer'"),
        ),
        (
            json!({"tag_expiration_s": -1}),
            wire::invalid_request(&host, "-1 is less than the minimum of 0"),
        ),
        (
            json!({"invoice_email": "yes"}),
            wire::invalid_request(&host, "'yes' is not of type 'boolean'"),
        ),
        (
            json!({"invoice_email_address": 5}),
            wire::invalid_request(&host, "5 is not of type 'string', 'null'"),
        ),
        (
            json!({"email": null}),
            wire::invalid_request(&host, "None is not of type 'string'"),
        ),
        (
            json!([]),
            wire::invalid_request(&host, "[] is not of type 'object'"),
        ),
        (
            json!({"invoice_email": false, "tag_expiration_s": 12345}),
            wire::data_model("Invalid tag expiration option"),
        ),
        (
            json!({"invoice_email": false, "email": "owner@example.com"}),
            wire::invalid_request(&host, "E-mail address already used"),
        ),
    ];
    for (body, answer) in refusals {
        owner.put(ORG).json(&body).send().await.expect(400, &answer);
    }
    assert_eq!(owner.get(ORG).send().await.json(), view);
    assert_eq!(log_entries(&owner, LOGS).await.len(), entries.len());

    // Unchanged values log nothing, except the window, which Quay logs whenever it is given;
    // a null address removes the address.
    let same = json!({"email": "contact@acme.io", "invoice_email_address": "billing@acme.io"});
    owner.put(ORG).json(&same).send().await.expect_status(200);
    assert_eq!(log_entries(&owner, LOGS).await.len(), entries.len());
    let cleared = owner
        .put(ORG)
        .json(&json!({"invoice_email_address": null, "tag_expiration_s": 604800}))
        .send()
        .await;
    assert_eq!(cleared.json()["invoice_email_address"], Value::Null);
    let after = log_entries(&owner, LOGS).await;
    assert_eq!(after.len(), entries.len() + 2);
    assert_logged(
        &after,
        &[(
            "org_change_invoicing",
            json!({"invoice_email_address": null, "namespace": "acme"}),
        )],
    );
}

/// Only admins delete, with `org_delete` written; the name is free again at once.
async fn delete_organization(backend: Backend) {
    let berth = Berth::start(backend).await;
    let callers = Callers::new(&berth, "member").await;
    let owner = &callers.owner.1;
    create_repo(owner, "app").await;
    let refused = [
        &callers.anon,
        &callers.member.1,
        &callers.outsider,
        &callers.repo_admin_token,
        &callers.user_token,
        &callers.admin,
        &callers.auditor,
    ];
    for client in refused {
        client.delete(ORG).send().await.expect_status(403);
    }
    owner.get(ORG).send().await.expect_status(200);

    callers.orgadmin.delete(ORG).send().await.expect(204, "");
    let host = berth.addr.clone();
    assert_not_found(owner, ORG, &host).await;
    let entries = log_entries(&callers.admin, "/api/v1/superuser/logs").await;
    assert_logged(&entries, &[("org_delete", json!({"namespace": "acme"}))]);
    let deletes = entries.iter().filter(|e| e["kind"] == "org_delete").count();
    assert_eq!(deletes, 1, "refused requests write nothing");

    create_org(owner, "acme").await;
    let owners = [team_json("owners", "admin", true, 0, 1)];
    owner.get(ORG).send().await.expect(
        200,
        &org_view("acme@example.com", true, true, Some(&owners)),
    );
    // The member of the deleted organization is in none of the new one's teams.
    assert_eq!(user_organizations(&callers.member.1).await, json!([]));
}

/// The member list (users only), one member (a robot of the organization too), removal from
/// every team and grant, and outside collaborators.
async fn members_and_collaborators(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    for name in ["bob", "carol", "dave"] {
        user_session(&berth, &admin, name).await;
    }
    create_org(&owner, "acme").await;
    for robot in ["ci", "idle"] {
        owner
            .put(&format!("{ORG}/robots/{robot}"))
            .send()
            .await
            .expect_status(201);
    }
    owner
        .put("/api/v1/user/robots/mine")
        .send()
        .await
        .expect_status(201);
    create_team(&owner, "acme", "devs", "member", &["bob", "acme+ci"]).await;
    create_repo(&owner, "app").await;
    grant(&owner, "app", "user", "bob", "write").await;
    grant(&owner, "app", "user", "carol", "read").await;

    let team = |name: &str| {
        format!(
            "{{\"name\": \"{name}\", \"avatar\": {}}}",
            avatar_json(name, name, "team")
        )
    };
    let member = |name: &str, team_name: &str| {
        format!(
            "{{\"name\": \"{name}\", \"kind\": \"user\", \"avatar\": {}, \"teams\": [{}], \
             \"repositories\": [\"app\"]}}",
            avatar_json(name, &format!("{name}@example.com"), "user"),
            team(team_name)
        )
    };
    owner.get(&format!("{ORG}/members")).send().await.expect(
        200,
        &format!(
            "{{\"members\": [{}, {}]}}\n",
            member("bob", "devs"),
            member("owner", "owners")
        ),
    );
    owner
        .get(&format!("{ORG}/members/bob"))
        .send()
        .await
        .expect(200, &format!("{}\n", member("bob", "devs")));
    let ci = owner.get(&format!("{ORG}/members/acme+ci")).send().await;
    ci.expect_status(200);
    assert_eq!(
        (&ci.json()["kind"], &ci.json()["avatar"]["kind"]),
        (&json!("robot"), &json!("robot"))
    );
    assert_eq!(ci.json()["teams"][0]["name"], "devs");
    // The organization's robots are members even in no team; nobody else is.
    let idle = owner.get(&format!("{ORG}/members/acme+idle")).send().await;
    assert_eq!(idle.json()["teams"], json!([]), "{}", idle.text());
    let host = berth.addr.clone();
    for stranger in ["carol", "nobody", "owner+mine", "acme"] {
        assert_not_found(&owner, &format!("{ORG}/members/{stranger}"), &host).await;
    }
    let carol = format!(
        "{{\"kind\": \"user\", \"name\": \"carol\", \"avatar\": {}, \"repositories\": [\"app\"]}}",
        avatar_json("carol", "carol@example.com", "user")
    );
    let collaborators = format!("{ORG}/collaborators");
    let only_carol = format!("{{\"collaborators\": [{carol}]}}\n");
    owner
        .get(&collaborators)
        .send()
        .await
        .expect(200, &only_carol);

    // Removal takes bob out of devs and drops his grant; the only admin stays.
    owner
        .delete(&format!("{ORG}/members/bob"))
        .send()
        .await
        .expect(204, "");
    let devs = owner.get(&format!("{ORG}/team/devs/members")).send().await;
    assert_eq!(names(&devs.json()["members"]), ["acme+ci"]);
    let grants = owner
        .get("/api/v1/repository/acme/app/permissions/user/")
        .send()
        .await
        .json();
    assert!(grants["permissions"].get("bob").is_none(), "{grants}");
    assert_not_found(&owner, &format!("{ORG}/members/bob"), &host).await;
    owner
        .delete(&format!("{ORG}/members/owner"))
        .send()
        .await
        .expect(
            400,
            &wire::data_model("Cannot remove user as they are the only organization admin"),
        );
    for unknown in ["nobody", "acme+ci"] {
        owner
            .delete(&format!("{ORG}/members/{unknown}"))
            .send()
            .await
            .expect(404, &wire::not_found(&host));
    }
    // Someone in no team is simply left as is, as in Quay.
    owner
        .delete(&format!("{ORG}/members/dave"))
        .send()
        .await
        .expect(204, "");
    assert_eq!(owner.get(ORG).send().await.json()["is_admin"], true);
    // Without his grant bob is no collaborator either.
    owner
        .get(&collaborators)
        .send()
        .await
        .expect(200, &only_carol);
}

/// The user view lists the caller's organizations with its rights there, capped by the
/// token's scopes; without `user:admin` the admin-only fields are left out.
async fn user_view_organizations(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    let (_, member) = user_session(&berth, &admin, "member").await;
    let (_, outsider) = user_session(&berth, &admin, "outsider").await;
    create_org(&owner, "acme").await;
    create_team(&owner, "acme", "devs", "creator", &["member"]).await;

    let org = |name: &str, create: bool, admin: Option<bool>| {
        let mut out = format!(
            "{{\"name\": \"{name}\", \"avatar\": {}, \"can_create_repo\": {create}, \"public\": false",
            avatar_json(name, &format!("{name}@example.com"), "org")
        );
        if let Some(admin) = admin {
            out.push_str(&format!(
                ", \"is_org_admin\": {admin}, \"preferred_namespace\": false"
            ));
        }
        out + "}"
    };
    let parse = |text: String| serde_json::from_str::<Value>(&text).unwrap();
    assert_eq!(
        user_organizations(&owner).await,
        parse(format!("[{}]", org("acme", true, Some(true))))
    );
    assert_eq!(
        user_organizations(&member).await,
        parse(format!("[{}]", org("acme", true, Some(false))))
    );
    assert_eq!(user_organizations(&outsider).await, json!([]));
    owner
        .put("/api/v1/organization/acme/team/devs")
        .json(&json!({"role": "member"}))
        .send()
        .await
        .expect_status(200);
    assert_eq!(
        user_organizations(&member).await,
        parse(format!("[{}]", org("acme", false, Some(false))))
    );

    // A token that may only read the user: its organizations without the admin fields, and
    // no rights there; `repo:create` lets it create repositories but not administer.
    let reader = scoped(&berth, &owner, "tokens", "user:read").await;
    let (hash, color) = avatar("owner@example.com");
    let tokens_org = "{\"name\": \"tokens\", \"avatar\": ".to_owned()
        + &avatar_json("tokens", "tokens@example.com", "org")
        + ", \"can_create_repo\": false, \"public\": false}";
    reader.get("/api/v1/user/").send().await.expect(
        200,
        &format!(
            "{{\"anonymous\": false, \"username\": \"owner\", \"avatar\": {{\"name\": \"owner\", \
             \"hash\": \"{hash}\", \"color\": \"{color}\", \"kind\": \"user\"}}, \
             \"organizations\": [{}, {tokens_org}]}}\n",
            org("acme", false, None)
        ),
    );
    let creator = scoped(&berth, &owner, "tokens2", "user:read repo:create").await;
    let listed = user_organizations(&creator).await;
    assert_eq!(listed[0], parse(org("acme", true, None)));
}

/// `GET /api/v1/users/{username}`: anyone sees a user's name and avatar; the user itself sees
/// what its credential allows, as on `/api/v1/user/`; superusers learn whether it is them.
/// Organizations, robots and unknown names are 404.
async fn user_information(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    let (_, outsider) = user_session(&berth, &admin, "outsider").await;
    create_org(&owner, "acme").await;
    owner
        .put("/api/v1/user/robots/bot")
        .send()
        .await
        .expect_status(201);
    const OWNER: &str = "/api/v1/users/owner";
    let public = |extra: &str| {
        format!(
            "{{\"anonymous\": false, \"username\": \"owner\", \"avatar\": {}{extra}}}\n",
            avatar_json("owner", "owner@example.com", "user")
        )
    };
    let anon = Client::anon(&berth);
    for client in [&anon, &outsider] {
        client.get(OWNER).send().await.expect(200, &public(""));
    }

    // The user itself, through credentials of each reach.
    let mine = owner.get("/api/v1/user/").send().await.text();
    owner.get(OWNER).send().await.expect(200, &mine);
    let reader = scoped(&berth, &owner, "tokens", "user:read").await;
    let read_view = reader.get("/api/v1/user/").send().await.text();
    assert!(!read_view.contains("\"email\""), "{read_view}");
    reader.get(OWNER).send().await.expect(200, &read_view);
    let puller = scoped(&berth, &owner, "tokens2", "repo:read").await;
    puller.get(OWNER).send().await.expect(200, &public(""));

    // Superusers are told whether they look at themselves.
    admin
        .get(OWNER)
        .send()
        .await
        .expect(200, &public(", \"super_user\": false"));
    let own = admin.get("/api/v1/users/admin").send().await;
    own.expect(200, &admin.get("/api/v1/user/").send().await.text());
    assert_eq!(own.json()["super_user"], true);
    let auditor = create_auditor(&admin).await;
    let auditor = Client::session(&berth, &auditor.username, &auditor.password).await;
    auditor
        .get(OWNER)
        .send()
        .await
        .expect(200, &public(", \"global_readonly_super_user\": false"));

    let host = berth.addr.clone();
    for name in ["acme", "owner+bot", "nobody"] {
        assert_not_found(&anon, &format!("/api/v1/users/{name}"), &host).await;
    }
}

/// Every caller of §1.3 against every endpoint: 401 anonymous, 403 without the right, 400
/// for bad bodies before the rights are checked; nothing refused changes anything.
async fn organization_authorization(backend: Backend) {
    let berth = Berth::start(backend).await;
    let callers = Callers::new(&berth, "member").await;
    let owner = &callers.owner.1;

    // The view, an empty change, members, one member, collaborators, removing an unknown
    // member (404 for those who pass), a body the schema refuses, deleting an unknown
    // organization.
    let expected = [
        // Anonymous writes fail the CSRF check first (403), as in Quay.
        [200, 403, 401, 401, 401, 403, 403, 403],
        [200, 200, 200, 200, 200, 404, 400, 403],
        [200, 200, 200, 200, 200, 404, 400, 403],
        [200, 403, 403, 403, 403, 403, 400, 403],
        [200, 403, 403, 403, 403, 403, 400, 403],
        [200, 200, 200, 200, 200, 404, 400, 403],
        [200, 403, 403, 403, 403, 403, 400, 403],
        [200, 403, 403, 403, 403, 403, 400, 403],
        [200, 403, 403, 403, 403, 403, 400, 403],
        [200, 403, 403, 403, 403, 403, 400, 403],
        [200, 403, 200, 200, 200, 403, 400, 403],
    ];
    callers
        .check(expected, |client| async move {
            [
                client.get(ORG).send().await,
                client.put(ORG).json(&json!({})).send().await,
                client.get(&format!("{ORG}/members")).send().await,
                client.get(&format!("{ORG}/members/member")).send().await,
                client.get(&format!("{ORG}/collaborators")).send().await,
                client.delete(&format!("{ORG}/members/nobody")).send().await,
                client
                    .put(ORG)
                    .json(&json!({"tag_expiration_s": "soon"}))
                    .send()
                    .await,
                client.delete("/api/v1/organization/nope").send().await,
            ]
        })
        .await;
    let host = berth.addr.clone();
    let members = format!("{ORG}/members");
    let refusals = [
        (callers.anon.get(&members), 401, wire::requires_auth(&host)),
        (
            callers.member.1.get(&members),
            403,
            wire::insufficient_scope(&host),
        ),
        (
            callers.member.1.delete(&format!("{members}/owner")),
            403,
            wire::insufficient_scope(&host),
        ),
        (
            callers.anon.delete(ORG),
            403,
            wire::abort(wire::CSRF_INVALID),
        ),
    ];
    for (request, status, body) in refusals {
        request.send().await.expect(status, &body);
    }

    // Nothing above changed the organization or its members.
    let entries = log_entries(owner, LOGS).await;
    assert!(
        entries
            .iter()
            .all(|e| !e["kind"].as_str().unwrap().starts_with("org_change")),
        "{entries:?}"
    );
    let members = owner.get(&members).send().await.json();
    assert_eq!(names(&members["members"]), ["member", "orgadmin", "owner"]);
}

/// Asserts that `GET path` answers 404 `not_found`.
async fn assert_not_found(client: &Client, path: &str, host: &str) {
    client
        .get(path)
        .send()
        .await
        .expect(404, &wire::not_found(host));
}

/// The `organizations` of `client`'s user view.
async fn user_organizations(client: &Client) -> Value {
    let resp = client.get("/api/v1/user/").send().await;
    resp.expect_status(200);
    resp.json()["organizations"].clone()
}

/// The `name`s of a list of members.
fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|m| m["name"].as_str().expect("name"))
        .collect()
}

/// Organization paths named after a user: Quay makes every user the admin of its own
/// namespace, so the user passes the rights check and then no organization is found (404);
/// everyone else is refused first (403), as on any organization they do not administer.
async fn own_namespace_is_no_organization(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    let (_, outsider) = user_session(&berth, &admin, "outsider").await;
    owner
        .put("/api/v1/user/robots/bot")
        .send()
        .await
        .expect_status(201);
    let org_token = scoped(&berth, &owner, "tokens", "org:admin").await;
    let repo_token = scoped(&berth, &owner, "tokens2", "repo:read").await;
    let host = berth.addr.clone();
    let ns = "/api/v1/organization/owner";
    let prototype = json!({"role": "read", "delegate": {"name": "owner", "kind": "user"}});
    let app = json!({"name": "cli", "redirect_uri": "", "application_uri": ""});
    let (get, post, put, delete) = (Method::GET, Method::POST, Method::PUT, Method::DELETE);
    // Anyone may look at an organization: that is 404 for everyone.
    for client in [&owner, &org_token, &outsider, &repo_token] {
        assert_not_found(client, ns, &host).await;
    }
    let not_found: Vec<(Method, String, Option<Value>)> = vec![
        (put.clone(), String::new(), Some(json!({}))),
        (get.clone(), "/members".into(), None),
        (get.clone(), "/members/owner".into(), None),
        (delete.clone(), "/members/owner".into(), None),
        (get.clone(), "/collaborators".into(), None),
        (get.clone(), "/applications".into(), None),
        (
            post.clone(),
            "/applications".into(),
            Some(json!({"name": "cli"})),
        ),
        (get.clone(), "/applications/X".into(), None),
        (put.clone(), "/applications/X".into(), Some(app)),
        (
            post.clone(),
            "/applications/X/resetclientsecret".into(),
            None,
        ),
        (delete.clone(), "/applications/X".into(), None),
        (get.clone(), "/applications/X/tokens".into(), None),
        (
            post.clone(),
            "/applications/X/tokens".into(),
            Some(json!({"name": "t", "scope": "repo:read"})),
        ),
        (delete.clone(), "/applications/X/tokens/u".into(), None),
        (get.clone(), "/prototypes".into(), None),
        (post.clone(), "/prototypes".into(), Some(prototype)),
        (
            put.clone(),
            "/prototypes/p".into(),
            Some(json!({"role": "write"})),
        ),
        (delete.clone(), "/prototypes/p".into(), None),
        (get.clone(), "/team/devs/members".into(), None),
        (put.clone(), "/team/devs/members/owner".into(), None),
        (delete.clone(), "/team/devs/members/owner".into(), None),
        (get.clone(), "/team/devs/permissions".into(), None),
        // Berth's own answer on the robot paths: Quay lists the user's robots here, deletes
        // them, or fails in its data layer ("Organization does not exist").
        (get.clone(), "/robots".into(), None),
        (get.clone(), "/robots/bot".into(), None),
        (put.clone(), "/robots/bot".into(), None),
        (post.clone(), "/robots/bot/regenerate".into(), None),
        (get.clone(), "/robots/bot/permissions".into(), None),
        (delete.clone(), "/robots/bot".into(), None),
        // Last: had it deleted anything, the rest would have found nothing either.
        (delete.clone(), String::new(), None),
    ];
    // The team writes meet Quay's data-model errors once the rights check is passed.
    let team_writes = [
        (
            put.clone(),
            "/team/devs".to_owned(),
            Some(json!({"role": "member"})),
            wire::data_model("Organization does not exist: owner"),
        ),
        (
            delete.clone(),
            "/team/devs".to_owned(),
            None,
            wire::data_model("Team 'devs' is not a team in org 'owner'"),
        ),
    ];
    let call = |client: &Client, method: &Method, path: &str, body: &Option<Value>| {
        let request = client.request(method.clone(), &format!("{ns}{path}"));
        let request = match body {
            Some(body) => request.json(body),
            None => request,
        };
        request.send()
    };
    let refused = (403, wire::insufficient_scope(&host));
    let missing = (404, wire::not_found(&host));
    for (method, path, body) in &not_found {
        for (client, expected) in [
            (&outsider, &refused),
            (&repo_token, &refused),
            (&owner, &missing),
            (&org_token, &missing),
        ] {
            let resp = call(client, method, path, body).await;
            assert_eq!(&(resp.status, resp.text()), expected, "{method} {path}");
        }
    }
    for (method, path, body, refusal) in &team_writes {
        let resp = call(&outsider, method, path, body).await;
        assert_eq!(resp.status, 403, "{method} {path}");
        for client in [&owner, &org_token] {
            let resp = call(client, method, path, body).await;
            assert_eq!(
                (resp.status, &resp.text()),
                (400, refusal),
                "{method} {path}"
            );
        }
    }

    // Nothing happened to the user or its robot.
    owner.get("/api/v1/user/").send().await.expect_status(200);
    owner
        .get("/api/v1/user/robots/bot")
        .send()
        .await
        .expect_status(200);
}

backends!(
    own_namespace_is_no_organization,
    organization_view,
    quotas_and_full_access,
    update_settings,
    delete_organization,
    members_and_collaborators,
    user_view_organizations,
    user_information,
    organization_authorization
);
