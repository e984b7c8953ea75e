//! Tag policies: immutable tags (by hand, by policy of a repository or namespace, by the
//! `quay.immutable` label) refused every change through `/api/v1` and `/v2`; auto-prune
//! policies that end tags as they say; `quay.expires-after`; and the policies' bad input.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::fixtures::{admin, assert_kinds_logged, create_user, oci_manifest, Registry};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client};

const REPO: &str = "/api/v1/repository/dev/app";

/// Pushes a one-layer image (config labels `labels`) as `tag`; returns its digest.
async fn push(registry: &Registry, tag: &str, layer: &[u8], labels: Value) -> (u16, String) {
    let config = json!({
        "architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
        "config": {"Labels": labels},
    })
    .to_string();
    let config_digest = registry.upload_blob(config.as_bytes()).await;
    let layer_digest = registry.upload_blob(layer).await;
    let manifest = oci_manifest(
        (&config_digest, config.len()),
        &[(&layer_digest, layer.len())],
    );
    let resp = registry.put_manifest(tag, &manifest).await;
    let digest = resp
        .header("Docker-Content-Digest")
        .unwrap_or_default()
        .to_owned();
    (resp.status, digest)
}

/// The alive tags of dev/app by name: (immutable, expiration).
async fn alive_tags(client: &Client) -> Vec<(String, Value, Value)> {
    let list = client
        .get(&format!("{REPO}/tag/?onlyActiveTags=true"))
        .send()
        .await
        .json();
    let mut tags: Vec<(String, Value, Value)> = list["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap_or_default().to_owned(),
                t["immutable"].clone(),
                t.get("expiration").cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    tags
}

fn immutable_names(tags: &[(String, Value, Value)]) -> Vec<&str> {
    tags.iter()
        .filter(|(_, immutable, _)| immutable == &json!(true))
        .map(|(name, _, _)| name.as_str())
        .collect()
}

struct World {
    berth: Berth,
    admin: Client,
    dev: Client,
    registry: Registry,
}

async fn world(backend: Backend) -> World {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let dev_user = create_user(&admin, "dev").await;
    let dev = Client::session(&berth, &dev_user.username, &dev_user.password).await;
    let registry = Registry::login(&berth, "dev", &dev_user.password, "dev/app").await;
    World {
        berth,
        admin,
        dev,
        registry,
    }
}

fn problem(berth: &Berth, status: u16, error_type: &str, detail: &str) -> String {
    wire::problem(&berth.addr, status, error_type, detail)
}

fn message(text: &str) -> String {
    format!("{}\n", json!({ "message": text }))
}

async fn immutable_tags(backend: Backend) {
    let World {
        berth,
        admin,
        dev,
        registry,
        ..
    } = world(backend).await;
    let (status, digest) = push(&registry, "v1", b"layer one", json!({})).await;
    assert_eq!(status, 201);
    let tag = format!("{REPO}/tag/v1");

    // The tag view says whether a tag is immutable, right after `reversion`.
    let list = dev.get(&format!("{REPO}/tag/")).send().await.json();
    let keys: Vec<&String> = list["tags"][0].as_object().expect("tag").keys().collect();
    assert_eq!(keys[..3], ["name", "reversion", "immutable"]);
    assert_eq!(list["tags"][0]["immutable"], false);

    // Made immutable by hand: nothing changes it any more.
    dev.put(&tag)
        .json(&json!({"immutable": true}))
        .send()
        .await
        .expect(201, "\"Updated\"\n");
    assert_eq!(immutable_names(&alive_tags(&dev).await), ["v1"]);
    dev.delete(&tag).send().await.expect(
        409,
        &problem(
            &berth,
            409,
            "tag_immutable",
            "Cannot delete immutable tag 'v1'",
        ),
    );
    dev.put(&tag)
        .json(&json!({"manifest_digest": digest}))
        .send()
        .await
        .expect(
            409,
            &problem(
                &berth,
                409,
                "tag_immutable",
                "Cannot overwrite immutable tag 'v1'",
            ),
        );
    let future = chrono::Utc::now().timestamp() + 3600;
    dev.put(&tag)
        .json(&json!({"expiration": future}))
        .send()
        .await
        .expect(400, &message("Cannot set expiration on immutable tag 'v1'"));
    let (status, _) = push(&registry, "v1", b"another layer", json!({})).await;
    assert_eq!(status, 409);
    let v2_error = |tag: &str| {
        json!({"errors": [{"code": "TAG_IMMUTABLE", "message": "tag is immutable and cannot be overwritten",
            "detail": {"message": format!("tag '{tag}' is immutable")}}]})
    };
    let deleted = registry
        .client()
        .delete(&registry.path("manifests/v1"))
        .send()
        .await;
    assert_eq!(deleted.status, 409);
    assert_eq!(deleted.json(), v2_error("v1"));
    let by_digest = registry
        .client()
        .delete(&registry.path(&format!("manifests/{digest}")))
        .send()
        .await;
    assert_eq!(by_digest.status, 409);
    assert_eq!(registry.get_manifest("v1").await.status, 200);

    // Only a repository admin makes it mutable again; a writer is refused.
    let writer = create_user(&admin, "writer").await;
    dev.put(&format!("{REPO}/permissions/user/writer"))
        .json(&json!({"role": "write"}))
        .send()
        .await
        .expect_status(200);
    let writer_session = Client::session(&berth, &writer.username, &writer.password).await;
    writer_session
        .put(&tag)
        .json(&json!({"immutable": false}))
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    dev.put(&tag)
        .json(&json!({"immutable": false}))
        .send()
        .await
        .expect(201, "\"Updated\"\n");
    dev.delete(&tag).send().await.expect_status(204);
    let logs = dev.get(&format!("{REPO}/logs")).send().await.json();
    let changes: Vec<&Value> = logs["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .filter(|e| e["kind"] == "change_tag_immutability")
        .collect();
    assert_eq!(changes.len(), 2, "{logs}");
    assert_eq!(
        changes[0]["metadata"],
        json!({"username": "dev", "repo": "app", "tag": "v1", "namespace": "dev",
               "immutable": false, "previous_immutable": true})
    );

    // A tag with an expiry cannot be made immutable until the expiry goes.
    push(&registry, "expiring", b"layer one", json!({})).await;
    dev.put(&format!("{REPO}/tag/expiring"))
        .json(&json!({"expiration": future}))
        .send()
        .await
        .expect_status(201);
    dev.put(&format!("{REPO}/tag/expiring"))
        .json(&json!({"immutable": true}))
        .send()
        .await
        .expect(
            400,
            &message(
                "Cannot make tag 'expiring' immutable: tag has expiration set. Clear expiration \
                 first or enable FEATURE_IMMUTABLE_TAGS_CAN_EXPIRE.",
            ),
        );

    // A repository policy marks the tags it takes, existing ones included; others stay.
    push(&registry, "release-1", b"layer one", json!({})).await;
    push(&registry, "dev-1", b"layer one", json!({})).await;
    let policies = format!("{REPO}/immutabilitypolicy/");
    let created = dev
        .post(&policies)
        .json(&json!({"tagPattern": "release-.*"}))
        .send()
        .await;
    created.expect_status(201);
    let uuid = created.json()["uuid"].as_str().expect("uuid").to_owned();
    push(&registry, "release-2", b"layer two", json!({})).await;
    push(&registry, "dev-2", b"layer two", json!({})).await;
    push(&registry, "release", b"layer two", json!({})).await;
    assert_eq!(
        immutable_names(&alive_tags(&dev).await),
        ["release-1", "release-2"]
    );
    let policy = format!("{policies}{uuid}");
    assert_eq!(
        dev.get(&policy).send().await.json(),
        json!({"uuid": uuid, "tagPattern": "release-.*", "tagPatternMatches": true})
    );
    assert_eq!(
        dev.get(&policies).send().await.json(),
        json!({"policies": [{"uuid": uuid, "tagPattern": "release-.*", "tagPatternMatches": true}]})
    );
    for (body, detail) in [
        (
            json!({"tagPattern": "release-.*"}),
            "A policy with the same tag_pattern already exists".to_owned(),
        ),
        (
            json!({"tagPattern": "  "}),
            "tag_pattern is required and must be a non-empty string".to_owned(),
        ),
        (json!({}), "'tagPattern' is a required property".to_owned()),
        (
            json!({"tagPattern": 5}),
            "5 is not of type 'string'".to_owned(),
        ),
        (
            json!({"tagPattern": "x", "tagPatternMatches": "no"}),
            "'no' is not of type 'boolean'".to_owned(),
        ),
    ] {
        dev.post(&policies)
            .json(&body)
            .send()
            .await
            .expect(400, &problem(&berth, 400, "invalid_request", &detail));
    }
    let bad_regex = dev
        .post(&policies)
        .json(&json!({"tagPattern": "[x"}))
        .send()
        .await;
    bad_regex.expect_status(400);
    assert!(bad_regex.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Invalid regex pattern: "));
    // Changed to take what it did not: both kinds stay immutable (a policy never frees a tag).
    dev.put(&policy)
        .json(&json!({"tagPattern": "dev-.*"}))
        .send()
        .await
        .expect(204, "");
    assert_eq!(
        immutable_names(&alive_tags(&dev).await),
        ["dev-1", "dev-2", "release-1", "release-2"]
    );
    dev.delete(&policy)
        .send()
        .await
        .expect(200, &format!("{{\"uuid\": \"{uuid}\"}}\n"));
    dev.get(&policy)
        .send()
        .await
        .expect(404, &problem(&berth, 404, "not_found", "Not Found"));
    let logs = dev.get(&format!("{REPO}/logs")).send().await.json();
    assert_kinds_logged(
        &logs,
        &[
            "create_immutability_policy",
            "update_immutability_policy",
            "delete_immutability_policy",
            "tags_made_immutable_by_policy",
            "tag_made_immutable_by_policy",
        ],
    );

    // A namespace policy, on the user's own name through the organization route, and the
    // label `quay.immutable`; someone else's namespace is refused.
    let namespace_policies = "/api/v1/organization/dev/immutabilitypolicy/";
    dev.post(namespace_policies)
        .json(&json!({"tagPattern": "stable"}))
        .send()
        .await
        .expect_status(201);
    push(&registry, "stable", b"layer three", json!({})).await;
    push(
        &registry,
        "labelled",
        b"layer four",
        json!({"quay.immutable": "true"}),
    )
    .await;
    let tags = alive_tags(&dev).await;
    let immutable = immutable_names(&tags);
    assert!(
        immutable.contains(&"stable") && immutable.contains(&"labelled"),
        "{immutable:?}"
    );
    writer_session
        .post(namespace_policies)
        .json(&json!({"tagPattern": "x"}))
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    Client::anon(&berth)
        .get(namespace_policies)
        .send()
        .await
        .expect(401, &wire::requires_auth(&berth.addr));
}

backends!(immutable_tags);

/// `quay.expires-after` in an image's labels sets its tag's expiry.
async fn expires_after_label(backend: Backend) {
    // The server lives as long as `_berth`.
    let World {
        berth: _berth,
        dev,
        registry,
        ..
    } = world(backend).await;
    let before = chrono::Utc::now().timestamp();
    push(
        &registry,
        "short-lived",
        b"layer",
        json!({"quay.expires-after": "2h"}),
    )
    .await;
    push(
        &registry,
        "forever",
        b"layer 2",
        json!({"quay.expires-after": "nonsense"}),
    )
    .await;
    // An OCI manifest's annotations win over its config's labels.
    let config = json!({
        "architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
        "config": {"Labels": {"quay.expires-after": "2h"}},
    })
    .to_string();
    let config_digest = registry.upload_blob(config.as_bytes()).await;
    let mut manifest = oci_manifest((&config_digest, config.len()), &[]);
    manifest["annotations"] = json!({"quay.expires-after": "1h"});
    registry
        .put_manifest("annotated", &manifest)
        .await
        .expect_status(201);
    let list = dev
        .get(&format!("{REPO}/tag/?onlyActiveTags=true"))
        .send()
        .await
        .json();
    let tag = |name: &str| {
        list["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .find(|t| t["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {list}"))
    };
    let end = tag("short-lived")["end_ts"].as_i64().expect("an end");
    assert!((end - before - 7200).abs() < 60, "{end} vs {before}");
    assert!(tag("forever").get("end_ts").is_none());
    let end = tag("annotated")["end_ts"].as_i64().expect("an end");
    assert!((end - before - 3600).abs() < 60, "{end} vs {before}");
}

backends!(expires_after_label);

/// Waits until dev/app's alive tags are `expected` (sorted).
async fn until_tags(client: &Client, expected: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let names: Vec<String> = alive_tags(client).await.into_iter().map(|t| t.0).collect();
        if names == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "tags {names:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn autoprune_policies(backend: Backend) {
    let World {
        berth,
        admin,
        dev,
        registry,
        ..
    } = world(backend).await;
    for tag in ["t1", "t2", "t3", "t4", "t5", "scratch-a", "scratch-b"] {
        let (status, _) = push(&registry, tag, tag.as_bytes(), json!({})).await;
        assert_eq!(status, 201);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    dev.put(&format!("{REPO}/tag/t1"))
        .json(&json!({"immutable": true}))
        .send()
        .await
        .expect_status(201);

    // Keep the newest two `t` tags: t1 is immutable, so only t2 and t3 go.
    let policies = format!("{REPO}/autoprunepolicy/");
    let created = dev
        .post(&policies)
        .json(&json!({"method": "number_of_tags", "value": 2, "tagPattern": "^t[0-9]"}))
        .send()
        .await;
    created.expect_status(201);
    let uuid = created.json()["uuid"].as_str().expect("uuid").to_owned();
    until_tags(&dev, &["scratch-a", "scratch-b", "t1", "t4", "t5"]).await;
    assert_eq!(
        dev.get(&format!("{policies}{uuid}")).send().await.json(),
        json!({"uuid": uuid, "method": "number_of_tags", "value": 2, "tagPattern": "^t[0-9]",
               "tagPatternMatches": true})
    );
    // Pruned tags are in the time machine, restorable.
    let history = dev
        .get(&format!("{REPO}/tag/?specificTag=t2"))
        .send()
        .await
        .json();
    assert!(history["tags"][0]["end_ts"].is_i64(), "{history}");

    // A namespace policy (the user's own): tags older than a second, except what the
    // pattern keeps out (matches false: every name not starting with `t`).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let user_policies = "/api/v1/user/autoprunepolicy/";
    dev.post(user_policies)
        .json(&json!({"method": "creation_date", "value": "1s", "tagPattern": "^t", "tagPatternMatches": false}))
        .send()
        .await
        .expect_status(201);
    until_tags(&dev, &["t1", "t4", "t5"]).await;
    let logs = dev.get(&format!("{REPO}/logs")).send().await.json();
    let pruned: Vec<&Value> = logs["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .filter(|e| e["kind"] == "autoprune_tag_delete")
        .collect();
    assert_eq!(pruned.len(), 4, "{logs}");
    assert_eq!(pruned[0]["metadata"]["performer"], "autoprune worker");
    assert!(pruned[0].get("performer").is_none());
    let listed = dev.get(user_policies).send().await.json();
    assert_eq!(listed["policies"].as_array().map(Vec::len), Some(1));
    // The same namespace through the organization route.
    assert_eq!(
        dev.get("/api/v1/organization/dev/autoprunepolicy/")
            .send()
            .await
            .json(),
        listed
    );

    // Bad input, in Quay's words.
    for (body, detail) in [
        (json!({"method": "sometimes", "value": 1}), "Invalid method provided"),
        (json!({"method": "number_of_tags", "value": "10"}), "Invalid value given for method type"),
        (json!({"method": "number_of_tags", "value": 0}), "Invalid value given for method type"),
        (json!({"method": "creation_date", "value": "2D"}), "Invalid value given for method type"),
        (json!({"method": "creation_date", "value": 5}), "Invalid value given for method type"),
        (json!({"value": 5}), "'method' is a required property"),
        (json!({"method": "number_of_tags"}), "'value' is a required property"),
        (json!({"method": "number_of_tags", "value": 1.5}), "1.5 is not of type 'integer', 'string'"),
        (json!({"method": "number_of_tags", "value": 3, "tagPattern": " "}), "tag_pattern cannot be empty"),
        (
            json!({"method": "number_of_tags", "value": 2, "tagPattern": "^t[0-9]"}),
            "Existing policy with same values for this repository, duplicate policies are not permitted",
        ),
    ] {
        dev.post(&policies)
            .json(&body)
            .send()
            .await
            .expect(400, &problem(&berth, 400, "invalid_request", detail));
    }
    let unknown = format!("{policies}f0c1a8c2-5b0e-4a3d-9d55-3f0e2a7c1b11");
    dev.put(&unknown)
        .json(&json!({"method": "sometimes", "value": 1}))
        .send()
        .await
        .expect(404, &problem(&berth, 404, "not_found", "Not Found"));
    dev.put(&format!("{policies}{uuid}"))
        .json(&json!({"method": "number_of_tags", "value": 1}))
        .send()
        .await
        .expect(204, "");
    until_tags(&dev, &["t1", "t5"]).await;
    dev.delete(&format!("{policies}{uuid}"))
        .send()
        .await
        .expect(200, &format!("{{\"uuid\": \"{uuid}\"}}\n"));
    assert_eq!(
        dev.get(&policies).send().await.json(),
        json!({"policies": []})
    );

    // Someone else's namespace or repository is refused; an unknown namespace is not found
    // for whom may look (a superuser with full access is not in this world).
    let outsider = create_user(&admin, "outsider").await;
    let outsider = Client::session(&berth, &outsider.username, &outsider.password).await;
    for path in ["/api/v1/organization/dev/autoprunepolicy/", &policies] {
        outsider
            .get(path)
            .send()
            .await
            .expect(403, &wire::insufficient_scope(&berth.addr));
    }
    // A namespace or repository that is not there: not the caller's (403), or, in the
    // caller's own namespace, not found.
    dev.post("/api/v1/organization/nosuchorg/autoprunepolicy/")
        .json(&json!({"method": "number_of_tags", "value": 1}))
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    dev.post("/api/v1/repository/dev/nosuchrepo/immutabilitypolicy/")
        .json(&json!({"tagPattern": "x"}))
        .send()
        .await
        .expect(404, &problem(&berth, 404, "not_found", "Not Found"));
    let logs = dev.get("/api/v1/user/logs").send().await.json();
    assert_kinds_logged(
        &logs,
        &[
            "create_repository_autoprune_policy",
            "update_repository_autoprune_policy",
            "delete_repository_autoprune_policy",
            "create_namespace_autoprune_policy",
        ],
    );
}

backends!(autoprune_policies);
