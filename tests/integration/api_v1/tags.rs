//! Tags through `/api/v1/repository/{repository}/tag/` (core-api.md §3.4): history, create,
//! move, expiry, delete and time-machine restore, checked against what `/v2` serves.

use serde_json::{json, Value};

use crate::harness::fixtures::{admin, create_user, oci_manifest, Registry, ADMIN_PASSWORD};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client};

const TAGS: &str = "/api/v1/repository/admin/app/tag/";

/// Pushes a one-layer image whose layer is `layer` as `tag`; returns its manifest digest.
async fn push(registry: &Registry, layer: &[u8], tag: &str) -> String {
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = registry.upload_blob(config).await;
    let layer_digest = registry.upload_blob(layer).await;
    let manifest = oci_manifest(
        (&config_digest, config.len()),
        &[(&layer_digest, layer.len())],
    );
    let resp = registry.put_manifest(tag, &manifest).await;
    resp.expect_status(201);
    resp.header("Docker-Content-Digest")
        .expect("digest")
        .to_owned()
}

fn names_and_digests(list: &Value) -> Vec<(String, String, bool)> {
    list["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["manifest_digest"].as_str().unwrap().to_owned(),
                t.get("end_ts").is_some(),
            )
        })
        .collect()
}

async fn history_move_delete_restore(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let registry = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/app").await;
    let first = push(&registry, b"first layer", "1").await;
    let second = push(&registry, b"second layer", "1").await;

    // The history holds both lifetimes of "1", newest first; the older one has ended.
    let history = admin.get(TAGS).send().await;
    history.expect_status(200);
    assert_eq!(
        names_and_digests(&history.json()),
        [
            ("1".to_owned(), second.clone(), false),
            ("1".to_owned(), first.clone(), true)
        ]
    );
    assert_eq!(history.json()["page"], 1);
    assert_eq!(history.json()["has_additional"], false);
    let active = admin
        .get(&format!("{TAGS}?onlyActiveTags=true"))
        .send()
        .await
        .json();
    assert_eq!(
        names_and_digests(&active),
        [("1".to_owned(), second.clone(), false)]
    );

    // Create and move a tag through the API.
    let tag2 = "/api/v1/repository/admin/app/tag/2";
    admin
        .put(tag2)
        .json(&json!({"manifest_digest": first}))
        .send()
        .await
        .expect(201, "\"Updated\"\n");
    admin
        .put(tag2)
        .json(&json!({"manifest_digest": second}))
        .send()
        .await
        .expect(201, "\"Updated\"\n");
    let pulled = registry.get_manifest("2").await;
    assert_eq!(
        pulled.header("Docker-Content-Digest"),
        Some(second.as_str())
    );
    admin
        .put(tag2)
        .json(&json!({"manifest_digest": "sha256:0000000000000000000000000000000000000000000000000000000000000000"}))
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
    let bad = admin
        .put("/api/v1/repository/admin/app/tag/-bad")
        .json(&json!({"manifest_digest": first}))
        .send()
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text());

    // Expiry in the future shows on the tag; in the past it is refused.
    let in_an_hour = chrono::Utc::now().timestamp() + 3600;
    admin
        .put(tag2)
        .json(&json!({"expiration": in_an_hour}))
        .send()
        .await
        .expect_status(201);
    let listed = admin
        .get(&format!("{TAGS}?specificTag=2&onlyActiveTags=true"))
        .send()
        .await
        .json();
    assert_eq!(listed["tags"][0]["end_ts"], in_an_hour);
    let past = admin.put(tag2).json(&json!({"expiration": 1})).send().await;
    assert_eq!(past.status, 400, "{}", past.text());

    // Delete "1": /v2 then says the tag expired; restore brings the first manifest back.
    admin
        .delete("/api/v1/repository/admin/app/tag/1")
        .send()
        .await
        .expect(204, "");
    admin
        .delete("/api/v1/repository/admin/app/tag/1")
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
    let gone = registry.get_manifest("1").await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json()["errors"][0]["code"], "TAG_EXPIRED");
    admin
        .post("/api/v1/repository/admin/app/tag/1/restore")
        .json(&json!({"manifest_digest": first}))
        .send()
        .await
        .expect(200, "{}\n");
    let back = registry.get_manifest("1").await;
    assert_eq!(back.header("Docker-Content-Digest"), Some(first.as_str()));
    let restored = admin
        .get(&format!("{TAGS}?specificTag=1&onlyActiveTags=true"))
        .send()
        .await
        .json();
    assert_eq!(restored["tags"][0]["reversion"], true);

    // Every change is in the repository's log.
    let logs = admin
        .get("/api/v1/repository/admin/app/logs")
        .send()
        .await
        .json();
    let kinds: Vec<&str> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "revert_tag",
        "delete_tag",
        "change_tag_expiration",
        "move_tag",
        "create_tag",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let moved = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "move_tag")
        .unwrap();
    assert_eq!(moved["metadata"]["original_manifest_digest"], first);
    assert_eq!(moved["metadata"]["manifest_digest"], second);
}

async fn rights(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let registry = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/app").await;
    let digest = push(&registry, b"layer", "1").await;
    let other = create_user(&admin, "other").await;
    let other = Client::session(&berth, "other", &other.password).await;
    other
        .get(TAGS)
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    other
        .put("/api/v1/repository/admin/app/tag/x")
        .json(&json!({"manifest_digest": digest}))
        .send()
        .await
        .expect(403, &wire::insufficient_scope(&berth.addr));
    Client::anon(&berth)
        .get(TAGS)
        .send()
        .await
        .expect(401, &wire::requires_auth(&berth.addr));
}

async fn manifest_and_labels(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let registry = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/app").await;
    // The image config's labels become the manifest's labels (source `manifest`).
    let config = json!({
        "architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
        "config": {"Labels": {"owner.build": "ci", "other": "x", "owner.meta": "{\"a\": 1}"}},
    })
    .to_string();
    let config_digest = registry.upload_blob(config.as_bytes()).await;
    let layer_digest = registry.upload_blob(b"layer!").await;
    let manifest = oci_manifest((&config_digest, config.len()), &[(&layer_digest, 6)]);
    let pushed = registry.put_manifest("1", &manifest).await;
    pushed.expect_status(201);
    let digest = pushed.header("Docker-Content-Digest").unwrap().to_owned();
    let base = format!("/api/v1/repository/admin/app/manifest/{digest}");

    let manifest = admin.get(&base).send().await;
    manifest.expect_status(200);
    let body = manifest.json();
    assert_eq!(body["digest"], digest);
    assert_eq!(body["is_manifest_list"], false);
    assert_eq!(body["layers_compressed_size"], 6);
    assert_eq!(body["layers"][0]["compressed_size"], 6);
    let data: Value = serde_json::from_str(body["manifest_data"].as_str().unwrap()).unwrap();
    assert_eq!(data["schemaVersion"], 2);

    let labels = format!("{base}/labels");
    let added = admin
        .post(&labels)
        .json(&json!({"key": "owner", "value": "team-a", "media_type": null}))
        .send()
        .await;
    added.expect_status(201);
    let label = added.json()["label"].clone();
    assert_eq!(label["key"], "owner");
    assert_eq!(label["source_type"], "api");
    assert_eq!(label["media_type"], "text/plain");
    let id = label["id"].as_str().unwrap().to_owned();
    assert!(added
        .header("Location")
        .unwrap()
        .ends_with(&format!("/labels/{id}")));
    for (key, message) in [
        (
            "Bad Key",
            "Invalid label format, must be a valid key: Bad Key",
        ),
        ("quay.thing", "Label has a reserved prefix: quay.thing"),
    ] {
        admin
            .post(&labels)
            .json(&json!({"key": key, "value": "x"}))
            .send()
            .await
            .expect(400, &wire::data_model(message));
    }
    // `filter` is a key prefix, over labels from both sources.
    let listed = admin
        .get(&format!("{labels}?filter=own"))
        .send()
        .await
        .json();
    let mut found: Vec<(String, String, String)> = listed["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let field = |name: &str| l[name].as_str().unwrap().to_owned();
            (field("key"), field("source_type"), field("media_type"))
        })
        .collect();
    found.sort();
    let expected = [
        ("owner", "api", "text/plain"),
        ("owner.build", "manifest", "text/plain"),
        ("owner.meta", "manifest", "application/json"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(k, s, m)| (k.to_string(), s.to_string(), m.to_string()))
        .collect();
    assert_eq!(found, expected);
    let all = admin.get(&labels).send().await.json();
    assert_eq!(all["labels"].as_array().unwrap().len(), 4);
    admin
        .get(&format!("{labels}/{id}"))
        .send()
        .await
        .expect_status(200);
    admin
        .delete(&format!("{labels}/{id}"))
        .send()
        .await
        .expect(204, "");
    admin
        .get(&format!("{labels}/{id}"))
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
    let logs = admin
        .get("/api/v1/repository/admin/app/logs")
        .send()
        .await
        .json();
    let kinds: Vec<&str> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(&kinds[..2], ["manifest_label_delete", "manifest_label_add"]);
    admin
        .get("/api/v1/repository/admin/app/manifest/sha256:0000000000000000000000000000000000000000000000000000000000000000")
        .send()
        .await
        .expect(404, &wire::not_found(&berth.addr));
}

/// The manifest view lists one layer per history step of the image config, empty steps with
/// Quay's empty-layer digest, each with its command, author, comment and date.
async fn manifest_layers_tell_their_history(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let registry = Registry::login(&berth, "admin", ADMIN_PASSWORD, "admin/app").await;
    let config = json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": []},
        "history": [
            {"created": "2018-04-03T18:37:09.284840891Z", "created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
            {"created": "2018-04-03T20:37:10+02:00", "created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": true},
            {"created": "2024-01-02T03:04:05Z", "created_by": "RUN make", "author": "dev@example.com", "comment": "buildkit.dockerfile.v0"},
        ],
    })
    .to_string();
    let config_digest = registry.upload_blob(config.as_bytes()).await;
    let base = registry.upload_blob(b"base layer").await;
    let top = registry.upload_blob(b"top").await;
    let manifest = oci_manifest((&config_digest, config.len()), &[(&base, 10), (&top, 3)]);
    let pushed = registry.put_manifest("1", &manifest).await;
    pushed.expect_status(201);
    let digest = pushed.header("Docker-Content-Digest").unwrap().to_owned();
    let view = admin
        .get(&format!("/api/v1/repository/admin/app/manifest/{digest}"))
        .send()
        .await;
    view.expect_status(200);
    let view = view.json();
    assert_eq!(view["layers_compressed_size"], 13);
    assert_eq!(
        view["layers"],
        json!([
            {"index": 0, "compressed_size": 10, "is_remote": false, "urls": null,
             "command": ["/bin/sh -c #(nop) ADD file:abc in / "], "comment": null, "author": null,
             "blob_digest": base, "created_datetime": "Tue, 03 Apr 2018 18:37:09 -0000"},
            {"index": 1, "compressed_size": 32, "is_remote": false, "urls": null,
             "command": ["/bin/sh -c #(nop)  CMD [\"bash\"]"], "comment": null, "author": null,
             "blob_digest": "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4",
             "created_datetime": "Tue, 03 Apr 2018 18:37:10 -0000"},
            {"index": 2, "compressed_size": 3, "is_remote": false, "urls": null,
             "command": ["RUN make"], "comment": "buildkit.dockerfile.v0", "author": "dev@example.com",
             "blob_digest": top, "created_datetime": "Tue, 02 Jan 2024 03:04:05 -0000"},
        ])
    );
}

backends!(
    history_move_delete_restore,
    rights,
    manifest_and_labels,
    manifest_layers_tell_their_history
);
