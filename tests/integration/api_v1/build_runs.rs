//! Builds that run (core-api.md §5, superuser-api.md §11): a busybox base image pushed to
//! Berth, contexts built by buildah through Berth's build runner and pushed under every
//! requested tag, pulled back with skopeo; failures, cancels, bad packages, pull robots, a
//! runner killed mid-build, and logs kept in Redis.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::fixtures::{admin, assert_success, create_user, creds, receiver, Tools, User};
use crate::harness::wire;
use crate::harness::{backends, Backend, Berth, Client, Options};

const APP: &str = "/api/v1/repository/dev/app";

/// Files of a build context, as a gzipped tar.
fn context_tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    for (name, text) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name, text.as_bytes())
            .expect("tar entry");
    }
    builder
        .into_inner()
        .and_then(flate2::write::GzEncoder::finish)
        .expect("gzip")
}

/// Drops `bytes` as a file of `content_type`; returns its id.
async fn drop_file(client: &Client, content_type: &str, bytes: Vec<u8>) -> String {
    let drop = client
        .post("/api/v1/filedrop/")
        .json(&json!({ "mimeType": content_type }))
        .send()
        .await;
    drop.expect_status(200);
    let file_id = drop.json()["file_id"].as_str().expect("file_id").to_owned();
    client
        .put(&format!("/userfiles/{file_id}"))
        .body(Some(content_type), bytes)
        .send()
        .await
        .expect_status(200);
    file_id
}

/// Requests a build of `files` in dev/app; returns its uuid.
async fn request(client: &Client, files: &[(&str, &str)], extra: Value) -> String {
    let file_id = drop_file(client, "application/gzip", context_tar_gz(files)).await;
    let mut body = json!({ "file_id": file_id });
    body.as_object_mut()
        .expect("object")
        .extend(extra.as_object().cloned().unwrap_or_default());
    let requested = client
        .post(&format!("{APP}/build/"))
        .json(&body)
        .send()
        .await;
    requested.expect_status(201);
    requested.json()["id"].as_str().expect("id").to_owned()
}

fn status_path(uuid: &str) -> String {
    format!("{APP}/build/{uuid}/status")
}

/// The build's log entries.
async fn log_of(client: &Client, uuid: &str) -> Vec<Value> {
    let logs = client
        .get(&format!("{APP}/build/{uuid}/logs"))
        .send()
        .await
        .json();
    logs["logs"].as_array().cloned().unwrap_or_default()
}

/// Waits until the build's phase is one of `phases`; panics with its log otherwise.
async fn wait_for(client: &Client, uuid: &str, phases: &[&str], within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let view = client.get(&status_path(uuid)).send().await.json();
        if phases.contains(&view["phase"].as_str().unwrap_or_default()) {
            return view;
        }
        assert!(
            Instant::now() < deadline,
            "build {uuid} is {} instead of {phases:?}; log: {:#?}",
            view["phase"],
            log_of(client, uuid).await
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

const ENDED: &[&str] = &["complete", "error", "cancelled", "expired"];

/// Pushes `dev/base:1`: busybox (Debian's busybox-static) and the applets the builds use.
async fn push_base(tools: &Tools, berth: &Berth, dev: &User) {
    let bin = tools.path("tmp/base/bin");
    std::fs::create_dir_all(&bin).expect("base bin");
    std::fs::copy("/bin/busybox", bin.join("busybox")).expect("busybox-static is installed");
    for applet in ["sh", "echo", "mkdir", "cat", "sleep", "true"] {
        std::os::unix::fs::symlink("busybox", bin.join(applet)).expect("applet link");
    }
    let layout = tools.path("images/base");
    tools
        .run_ok(
            "umoci",
            &["init", "--layout", layout.to_str().expect("utf-8")],
        )
        .await;
    let config = ["--config.env", "PATH=/bin", "--config.cmd", "sh"];
    tools
        .umoci_image(&layout, "v1", &bin, "/bin", &config)
        .await;
    tools.push_image(berth, dev, &layout, "dev/base:1").await;
}

/// The root filesystem of image `repo_tag`, pulled with skopeo and unpacked with umoci.
async fn unpack_image(
    tools: &Tools,
    berth: &Berth,
    user: &User,
    repo_tag: &str,
) -> std::path::PathBuf {
    let name = repo_tag.replace([':', '/'], "_");
    let out = tools.pull_image(berth, user, repo_tag, &name).await;
    assert_success(&out, &format!("skopeo pull of {repo_tag}"));
    let image = format!("{}:v1", tools.path(&format!("images/{name}")).display());
    let bundle = tools.path(&format!("tmp/bundle-{name}"));
    let bundle_s = bundle.to_str().expect("utf-8");
    tools
        .run_ok("umoci", &["unpack", "--image", &image, bundle_s])
        .await;
    bundle.join("rootfs")
}

/// The digest `repo_tag` points at.
async fn digest_of(tools: &Tools, berth: &Berth, user: &User, repo_tag: &str) -> String {
    let image = format!("docker://{}/{repo_tag}", berth.addr);
    let out = tools
        .run_ok(
            "skopeo",
            &[
                "inspect",
                "--tls-verify=false",
                "--creds",
                &creds(user),
                &image,
            ],
        )
        .await;
    let inspected: Value = serde_json::from_slice(&out.stdout).expect("inspect JSON");
    inspected["Digest"].as_str().expect("Digest").to_owned()
}

/// Usage-log kinds of dev/app, oldest first.
async fn event_kinds(client: &Client, uuid: &str) -> Vec<String> {
    let logs = client.get(&format!("{APP}/logs")).send().await.json();
    let mut kinds: Vec<String> = logs["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .filter(|e| e["metadata"]["build_id"] == uuid)
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    kinds.reverse();
    kinds
}

/// dev's counted size.
async fn used(admin: &Client) -> i64 {
    let view = admin.get("/api/v1/superuser/users/dev").send().await.json();
    view["quota_report"]["quota_bytes"]
        .as_i64()
        .unwrap_or_else(|| panic!("quota_bytes in {view}"))
}

struct World {
    berth: Berth,
    tools: Tools,
    admin: Client,
    dev_user: User,
    dev: Client,
}

async fn world(backend: Backend, extra_yaml: &str) -> World {
    world_with(backend, extra_yaml, true).await
}

/// dev (with the repository dev/app and the base image) on a server that runs builds itself
/// or (`builds` false) leaves them to other nodes.
async fn world_with(backend: Backend, extra_yaml: &str, builds: bool) -> World {
    let options = Options {
        builds,
        quota_management: true,
        extra_yaml: extra_yaml.to_owned(),
        ..Options::default()
    };
    let berth = Berth::start_with(backend, options).await;
    let admin = admin(&berth).await;
    let dev_user = create_user(&admin, "dev").await;
    let dev = Client::session(&berth, &dev_user.username, &dev_user.password).await;
    dev.post("/api/v1/repository")
        .json(&json!({"namespace": "dev", "repository": "app", "visibility": "private", "description": ""}))
        .send()
        .await
        .expect_status(201);
    let tools = Tools::new();
    push_base(&tools, &berth, &dev_user).await;
    World {
        berth,
        tools,
        admin,
        dev_user,
        dev,
    }
}

fn dockerfile(berth: &Berth, steps: &str) -> String {
    format!("FROM {}/dev/base:1\n{steps}", berth.addr)
}

async fn builds_run(backend: Backend) {
    let World {
        berth,
        tools,
        admin,
        dev_user,
        dev,
    } = world(backend, "SSRF_ALLOWED_HOSTS: [127.0.0.1]\n").await;
    // A webhook hears of the build's success.
    let (hook, heard) = receiver(0).await;
    dev.post(&format!("{APP}/notification/"))
        .json(&json!({"event": "build_success", "method": "webhook", "config": {"url": hook}, "eventConfig": {}}))
        .send()
        .await
        .expect_status(201);

    // A pull robot that may read the base image pulls it; the build pushes two tags.
    dev.put("/api/v1/user/robots/puller")
        .json(&json!({}))
        .send()
        .await
        .expect_status(201);
    dev.put("/api/v1/repository/dev/base/permissions/user/dev+puller")
        .json(&json!({"role": "read"}))
        .send()
        .await
        .expect_status(200);
    let before = used(&admin).await;
    let steps =
        "RUN echo step-output-marker && mkdir -p /out && echo built-by-berth > /out/made.txt\n\
                 COPY hello.txt /out/hello.txt\n";
    let uuid = request(
        &dev,
        &[
            ("Dockerfile", &dockerfile(&berth, steps)),
            ("hello.txt", "hello from the context\n"),
        ],
        json!({"docker_tags": ["v1", "latest"], "pull_robot": "dev+puller"}),
    )
    .await;
    let done = wait_for(&dev, &uuid, ENDED, Duration::from_secs(300)).await;
    assert_eq!(
        done["phase"],
        "complete",
        "{:#?}",
        log_of(&dev, &uuid).await
    );
    let rootfs = unpack_image(&tools, &berth, &dev_user, "dev/app:v1").await;
    let read = |path: &str| {
        std::fs::read_to_string(rootfs.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    assert_eq!(read("out/made.txt"), "built-by-berth\n");
    assert_eq!(read("out/hello.txt"), "hello from the context\n");
    assert_eq!(
        digest_of(&tools, &berth, &dev_user, "dev/app:latest").await,
        digest_of(&tools, &berth, &dev_user, "dev/app:v1").await
    );

    // The superuser sees the build, its status and its whole log.
    let view = admin
        .get(&format!("/api/v1/superuser/{uuid}/build"))
        .send()
        .await
        .json();
    assert_eq!(view["phase"], "complete");
    assert_eq!(view["tags"], json!(["v1", "latest"]));
    assert_eq!(
        view["pull_robot"],
        json!({"name": "dev+puller", "kind": "user", "is_robot": true})
    );
    let status = admin
        .get(&format!("/api/v1/superuser/{uuid}/status"))
        .send()
        .await
        .json();
    assert_eq!(status["phase"], "complete");
    let logs = admin
        .get(&format!("/api/v1/superuser/{uuid}/logs"))
        .send()
        .await
        .json();
    let entries = logs["logs"].as_array().expect("logs");
    assert_eq!(logs["total"].as_u64(), Some(entries.len() as u64));
    let phases: Vec<&str> = entries
        .iter()
        .filter(|e| e["type"] == "phase")
        .map(|e| e["message"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        phases,
        [
            "build-scheduled",
            "unpacking",
            "pulling",
            "building",
            "pushing",
            "complete"
        ]
    );
    let phase = &entries[0];
    let datetime = phase["data"]["datetime"].as_str().expect("datetime");
    assert_eq!(
        datetime.len(),
        "2026-12-06 12:00:00.000000".len(),
        "{phase}"
    );
    assert!(
        entries.iter().any(|e| e["type"] == "command"
            && e["message"]
                .as_str()
                .unwrap_or_default()
                .contains("RUN echo step-output-marker")),
        "{entries:#?}"
    );
    assert!(
        entries
            .iter()
            .any(|e| e == &json!({"message": "step-output-marker"})),
        "{entries:#?}"
    );
    // The log read from a position on.
    let tail = admin
        .get(&format!("/api/v1/superuser/{uuid}/logs?start=2"))
        .send()
        .await
        .json();
    assert_eq!(tail["start"], 2);
    assert_eq!(
        tail["logs"].as_array().map(Vec::len),
        Some(entries.len() - 2)
    );
    assert_eq!(
        event_kinds(&dev, &uuid).await,
        ["build_dockerfile", "build_start", "build_success"]
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while heard.lock().unwrap().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the build_success webhook never came"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let event = heard.lock().unwrap()[0].clone();
    assert_eq!(event["build_id"], uuid.as_str());
    assert_eq!(event["docker_tags"], json!(["v1", "latest"]));
    assert!(event["homepage"]
        .as_str()
        .unwrap_or_default()
        .ends_with(&format!("/build/{uuid}")));
    // The pushed bytes (the new layers; the base's is dev's already) count against dev's quota.
    assert!(used(&admin).await > before);

    // A failing RUN ends in `error`, with the failing step in the log.
    let failing = request(
        &dev,
        &[(
            "Dockerfile",
            &dockerfile(&berth, "RUN echo about-to-fail && exit 3\n"),
        )],
        json!({}),
    )
    .await;
    let ended = wait_for(&dev, &failing, ENDED, Duration::from_secs(300)).await;
    assert_eq!(ended["phase"], "error");
    let entries = log_of(&dev, &failing).await;
    assert!(
        entries.iter().any(|e| e["type"] == "command"
            && e["message"]
                .as_str()
                .unwrap_or_default()
                .contains("RUN echo about-to-fail && exit 3")),
        "{entries:#?}"
    );
    assert!(
        entries
            .iter()
            .any(|e| e["type"] == "error" && e["message"] == "The Dockerfile could not be built"),
        "{entries:#?}"
    );
    assert_eq!(entries.last().map(|e| &e["message"]), Some(&json!("error")));
    assert_eq!(
        event_kinds(&dev, &failing).await,
        ["build_dockerfile", "build_start", "build_failure"]
    );

    // A running build is cancelled; the runner moves on to the next one.
    let long = request(
        &dev,
        &[("Dockerfile", &dockerfile(&berth, "RUN sleep 600\n"))],
        json!({}),
    )
    .await;
    wait_for(&dev, &long, &["building"], Duration::from_secs(120)).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !log_of(&dev, &long).await.iter().any(|e| {
        e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("RUN sleep 600")
    }) {
        assert!(Instant::now() < deadline, "the sleep step never started");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    dev.delete(&format!("{APP}/build/{long}"))
        .send()
        .await
        .expect(201, "\"Okay\"\n");
    assert_eq!(
        dev.get(&status_path(&long)).send().await.json()["phase"],
        "cancelled"
    );
    let next = request(
        &dev,
        &[("Dockerfile", &dockerfile(&berth, "RUN true\n"))],
        json!({"docker_tags": ["after-cancel"]}),
    )
    .await;
    let ended = wait_for(&dev, &next, ENDED, Duration::from_secs(120)).await;
    assert_eq!(ended["phase"], "complete");
    assert_eq!(
        dev.get(&status_path(&long)).send().await.json()["phase"],
        "cancelled"
    );
    let cancelled = log_of(&dev, &long).await;
    assert_eq!(
        cancelled.last().map(|e| &e["message"]),
        Some(&json!("cancelled"))
    );
}

backends!(builds_run);

/// Packages refused when the build is requested, and pull robots that are not the caller's.
async fn build_requests_refused(backend: Backend) {
    let berth = Berth::start(backend).await;
    let admin = admin(&berth).await;
    let dev_user = create_user(&admin, "dev").await;
    let dev = Client::session(&berth, &dev_user.username, &dev_user.password).await;
    let other_user = create_user(&admin, "other").await;
    let other = Client::session(&berth, &other_user.username, &other_user.password).await;
    dev.post("/api/v1/repository")
        .json(&json!({"namespace": "dev", "repository": "app", "visibility": "private", "description": ""}))
        .send()
        .await
        .expect_status(201);
    other
        .put("/api/v1/user/robots/theirs")
        .json(&json!({}))
        .send()
        .await
        .expect_status(201);
    let problem = |status: u16, error_type: &str, detail: &str| {
        wire::problem(&berth.addr, status, error_type, detail)
    };
    let post = async |body: Value| dev.post(&format!("{APP}/build/")).json(&body).send().await;

    // Declared gzip, but not.
    let garbage = drop_file(
        &dev,
        "application/gzip",
        b"\x1f\x8bnot really gzip".to_vec(),
    )
    .await;
    let refused = post(json!({"file_id": garbage})).await;
    refused.expect_status(400);
    assert!(
        refused.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Could not extract the contents of the build package"),
        "{}",
        refused.text()
    );
    // An archive without the Dockerfile the request names.
    let no_dockerfile = drop_file(
        &dev,
        "application/gzip",
        context_tar_gz(&[("README", "hi\n")]),
    )
    .await;
    post(json!({"file_id": no_dockerfile})).await.expect(
        400,
        &problem(
            400,
            "invalid_request",
            "Could not find or parse Dockerfile: /Dockerfile",
        ),
    );
    let elsewhere = drop_file(&dev, "application/x-tar", {
        let gz = context_tar_gz(&[("app/Dockerfile", "FROM scratch\n")]);
        let mut tar = Vec::new();
        std::io::copy(&mut flate2::read::GzDecoder::new(&gz[..]), &mut tar).expect("gunzip");
        tar
    })
    .await;
    post(json!({"file_id": elsewhere, "dockerfile_path": "/app/Dockerfile"}))
        .await
        .expect_status(201);
    // A bare Dockerfile is its own context.
    let bare = drop_file(&dev, "text/plain", b"FROM scratch\n".to_vec()).await;
    post(json!({"file_id": bare})).await.expect_status(201);

    // Pull robots: unknown (404), someone else's (403), not a robot name (403).
    let file = drop_file(&dev, "text/plain", b"FROM scratch\n".to_vec()).await;
    post(json!({"file_id": file, "pull_robot": "dev+nosuch"}))
        .await
        .expect(404, &problem(404, "not_found", "Not Found"));
    for robot in ["other+theirs", "other"] {
        let refused = post(json!({"file_id": file, "pull_robot": robot})).await;
        assert_eq!(refused.status, 403, "{robot}: {}", refused.text());
    }

    // A file one repository built is another's only for who may write to the first.
    let other_repo = "/api/v1/repository/other/app";
    other
        .post("/api/v1/repository")
        .json(&json!({"namespace": "other", "repository": "app", "visibility": "public", "description": ""}))
        .send()
        .await
        .expect_status(201);
    let refused = other
        .post(&format!("{other_repo}/build/"))
        .json(&json!({"file_id": bare}))
        .send()
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
}

backends!(build_requests_refused);

/// A runner killed mid-build: once its lease lapses the build is taken again and completes.
async fn build_retried_after_a_crash(backend: Backend) {
    let World {
        mut berth,
        dev_user,
        ..
    } = world(backend, "").await;
    let slow = dockerfile(
        &berth,
        "RUN sleep 4 && mkdir -p /out && echo second-run > /out/run.txt\n",
    );
    let dev = Client::session(&berth, &dev_user.username, &dev_user.password).await;
    let uuid = request(&dev, &[("Dockerfile", &slow)], json!({})).await;
    wait_for(&dev, &uuid, &["building"], Duration::from_secs(120)).await;
    berth.kill9();
    berth.restart().await;
    let dev = Client::session(&berth, &dev_user.username, &dev_user.password).await;
    // The lease (a minute) lapses first; then the build runs again from the start.
    let done = wait_for(&dev, &uuid, ENDED, Duration::from_secs(240)).await;
    assert_eq!(
        done["phase"],
        "complete",
        "{:#?}",
        log_of(&dev, &uuid).await
    );
    let phases: Vec<String> = log_of(&dev, &uuid)
        .await
        .iter()
        .filter(|e| e["type"] == "phase")
        .filter_map(|e| e["message"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        phases.iter().filter(|p| *p == "build-scheduled").count(),
        2,
        "{phases:?}"
    );
    assert_eq!(phases.last().map(String::as_str), Some("complete"));
}

backends!(build_retried_after_a_crash);

/// With `BUILDLOGS_REDIS`, a running build's log is in Redis under Quay's key, readable
/// through the API; once the build ends it moves to the database.
async fn build_logs_in_redis(backend: Backend) {
    let Some(redis) = crate::harness::redis().await else {
        return;
    };
    let World { berth, dev, .. } = world(
        backend,
        "BUILDLOGS_REDIS:\n  host: 127.0.0.1\n  port: 6379\n",
    )
    .await;
    let uuid = request(
        &dev,
        &[(
            "Dockerfile",
            &dockerfile(&berth, "RUN echo in-redis && sleep 3\n"),
        )],
        json!({}),
    )
    .await;
    wait_for(&dev, &uuid, &["building"], Duration::from_secs(120)).await;
    let key = format!("builds/{uuid}/logs");
    let mut connection = redis
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let running: i64 = redis::cmd("LLEN")
        .arg(&key)
        .query_async(&mut connection)
        .await
        .expect("LLEN");
    assert!(running > 0, "no log in Redis while the build runs");
    assert!(!log_of(&dev, &uuid).await.is_empty());
    let done = wait_for(&dev, &uuid, ENDED, Duration::from_secs(120)).await;
    assert_eq!(done["phase"], "complete");
    let after: i64 = redis::cmd("EXISTS")
        .arg(&key)
        .query_async(&mut connection)
        .await
        .expect("EXISTS");
    assert_eq!(after, 0, "the finished log stays in Redis");
    let entries = log_of(&dev, &uuid).await;
    assert!(
        entries.iter().any(|e| e == &json!({"message": "in-redis"})),
        "{entries:#?}"
    );
    assert_eq!(
        entries.last().map(|e| &e["message"]),
        Some(&json!("complete"))
    );
}

backends!(build_logs_in_redis);

/// `berth build-worker` on the same database and storage runs the builds a serving node that
/// does not build leaves waiting.
async fn build_worker_runs_builds(backend: Backend) {
    let World { berth, dev, .. } = world_with(backend, "", false).await;
    let uuid = request(
        &dev,
        &[("Dockerfile", &dockerfile(&berth, "RUN true\n"))],
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        dev.get(&status_path(&uuid)).send().await.json()["phase"],
        "waiting"
    );
    let data = tempfile::tempdir().expect("temp dir");
    let _worker = tokio::process::Command::new(env!("CARGO_BIN_EXE_berth"))
        .arg("build-worker")
        .arg("--data-dir")
        .arg(data.path())
        .arg("--config")
        .arg(berth.config_path())
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("starting berth build-worker");
    let done = wait_for(&dev, &uuid, ENDED, Duration::from_secs(120)).await;
    assert_eq!(
        done["phase"],
        "complete",
        "{:#?}",
        log_of(&dev, &uuid).await
    );
}

backends!(build_worker_runs_builds);
