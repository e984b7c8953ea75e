//! Live user events (`/realtime/user/...`) on one node without Redis: a signed-in user hears
//! the `docker-cli` events of their own logins, pushes and pulls, and the `test` event, in
//! Quay's shapes; other users' events and robots' actions are not theirs; only a browser
//! session may listen. (`cluster.rs` carries the events between nodes through Redis.)

use serde_json::json;

use crate::harness::fixtures::{
    admin, create_user, listen_events, next_event, registry_token, Registry,
};
use crate::harness::{backends, Backend, Berth, Client};

async fn a_user_hears_their_registry_events(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    let other = create_user(&admin, "other").await;
    let session = Client::session(&berth, "dev", &dev.password).await;
    let mut heard = listen_events(&berth, &session, "docker-cli,test").await;
    assert_eq!(heard.recv().await.expect("the opening message"), json!({}));

    session
        .get("/realtime/user/test")
        .send()
        .await
        .expect(200, "OK");
    assert_eq!(
        next_event(&mut heard).await,
        json!({"event": "test", "data": {"foo": 2}})
    );

    // Someone else's login is theirs alone.
    registry_token(&berth, "other", &other.password, None)
        .await
        .expect_status(200);
    registry_token(&berth, "dev", &dev.password, None)
        .await
        .expect_status(200);
    assert_eq!(
        next_event(&mut heard).await,
        json!({"event": "docker-cli", "data": {"action": "login"}})
    );

    let registry = Registry::login(&berth, "dev", &dev.password, "dev/app").await;
    assert_eq!(
        next_event(&mut heard).await,
        json!({"event": "docker-cli", "data": {"action": "push_start", "namespace": "dev", "repository": "app"}})
    );
    assert_eq!(registry.try_push().await, 201);
    assert_eq!(
        next_event(&mut heard).await,
        json!({"event": "docker-cli", "data": {"action": "push_repo", "namespace": "dev", "repository": "app"}})
    );
    registry.get_manifest("v1").await.expect_status(200);
    assert_eq!(
        next_event(&mut heard).await,
        json!({"event": "docker-cli", "data": {"action": "pull_repo", "namespace": "dev", "repository": "app"}})
    );
}

async fn only_a_signed_in_user_listens(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let dev = create_user(&admin, "dev").await;
    let refused = "{\"error\": \"Method requires login and no valid login could be loaded.\"}";
    for client in [
        Client::anon(&berth),
        Client::basic(&berth, "dev", &dev.password),
        admin.clone(),
    ] {
        client
            .get("/realtime/user/subscribe?events=docker-cli")
            .send()
            .await
            .expect(401, refused);
        client
            .get("/realtime/user/test")
            .send()
            .await
            .expect(401, refused);
    }
    let session = Client::session(&berth, "dev", &dev.password).await;
    session
        .get("/realtime/user/subscribe?events=")
        .send()
        .await
        .expect_status(400);
}

backends!(
    a_user_hears_their_registry_events,
    only_a_signed_in_user_listens
);
