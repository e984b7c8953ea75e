//! Global messages (Quay's `globalmessages`): everyone reads them; superusers post and remove
//! them with a fresh login.

use serde_json::json;

use crate::harness::fixtures::{admin, create_user};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client};

const NOT_PERMITTED: &str = "You don't have the permission to access the requested resource. \
                             It is either read-protected or not readable by the server.";

async fn global_messages(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let user = create_user(&admin, "reader").await;
    let user = Client::session(&berth, &user.username, &user.password).await;
    let anonymous = Client::anon(&berth);
    anonymous
        .get("/api/v1/messages")
        .send()
        .await
        .expect(200, "{\"messages\": []}\n");

    let message = json!({"message": {"content": "Maintenance at **noon**", "media_type": "text/markdown", "severity": "warning"}});
    admin
        .post("/api/v1/messages")
        .json(&message)
        .send()
        .await
        .expect(201, "");
    let listed = anonymous.get("/api/v1/messages").send().await.json();
    let uuid = listed["messages"][0]["uuid"]
        .as_str()
        .expect("uuid")
        .to_owned();
    assert_eq!(
        listed,
        json!({"messages": [{"uuid": uuid, "content": "Maintenance at **noon**", "severity": "warning", "media_type": "text/markdown"}]})
    );
    let keys: Vec<&String> = listed["messages"][0]
        .as_object()
        .expect("message")
        .keys()
        .collect();
    assert_eq!(keys, ["uuid", "content", "severity", "media_type"]);

    // Bad bodies in jsonschema's words, before the caller's rights are looked at.
    let problem = |detail: &str| wire::problem(&berth.addr, 400, "invalid_request", detail);
    for (body, detail) in [
        (
            json!({"message": {"content": "x", "media_type": "text/plain", "severity": "critical"}}),
            "'critical' is not one of ['info', 'warning', 'error']",
        ),
        (
            json!({"message": {"content": "x", "media_type": "text/html", "severity": "info"}}),
            "'text/html' is not one of ['text/plain', 'text/markdown']",
        ),
        (
            json!({"message": {"media_type": "text/plain", "severity": "info"}}),
            "'content' is a required property",
        ),
        (json!({}), "'message' is a required property"),
    ] {
        admin
            .post("/api/v1/messages")
            .json(&body)
            .send()
            .await
            .expect(400, &problem(detail));
    }
    user.post("/api/v1/messages")
        .json(&message)
        .send()
        .await
        .expect(403, &format!("{{\"message\": \"{NOT_PERMITTED}\"}}\n"));
    let path = format!("/api/v1/message/{uuid}");
    user.delete(&path)
        .send()
        .await
        .expect(403, &format!("{{\"message\": \"{NOT_PERMITTED}\"}}\n"));
    anonymous
        .delete(&path)
        .send()
        .await
        .expect(403, &wire::abort(wire::CSRF_INVALID));

    admin.delete(&path).send().await.expect(204, "");
    admin
        .delete("/api/v1/message/no-such-message")
        .send()
        .await
        .expect(204, "");
    anonymous
        .get("/api/v1/messages")
        .send()
        .await
        .expect(200, "{\"messages\": []}\n");
}

backends!(global_messages);
