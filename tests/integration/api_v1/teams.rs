//! Teams and team members (core-api.md §3.6): changes, the last-admin-team rules, views, logs
//! and each caller's rights.

use serde_json::json;

use super::permissions::{assert_logged, log_entries, Callers};
use crate::harness::fixtures::{admin, create_org, create_team, user_session};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth};

const TEAM: &str = "/api/v1/organization/acme/team";

async fn team_lifecycle(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, owner) = user_session(&berth, &admin, "owner").await;
    let (_, alice) = user_session(&berth, &admin, "alice").await;
    create_org(&owner, "acme").await;

    let created = owner
        .put(&format!("{TEAM}/devs"))
        .json(&json!({"role": "member", "description": "builders"}))
        .send()
        .await;
    created.expect_status(200);
    let view = created.json();
    assert_eq!(
        (&view["name"], &view["description"], &view["role"]),
        (&json!("devs"), &json!("builders"), &json!("member"))
    );
    assert_eq!(
        (&view["new_team"], &view["can_view"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(view["avatar"]["kind"], "team");
    let changed = owner
        .put(&format!("{TEAM}/devs"))
        .json(&json!({"role": "creator", "description": "ship it"}))
        .send()
        .await;
    assert_eq!(changed.json()["new_team"], false);
    assert_eq!(changed.json()["role"], "creator");

    // Members are added at once (no mail); robots only from this organization.
    let added = owner
        .put(&format!("{TEAM}/devs/members/alice"))
        .send()
        .await;
    added.expect_status(200);
    let member = added.json();
    assert_eq!(
        (
            &member["name"],
            &member["kind"],
            &member["is_robot"],
            &member["invited"]
        ),
        (
            &json!("alice"),
            &json!("user"),
            &json!(false),
            &json!(false)
        )
    );
    let host = berth.addr.clone();
    owner
        .put(&format!("{TEAM}/devs/members/alice"))
        .send()
        .await
        .expect(
            400,
            &wire::data_model("User alice is already a member of team devs"),
        );
    owner
        .put(&format!("{TEAM}/devs/members/nobody"))
        .send()
        .await
        .expect(400, &wire::invalid_request(&host, "Unknown user"));
    alice
        .put("/api/v1/user/robots/mine")
        .send()
        .await
        .expect_status(201);
    owner
        .put(&format!("{TEAM}/devs/members/alice+mine"))
        .send()
        .await
        .expect(
            400,
            &wire::data_model(
                "Cannot add the specified robot to this team, as it is not a member of the organization",
            ),
        );
    owner
        .put("/api/v1/organization/acme/robots/ci")
        .send()
        .await
        .expect_status(201);
    let robot = owner
        .put(&format!("{TEAM}/devs/members/acme+ci"))
        .send()
        .await;
    assert_eq!(robot.json()["is_robot"], true);
    assert_eq!(robot.json()["avatar"]["kind"], "robot");

    // Members see their team but cannot change it.
    let listed = alice.get(&format!("{TEAM}/devs/members")).send().await;
    listed.expect_status(200);
    let body = listed.json();
    let names: Vec<&str> = body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme+ci", "alice"]);
    assert_eq!(body["can_edit"], false);
    assert_eq!(
        owner
            .get(&format!("{TEAM}/devs/members"))
            .send()
            .await
            .json()["can_edit"],
        true
    );
    alice
        .get(&format!("{TEAM}/owners/members"))
        .send()
        .await
        .expect_status(403);
    alice
        .put(&format!("{TEAM}/devs"))
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .expect_status(403);
    owner
        .get(&format!("{TEAM}/devs/permissions"))
        .send()
        .await
        .expect(200, "{\"permissions\": []}\n");

    // The last admin team stays: no demotion, deletion or leaving by its only admin.
    owner
        .put(&format!("{TEAM}/owners"))
        .json(&json!({"role": "member"}))
        .send()
        .await
        .expect(
            400,
            &wire::data_model(
                "Cannot remove admin from team 'owners' because calling user would no longer have admin on org 'acme'",
            ),
        );
    owner
        .delete(&format!("{TEAM}/owners"))
        .send()
        .await
        .expect(
            400,
            &wire::data_model(
                "Deleting team 'owners' would remove admin ability for user 'owner' in organization 'acme'",
            ),
        );
    owner
        .delete(&format!("{TEAM}/owners/members/owner"))
        .send()
        .await
        .expect(
            400,
            &wire::data_model("User cannot remove themselves from their only admin team."),
        );
    // With a second admin team, the first may be demoted.
    create_team(&owner, "acme", "admins", "admin", &["owner"]).await;
    owner
        .put(&format!("{TEAM}/owners"))
        .json(&json!({"role": "admin", "description": "kept"}))
        .send()
        .await
        .expect_status(200);

    // Bad names and bodies.
    owner
        .put(&format!("{TEAM}/Bad!"))
        .json(&json!({"role": "member"}))
        .send()
        .await
        .expect(
            400,
            &wire::data_model("Namespace must match expression ^([a-z0-9]+(?:[._-][a-z0-9]+)*)$"),
        );
    owner
        .put(&format!("{TEAM}/x2"))
        .json(&json!({"role": "boss"}))
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&host, "'boss' is not one of ['member', 'creator', 'admin']"),
        );
    owner
        .put(&format!("{TEAM}/x2"))
        .json(&json!({"description": "no role"}))
        .send()
        .await
        .expect(
            400,
            &wire::invalid_request(&host, "'role' is a required property"),
        );
    owner.delete(&format!("{TEAM}/ghosts")).send().await.expect(
        400,
        &wire::data_model("Team 'ghosts' is not a team in org 'acme'"),
    );

    owner
        .delete(&format!("{TEAM}/devs/members/alice"))
        .send()
        .await
        .expect(204, "");
    owner
        .delete(&format!("{TEAM}/devs/members/alice"))
        .send()
        .await
        .expect(
            400,
            &wire::data_model("User alice does not belong to team devs"),
        );
    owner
        .delete(&format!("{TEAM}/devs"))
        .send()
        .await
        .expect(204, "");
    owner
        .get(&format!("{TEAM}/devs/members"))
        .send()
        .await
        .expect_status(404);

    let entries = log_entries(&owner, "/api/v1/organization/acme/logs").await;
    assert_logged(
        &entries,
        &[
            ("org_create_team", json!({"team": "admins"})),
            ("org_delete_team", json!({"team": "devs"})),
            (
                "org_set_team_role",
                json!({"team": "devs", "role": "creator"}),
            ),
            (
                "org_set_team_description",
                json!({"team": "owners", "description": "kept"}),
            ),
            (
                "org_add_team_member",
                json!({"member": "owner", "team": "admins"}),
            ),
            (
                "org_remove_team_member",
                json!({"member": "alice", "team": "devs"}),
            ),
        ],
    );
    // The refused demotion wrote nothing.
    let roles = entries.iter().filter(|e| e["kind"] == "org_set_team_role");
    assert_eq!(roles.count(), 1);
}

/// Every caller of §1.3 against the team endpoints.
async fn team_authorization(backend: Backend) {
    let berth = Berth::start(backend).await;
    let callers = Callers::new(&berth, "creator").await;
    let (owner, member, auditor, anon) = (
        &callers.owner.1,
        &callers.member.1,
        &callers.auditor,
        &callers.anon,
    );

    // Members of devs, its permissions, then a PUT that changes nothing and an add that
    // repeats an existing member (400 for those who pass the check).
    let expected = [
        // Anonymous writes fail the CSRF check first (403), as in Quay.
        [401, 401, 403, 403],
        [200, 200, 200, 400],
        [200, 200, 200, 400],
        [200, 403, 403, 403],
        [403, 403, 403, 403],
        [200, 200, 200, 400],
        [403, 403, 403, 403],
        [403, 403, 403, 403],
        [403, 403, 403, 403],
        [403, 403, 403, 403],
        [200, 200, 403, 403],
    ];
    callers
        .check(expected, |client| async move {
            [
                client.get(&format!("{TEAM}/devs/members")).send().await,
                client.get(&format!("{TEAM}/devs/permissions")).send().await,
                client
                    .put(&format!("{TEAM}/devs"))
                    .json(&json!({"role": "creator"}))
                    .send()
                    .await,
                client
                    .put(&format!("{TEAM}/devs/members/member"))
                    .send()
                    .await,
            ]
        })
        .await;

    // Unknown organizations and teams: 404 only for those who could see them.
    for (client, status) in [(owner, 403), (auditor, 404), (anon, 401)] {
        let resp = client
            .get("/api/v1/organization/nope/team/devs/members")
            .send()
            .await;
        assert_eq!(resp.status, status);
    }
    owner
        .get(&format!("{TEAM}/ghosts/members"))
        .send()
        .await
        .expect_status(404);
    member
        .get(&format!("{TEAM}/ghosts/members"))
        .send()
        .await
        .expect_status(403);
    // Nothing above changed devs.
    let entries = log_entries(owner, "/api/v1/organization/acme/logs").await;
    assert!(entries.iter().all(|e| e["kind"] != "org_set_team_role"));
}

backends!(team_lifecycle, team_authorization);
