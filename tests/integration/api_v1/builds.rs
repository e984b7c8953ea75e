//! Build requests (core-api.md §5, superuser-api.md §11, docs §6.17.7): a context dropped
//! through `/api/v1/filedrop/` and `/userfiles/<id>`, builds requested from it or from an
//! archive URL with Quay's job configuration, listed, read, cancelled and logged; the superuser
//! looks them up by UUID. No build worker runs here: builds stay `waiting`.

use serde_json::{json, Value};
use sha2::{Digest, Sha224, Sha256};

use crate::harness::fixtures::{admin, user_session};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client};

const REPO: &str = "/api/v1/repository/dev/buildrepo";

fn problem(status: u16, error_type: &str, detail: &str, berth: &Berth) -> String {
    wire::problem(&berth.addr, status, error_type, detail)
}

async fn builds(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let (_, dev) = user_session(&berth, &admin, "dev").await;
    let (_, other) = user_session(&berth, &admin, "other").await;
    dev.post("/api/v1/repository")
        .json(&json!({"namespace": "dev", "repository": "buildrepo", "visibility": "private", "description": ""}))
        .send()
        .await
        .expect_status(201);

    // The file drop: an id, the URL to put the file to, and the file back from there.
    let drop = dev
        .post("/api/v1/filedrop/")
        .json(&json!({"mimeType": "text/plain"}))
        .send()
        .await;
    drop.expect_status(200);
    let drop = drop.json();
    let file_id = drop["file_id"].as_str().unwrap().to_owned();
    let url = format!("http://{}/userfiles/{file_id}", berth.addr);
    assert_eq!(drop, json!({"url": url, "file_id": file_id}));
    let context = b"FROM scratch\nCOPY a /a\n".repeat(100);
    let anonymous = Client::anon(&berth);
    let path = format!("/userfiles/{file_id}");
    let put = anonymous
        .put(&path)
        .body(Some("text/plain"), context.clone())
        .send()
        .await;
    put.expect(200, "Okay");
    let got = anonymous.get(&path).send().await;
    got.expect_status(200);
    assert_eq!(got.body, context);
    assert_eq!(
        anonymous.get("/userfiles/nosuchfile").send().await.status,
        404
    );
    assert_eq!(
        anonymous
            .put("/userfiles/nosuchfile")
            .body(Some("application/gzip"), b"x".to_vec())
            .send()
            .await
            .status,
        404
    );

    // A build of the dropped file.
    let requested = dev
        .post(&format!("{REPO}/build/"))
        .json(&json!({"file_id": file_id, "docker_tags": ["latest"]}))
        .send()
        .await;
    requested.expect_status(201);
    let build = requested.json();
    let uuid = build["id"].as_str().unwrap().to_owned();
    assert_eq!(
        requested.header("Location"),
        Some(format!("{REPO}/build/{uuid}/status").as_str())
    );
    let display = &hex::encode(Sha256::digest(&context))[..7];
    let mut expected = json!({
        "id": uuid, "phase": "waiting", "started": build["started"], "display_name": display,
        "status": {}, "subdirectory": "/Dockerfile", "dockerfile_path": "/Dockerfile",
        "context": "/", "tags": ["latest"], "manual_user": "dev", "is_writer": true,
        "trigger": null, "trigger_metadata": {}, "resource_key": file_id, "pull_robot": null,
        "repository": {"namespace": "dev", "name": "buildrepo"}, "error": null,
        "archive_url": url,
    });
    assert_eq!(build, expected);
    let keys: Vec<&String> = build.as_object().unwrap().keys().collect();
    assert_eq!(keys[..4], ["id", "phase", "started", "display_name"]);
    assert!(build["started"].as_str().unwrap().ends_with(" -0000"));

    // One from an archive URL, with a subdirectory and escaped tags.
    let archive = "https://example.com/context.tar.gz";
    let by_url = dev
        .post(&format!("{REPO}/build/"))
        .json(&json!({"archive_url": archive, "subdirectory": "app", "docker_tags": ["v1", "a b"]}))
        .send()
        .await;
    by_url.expect_status(201);
    let by_url = by_url.json();
    assert_eq!(
        by_url["display_name"],
        hex::encode(Sha224::digest(archive.as_bytes()))[..7]
    );
    assert_eq!(by_url["subdirectory"], "app/Dockerfile");
    assert_eq!(by_url["context"], "app");
    assert_eq!(by_url["tags"], json!(["v1", "a_b"]));
    assert_eq!(by_url["archive_url"], archive);
    assert_eq!(by_url["resource_key"], Value::Null);

    // Bad requests.
    for (body, detail) in [
        (json!({}), "file_id or archive_url required".to_owned()),
        (
            json!({"archive_url": "ftp://example.com/x"}),
            "Invalid Archive URL: Must be http or https".to_owned(),
        ),
        (
            json!({"file_id": "nosuchfile"}),
            "File nosuchfile could not be found or is invalid".to_owned(),
        ),
    ] {
        dev.post(&format!("{REPO}/build/"))
            .json(&body)
            .send()
            .await
            .expect(400, &problem(400, "invalid_request", &detail, &berth));
    }
    let refused = other
        .post(&format!("{REPO}/build/"))
        .json(&json!({"file_id": file_id}))
        .send()
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());

    // Listed newest first; read alone, by status, and its (empty) log.
    let listed = dev.get(&format!("{REPO}/build/")).send().await.json();
    let ids: Vec<&Value> = listed["builds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["id"])
        .collect();
    assert_eq!(ids, [&by_url["id"], &build["id"]]);
    dev.get(&format!("{REPO}/build/{uuid}"))
        .send()
        .await
        .expect_status(200);
    assert_eq!(
        dev.get(&format!("{REPO}/build/{uuid}/status"))
            .send()
            .await
            .json(),
        expected
    );
    dev.get(&format!("{REPO}/build/{uuid}/logs"))
        .send()
        .await
        .expect(200, "{\"start\": 0, \"total\": 0, \"logs\": []}\n");
    let unknown = "f0c1a8c2-5b0e-4a3d-9d55-3f0e2a7c1b11";
    dev.get(&format!("{REPO}/build/{unknown}"))
        .send()
        .await
        .expect(404, &problem(404, "not_found", "Not Found", &berth));
    dev.get(&format!("{REPO}/build/{unknown}/status"))
        .send()
        .await
        .expect(
            400,
            &format!("{{\"message\":\"Unable to locate a build by id: {unknown}\"}}\n"),
        );

    // The superuser's lookups (transcripts 118–121), with the real configuration.
    let superuser_view = admin
        .get(&format!("/api/v1/superuser/{uuid}/build"))
        .send()
        .await;
    superuser_view.expect_status(200);
    expected["is_writer"] = json!(false);
    assert_eq!(superuser_view.json(), expected);
    admin
        .get(&format!("/api/v1/superuser/{uuid}/logs"))
        .send()
        .await
        .expect(200, "{\"start\": 0, \"total\": 0, \"logs\": []}\n");
    for (suffix, status, error_type, detail) in [
        ("build", 404, "not_found", "Not Found".to_owned()),
        (
            "status",
            400,
            "invalid_response",
            format!("Unable to locate a build by id: {unknown}"),
        ),
        (
            "logs",
            400,
            "invalid_response",
            format!("Unable to locate a build by id: {unknown}"),
        ),
    ] {
        admin
            .get(&format!("/api/v1/superuser/{unknown}/{suffix}"))
            .send()
            .await
            .expect(status, &problem(status, error_type, &detail, &berth));
    }
    admin
        .get("/api/v1/superuser/not-a-uuid/build")
        .send()
        .await
        .expect(404, &problem(404, "not_found", "Not Found", &berth));

    // Cancelled while it waits; then it cannot be cancelled again.
    dev.delete(&format!("{REPO}/build/{uuid}"))
        .send()
        .await
        .expect(201, "\"Okay\"\n");
    let status = dev
        .get(&format!("{REPO}/build/{uuid}/status"))
        .send()
        .await
        .json();
    assert_eq!(status["phase"], "cancelled");
    dev.delete(&format!("{REPO}/build/{uuid}"))
        .send()
        .await
        .expect(
            400,
            &problem(
                400,
                "invalid_request",
                "Build is currently running or has finished",
                &berth,
            ),
        );

    // Logged as Quay logs them: the request without a performer, the cancel with one.
    let logs = dev.get(&format!("{REPO}/logs")).send().await.json();
    let entries: Vec<&Value> = logs["logs"].as_array().unwrap().iter().collect();
    let requested: Vec<&&Value> = entries
        .iter()
        .filter(|e| e["kind"] == "build_dockerfile")
        .collect();
    assert_eq!(requested.len(), 2, "{logs}");
    assert!(
        requested.iter().all(|e| e.get("performer").is_none()),
        "{logs}"
    );
    assert_eq!(requested[1]["metadata"]["build_id"], uuid.as_str());
    assert_eq!(requested[1]["metadata"]["manual_user"], "dev");
    let cancelled: Vec<&&Value> = entries
        .iter()
        .filter(|e| e["kind"] == "cancel_build")
        .collect();
    assert_eq!(cancelled.len(), 1, "{logs}");
    assert_eq!(cancelled[0]["metadata"]["build_uuid"], uuid.as_str());
    assert_eq!(cancelled[0]["performer"]["name"], "dev");
}

backends!(builds);
