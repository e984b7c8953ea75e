//! An organization's proxy-cache configuration (`/api/v1/organization/{org}/proxycache` and
//! `validateproxycache`), validated against a real upstream: a second Berth on loopback, with
//! and without credentials.

use serde_json::json;

use crate::harness::fixtures::{admin, create_org, create_team, create_user, user_session};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Options};

fn proxy_options() -> Options {
    Options {
        extra_yaml: "FEATURE_PROXY_CACHE: true\nSSRF_ALLOWED_HOSTS: [127.0.0.1]\n".into(),
        ..Options::default()
    }
}

async fn configure_a_proxy_cache(backend: Backend) {
    let upstream = Berth::start(backend.another().await).await;
    let upstream_admin = admin(&upstream).await;
    let mirror = create_user(&upstream_admin, "mirror").await;
    let berth = Berth::start_with(backend, proxy_options()).await;
    let admin = admin(&berth).await;
    create_org(&admin, "cache").await;
    let config = "/api/v1/organization/cache/proxycache";
    let validate = "/api/v1/organization/cache/validateproxycache";

    admin.get(config).send().await.expect(
        200,
        "{\"upstream_registry\": \"\", \"expiration_s\": \"\", \"insecure\": \"\"}\n",
    );
    // Without credentials the upstream answers anonymous pulls only; with good ones it
    // answers them; bad ones are refused.
    admin
        .post(validate)
        .json(&json!({"upstream_registry": upstream.addr, "insecure": true}))
        .send()
        .await
        .expect(202, "\"Anonymous\"\n");
    admin
        .post(validate)
        .json(&json!({
            "upstream_registry": upstream.addr, "insecure": true,
            "upstream_registry_username": "mirror", "upstream_registry_password": mirror.password,
        }))
        .send()
        .await
        .expect(202, "\"Valid\"\n");
    let failed = "Failed login to remote registry. Please verify entered details and try again.";
    for body in [
        json!({"upstream_registry": upstream.addr, "insecure": true,
               "upstream_registry_username": "mirror", "upstream_registry_password": "wrong"}),
        // TLS where the upstream speaks plain HTTP; a port nothing listens on.
        json!({"upstream_registry": upstream.addr}),
        json!({"upstream_registry": "127.0.0.1:1", "insecure": true}),
    ] {
        admin
            .post(validate)
            .json(&body)
            .send()
            .await
            .expect(400, &wire::invalid_request(&berth.addr, failed));
    }
    // Hosts inside the network are refused unless SSRF_ALLOWED_HOSTS names them.
    for registry in ["10.1.2.3:5000", "localhost:5000/team"] {
        admin
            .post(config)
            .json(&json!({"upstream_registry": registry}))
            .send()
            .await
            .expect(
                400,
                &wire::invalid_request(&berth.addr, "The provided registry URL is not allowed"),
            );
    }
    // Bad bodies.
    for (body, detail) in [
        (json!({}), "'upstream_registry' is a required property"),
        (
            json!({"upstream_registry": upstream.addr, "expiration_s": -1}),
            "-1 is less than the minimum of 0",
        ),
        (
            json!({"upstream_registry": upstream.addr, "insecure": "yes"}),
            "'yes' is not of type 'boolean'",
        ),
    ] {
        admin
            .post(config)
            .json(&body)
            .send()
            .await
            .expect(400, &wire::invalid_request(&berth.addr, detail));
    }

    admin
        .post(config)
        .json(&json!({
            "upstream_registry": upstream.addr, "insecure": true,
            "upstream_registry_username": "mirror", "upstream_registry_password": mirror.password,
        }))
        .send()
        .await
        .expect(201, "\"Created\"\n");
    let shown = format!(
        "{{\"upstream_registry\": \"{}\", \"expiration_s\": 86400, \"insecure\": true}}\n",
        upstream.addr
    );
    admin.get(config).send().await.expect(200, &shown);
    let exists = wire::invalid_request(&berth.addr, "Proxy Cache Configuration already exists");
    for path in [config, validate] {
        admin
            .post(path)
            .json(&json!({"upstream_registry": upstream.addr, "insecure": true}))
            .send()
            .await
            .expect(400, &exists);
    }
    // A member reads it; only admins change it.
    let (_, member) = user_session(&berth, &admin, "member").await;
    create_team(&admin, "cache", "readers", "member", &["member"]).await;
    member.get(config).send().await.expect(200, &shown);
    member.delete(config).send().await.expect_status(403);

    admin
        .delete(config)
        .send()
        .await
        .expect(201, "\"Deleted\"\n");
    admin
        .delete(config)
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
    // `null` expiration: cached tags never expire.
    admin
        .post(config)
        .json(&json!({"upstream_registry": upstream.addr, "insecure": true, "expiration_s": null}))
        .send()
        .await
        .expect_status(201);
    admin.get(config).send().await.expect(
        200,
        &format!(
            "{{\"upstream_registry\": \"{}\", \"expiration_s\": 0, \"insecure\": true}}\n",
            upstream.addr
        ),
    );

    let logs = admin
        .get("/api/v1/organization/cache/logs")
        .send()
        .await
        .json();
    // Newest first.
    let kinds: Vec<(&str, &serde_json::Value)> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap(),
                &l["metadata"]["upstream_registry"],
            )
        })
        .filter(|(k, _)| k.contains("proxy_cache"))
        .collect();
    let registry = json!(upstream.addr);
    assert_eq!(
        kinds,
        [
            ("create_proxy_cache_config", &registry),
            ("delete_proxy_cache_config", &serde_json::Value::Null),
            ("create_proxy_cache_config", &registry),
        ]
    );
}

/// Without `FEATURE_PROXY_CACHE` (Quay's default) the resources do not exist.
async fn proxy_cache_needs_its_feature(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    create_org(&admin, "cache").await;
    admin
        .get("/api/v1/organization/cache/proxycache")
        .send()
        .await
        .expect_status(404);
}

backends!(configure_a_proxy_cache, proxy_cache_needs_its_feature);
