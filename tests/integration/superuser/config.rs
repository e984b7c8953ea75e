//! The superuser's configuration view (`GET /api/v1/superuser/config`), secrets masked, and
//! the registry status Quay's clients probe.

use serde_json::json;

use crate::harness::fixtures::{admin, create_auditor, create_user};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Options};

async fn configuration_view(backend: Backend) {
    let options = Options {
        extra_yaml:
            "SECRET_KEY: abcdef\nMAIL_PASSWORD: hunter22\nSETUP_COMPLETE: true\nNOT_A_QUAY_KEY: 1\n"
                .into(),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let dump = admin.get("/api/v1/superuser/config").send().await;
    dump.expect_status(200);
    let dump = dump.json();
    let keys: Vec<&String> = dump.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["config", "warning", "env", "schema"]);
    let config = &dump["config"];
    assert_eq!(config["SERVER_HOSTNAME"], berth.addr.as_str());
    assert_eq!(config["SECRET_KEY"], "****** (6)");
    assert_eq!(config["MAIL_PASSWORD"], "******** (8)");
    let db_uri = config["DB_URI"].as_str().expect("DB_URI");
    assert!(db_uri.starts_with("**********"), "{db_uri}");
    assert_eq!(config["FEATURE_AUTO_PRUNE"], true);
    assert_eq!(config["FEATURE_SUPER_USERS"], true);
    assert_eq!(
        dump["warning"],
        json!({"SETUP_COMPLETE": true, "NOT_A_QUAY_KEY": 1})
    );
    assert_eq!(dump["env"], json!({}));
    assert!(dump["schema"]["properties"]["SECRET_KEY"].is_object());

    // Any superuser; not a user; not an anonymous caller.
    let auditor = create_auditor(&admin).await;
    let auditor = Client::session(&berth, &auditor.username, &auditor.password).await;
    auditor
        .get("/api/v1/superuser/config")
        .send()
        .await
        .expect_status(200);
    let user = create_user(&admin, "someone").await;
    let user = Client::session(&berth, &user.username, &user.password).await;
    user.get("/api/v1/superuser/config")
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    let anonymous = Client::anon(&berth);
    anonymous
        .get("/api/v1/superuser/config")
        .send()
        .await
        .expect_status(401);
    anonymous
        .get("/api/v1/superuser/registrystatus")
        .send()
        .await
        .expect(200, "{\"provider_id\": \"file\", \"status\": \"ready\"}\n");
}

backends!(configuration_view);

/// With Quay's `FEATURE_SUPERUSER_CONFIGDUMP: false`, nobody reads it.
async fn configuration_view_switched_off(backend: Backend) {
    let options = Options {
        extra_yaml: "FEATURE_SUPERUSER_CONFIGDUMP: false\n".into(),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    admin
        .get("/api/v1/superuser/config")
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
}

backends!(configuration_view_switched_off);
