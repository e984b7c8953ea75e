//! Entity search (`GET /api/v1/entities/{prefix}`): users by prefix for everyone, the exact
//! name first; robots, teams and the organization of `namespace` only for its members; a
//! user's own robots on its own namespace.

use serde_json::Value;

use crate::harness::fixtures::{admin, create_org, create_team, create_user, user_session};
use crate::harness::{backends, Backend, Berth, Client};

/// `(name, kind, is_robot, is_org_member)` of each result, in order.
async fn search(client: &Client, query: &str) -> Vec<(String, String, Value, Value)> {
    let resp = client
        .get(&format!("/api/v1/entities/{query}"))
        .send()
        .await;
    resp.expect_status(200);
    resp.json()["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["kind"].as_str().unwrap().to_owned(),
                r["is_robot"].clone(),
                r["is_org_member"].clone(),
            )
        })
        .collect()
}

fn entity(name: &str, kind: &str, robot: Value, member: Value) -> (String, String, Value, Value) {
    (name.to_owned(), kind.to_owned(), robot, member)
}

async fn entity_search(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, alice) = user_session(&berth, &admin, "alice").await;
    let (_, bob) = user_session(&berth, &admin, "bob").await;
    create_user(&admin, "alvin").await;
    create_user(&admin, "al").await;
    create_org(&alice, "acme").await;
    create_team(&alice, "acme", "devs", "member", &["alvin"]).await;
    create_team(&alice, "acme", "deploy", "member", &[]).await;
    for path in [
        "/api/v1/organization/acme/robots/alpha",
        "/api/v1/user/robots/apple",
    ] {
        alice.put(path).send().await.expect_status(201);
    }
    let (t, f, null) = (Value::Bool(true), Value::Bool(false), Value::Null);

    // A member: the exact name first, then the organization's robots, then users by name.
    assert_eq!(
        search(
            &alice,
            "AL?namespace=acme&includeTeams=true&includeOrgs=true"
        )
        .await,
        [
            entity("al", "user", f.clone(), f.clone()),
            entity("acme+alpha", "user", t.clone(), t.clone()),
            entity("alice", "user", f.clone(), t.clone()),
            entity("alvin", "user", f.clone(), t.clone()),
        ]
    );
    assert_eq!(
        search(&alice, "de?namespace=acme&includeTeams=true").await,
        [
            entity("deploy", "team", null.clone(), t.clone()),
            entity("devs", "team", null.clone(), t.clone()),
        ]
    );
    assert_eq!(
        search(&alice, "ac?namespace=acme&includeOrgs=true").await,
        [entity("acme", "org", null.clone(), t.clone())]
    );
    // Outsiders and anonymous callers find users only.
    for client in [&bob, &Client::anon(&berth)] {
        assert_eq!(
            search(
                client,
                "al?namespace=acme&includeTeams=true&includeOrgs=true"
            )
            .await,
            [
                entity("al", "user", f.clone(), f.clone()),
                entity("alice", "user", f.clone(), t.clone()),
                entity("alvin", "user", f.clone(), t.clone()),
            ]
        );
        assert!(search(client, "de?namespace=acme&includeTeams=true")
            .await
            .is_empty());
    }
    // A user's own robots on its own namespace; without a namespace, no robots or membership.
    assert_eq!(
        search(&alice, "ap?namespace=alice").await,
        [entity("alice+apple", "user", t.clone(), null.clone())]
    );
    assert_eq!(
        search(&bob, "ap?namespace=alice").await,
        Vec::<(String, String, Value, Value)>::new()
    );
    assert_eq!(
        search(&alice, "alice").await,
        [entity("alice", "user", f.clone(), null.clone())]
    );
    // Names that LIKE would read as patterns match literally.
    assert!(search(&alice, "a%25").await.is_empty());
    assert!(search(&alice, "a_ice").await.is_empty());
}

backends!(entity_search);
