//! The states tests start from, reached through the public API only: the first superuser and
//! its token, users made by the superuser API, minted tokens, images built with `umoci` and
//! moved with `skopeo`/`podman`, and a raw `/v2` client for what no CLI does on purpose.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use super::{Berth, Client, Resp};

/// The first user's password (11 characters, like the recorded admin's).
pub const ADMIN_PASSWORD: &str = "password123";

/// `POST /api/v1/user/initialize` for `admin` (in SUPER_USERS); returns its access token.
pub async fn initialize_admin(berth: &Berth) -> String {
    let resp = Client::anon(berth)
        .post("/api/v1/user/initialize")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD, "email": "admin@example.com", "access_token": true}))
        .send()
        .await;
    resp.expect_status(200);
    resp.json()["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// The superuser `admin`, calling with the token `initialize` gave it.
pub async fn admin(berth: &Berth) -> Client {
    Client::with_token(berth, &initialize_admin(berth).await)
}

/// A user created through `POST /api/v1/superuser/users/`, with its generated password.
#[derive(Debug, Clone)]
pub struct User {
    pub username: String,
    pub password: String,
    pub encrypted_password: String,
}

/// Creates `username` (email `<username>@example.com`) as `admin`; panics unless it answers 200.
pub async fn create_user(admin: &Client, username: &str) -> User {
    let email = format!("{username}@example.com");
    let resp = admin
        .post("/api/v1/superuser/users/")
        .json(&json!({"username": username, "email": email}))
        .send()
        .await;
    resp.expect_status(200);
    let body = resp.json();
    User {
        username: username.to_owned(),
        password: body["password"].as_str().expect("password").to_owned(),
        encrypted_password: body["encrypted_password"]
            .as_str()
            .expect("encrypted_password")
            .to_owned(),
    }
}

/// `auditor`, who is in GLOBAL_READONLY_SUPER_USERS.
pub async fn create_auditor(admin: &Client) -> User {
    create_user(admin, "auditor").await
}

/// Creates organization `org` owned by `owner` and an OAuth application in it; returns the
/// application's `client_id` (transcripts 156–157).
pub async fn create_org_app(owner: &Client, org: &str) -> String {
    create_org(owner, org).await;
    let app = owner
        .post(&format!("/api/v1/organization/{org}/applications"))
        .json(&json!({"name": "cli"}))
        .send()
        .await;
    app.expect_status(200);
    app.json()["client_id"]
        .as_str()
        .expect("client_id")
        .to_owned()
}

/// `POST /api/v1/organization/{org}/applications/{client_id}/tokens` (core-api.md §1.8(c)).
pub async fn request_token(owner: &Client, org: &str, client_id: &str, scope: &str) -> Resp {
    owner
        .post(&format!(
            "/api/v1/organization/{org}/applications/{client_id}/tokens"
        ))
        .json(&json!({"name": "tests", "scope": scope}))
        .send()
        .await
}

/// Mints an OAuth token for `owner` with `scope`, in a new organization `org` (transcripts
/// 156–158, 165).
pub async fn mint_token(owner: &Client, org: &str, scope: &str) -> String {
    let client_id = create_org_app(owner, org).await;
    let token = request_token(owner, org, &client_id, scope).await;
    token.expect_status(200);
    token.json()["token"].as_str().expect("token").to_owned()
}

/// An OAuth token of the session's user holding `scope`, from the implicit grant (core-api.md
/// §1.8 (a)) of application `client_id` with Berth's own `/oauth/localapp` as redirect. Unlike
/// REST minting, the grant does not ask whether the user holds the scope (`super:user`).
pub async fn implicit_token(
    berth: &Berth,
    session: &Client,
    client_id: &str,
    scope: &str,
) -> String {
    let local = berth.url("/oauth/localapp");
    let query =
        format!("client_id={client_id}&scope={scope}&redirect_uri={local}&response_type=token");
    let consent = session
        .get(&format!("/oauth/authorize?{query}&format=json"))
        .send()
        .await;
    // Scopes the user already granted this application come back at once.
    let redirect = if consent.status == 302 {
        consent
    } else {
        consent.expect_status(200);
        let csrf = consent.json()["csrf_token_val"]
            .as_str()
            .expect("csrf_token_val")
            .to_owned();
        session
            .post("/oauth/authorizeapp")
            .body(
                Some("application/x-www-form-urlencoded"),
                format!("{query}&_csrf_token={csrf}"),
            )
            .send()
            .await
    };
    redirect.expect_status(302);
    let location = redirect.header("Location").expect("Location");
    location
        .split_once("#access_token=")
        .and_then(|(_, fragment)| fragment.split('&').next())
        .unwrap_or_else(|| panic!("no token in {location}"))
        .to_owned()
}

/// A token for `user`, who signs in with its password and mints one in `<username>org`.
pub async fn user_token(berth: &Berth, user: &User, scope: &str) -> String {
    let session = Client::session(berth, &user.username, &user.password).await;
    mint_token(&session, &format!("{}org", user.username), scope).await
}

/// `POST /api/v1/organization/` as `owner`.
pub async fn create_org(owner: &Client, name: &str) {
    owner
        .post("/api/v1/organization/")
        .json(&json!({"name": name, "email": format!("{name}@example.com")}))
        .send()
        .await
        .expect(201, "\"Created\"\n");
}

/// A user made by the superuser, and a signed-in session of it.
pub async fn user_session(berth: &Berth, admin: &Client, name: &str) -> (User, Client) {
    let user = create_user(admin, name).await;
    let session = Client::session(berth, &user.username, &user.password).await;
    (user, session)
}

/// `PUT .../team/{team}` with `role`, then adds `members`.
pub async fn create_team(owner: &Client, org: &str, team: &str, role: &str, members: &[&str]) {
    owner
        .put(&format!("/api/v1/organization/{org}/team/{team}"))
        .json(&json!({"role": role}))
        .send()
        .await
        .expect_status(200);
    for member in members {
        owner
            .put(&format!(
                "/api/v1/organization/{org}/team/{team}/members/{member}"
            ))
            .send()
            .await
            .expect_status(200);
    }
}

/// Pushes a one-layer image as `repo:v1` over raw `/v2` (see [`Registry::try_push`]).
pub async fn try_push(berth: &Berth, username: &str, password: &str, repo: &str) -> u16 {
    Registry::login(berth, username, password, repo)
        .await
        .try_push()
        .await
}

/// `GET /v2/<repo>/manifests/v1` with a token for `username`: 200 when pulled.
pub async fn try_pull(berth: &Berth, username: &str, password: &str, repo: &str) -> u16 {
    let registry = Registry::login(berth, username, password, repo).await;
    registry.get_manifest("v1").await.status
}

pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The `/v2` protocol spoken by hand, for what the CLI clients never send on purpose.
pub struct Registry {
    client: Client,
    repo: String,
}

impl Registry {
    /// Logs in at `/v2/auth` with basic auth for `repository:<repo>:pull,push`.
    pub async fn login(berth: &Berth, username: &str, password: &str, repo: &str) -> Registry {
        let scope = format!("repository:{repo}:pull,push");
        let token = token_for(berth, username, password, &scope).await;
        Registry::with_token(berth, &token, repo)
    }

    /// Calls `/v2/<repo>/...` with a registry token obtained elsewhere.
    pub fn with_token(berth: &Berth, token: &str, repo: &str) -> Registry {
        Registry {
            client: Client::with_token(berth, token),
            repo: repo.to_owned(),
        }
    }

    /// Pushes a one-layer image as `v1`: the status of the first step refused (the upload
    /// start) or of the manifest PUT (201 when it worked). The image is the same for every
    /// push to the same repository.
    pub async fn try_push(&self) -> u16 {
        let start = self.client.post(&self.path("blobs/uploads/")).send().await;
        if start.status != 202 {
            return start.status;
        }
        let config = self.upload_blob(b"{}").await;
        let layer = self.upload_blob(self.repo.as_bytes()).await;
        let manifest = oci_manifest((&config, 2), &[(&layer, self.repo.len())]);
        self.put_manifest("v1", &manifest).await.status
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// `/v2/<repo>/<rest>`
    pub fn path(&self, rest: &str) -> String {
        format!("/v2/{}/{rest}", self.repo)
    }

    /// `POST .../blobs/uploads/`: the upload's Location (absolute or a path).
    pub async fn start_upload(&self) -> String {
        let resp = self.client.post(&self.path("blobs/uploads/")).send().await;
        resp.expect_status(202);
        resp.header("Location").expect("Location").to_owned()
    }

    /// `PUT <location>?digest=<digest>` with `body` as the last chunk.
    pub async fn finish_upload(&self, location: &str, digest: &str, body: Vec<u8>) -> Resp {
        let sep = if location.contains('?') { '&' } else { '?' };
        self.client
            .put(&format!("{location}{sep}digest={digest}"))
            .body(Some("application/octet-stream"), body)
            .send()
            .await
    }

    /// A whole blob in one PATCH plus PUT; returns the PUT's answer.
    pub async fn upload_blob_as(&self, body: &[u8], digest: &str) -> Resp {
        let location = self.start_upload().await;
        let patch = self
            .client
            .patch(&location)
            .body(Some("application/octet-stream"), body.to_vec())
            .send()
            .await;
        patch.expect_status(202);
        let location = patch.header("Location").unwrap_or(&location).to_owned();
        self.finish_upload(&location, digest, Vec::new()).await
    }

    /// Uploads `body` under its real digest and returns that digest.
    pub async fn upload_blob(&self, body: &[u8]) -> String {
        let digest = sha256_digest(body);
        self.upload_blob_as(body, &digest).await.expect_status(201);
        digest
    }

    pub async fn head_blob(&self, digest: &str) -> Resp {
        self.client
            .head(&self.path(&format!("blobs/{digest}")))
            .send()
            .await
    }

    pub async fn get_blob(&self, digest: &str) -> Resp {
        self.client
            .get(&self.path(&format!("blobs/{digest}")))
            .send()
            .await
    }

    /// HEAD answers 404 (no body) and GET 404 `BLOB_UNKNOWN`.
    pub async fn assert_no_blob(&self, digest: &str) {
        self.head_blob(digest).await.expect(404, "");
        assert_code(&self.get_blob(digest).await, 404, "BLOB_UNKNOWN");
    }

    pub async fn put_manifest(&self, reference: &str, manifest: &Value) -> Resp {
        let bytes = serde_json::to_vec(manifest).expect("manifest");
        self.put_manifest_as(reference, OCI_MANIFEST, bytes).await
    }

    /// `PUT manifests/<reference>` of `bytes` as `media_type`.
    pub async fn put_manifest_as(&self, reference: &str, media_type: &str, bytes: Vec<u8>) -> Resp {
        self.client
            .put(&self.path(&format!("manifests/{reference}")))
            .body(Some(media_type), bytes)
            .send()
            .await
    }

    pub async fn get_manifest(&self, reference: &str) -> Resp {
        self.get_manifest_as(reference, OCI_MANIFEST).await
    }

    /// `GET manifests/<reference>` accepting only `media_type`.
    pub async fn get_manifest_as(&self, reference: &str, media_type: &str) -> Resp {
        self.client
            .get(&self.path(&format!("manifests/{reference}")))
            .header("Accept", media_type)
            .send()
            .await
    }
}

/// Asserts the status and `errors[0].code` of a `/v2` error body.
#[track_caller]
pub fn assert_code(resp: &Resp, status: u16, code: &str) {
    assert_eq!(resp.status, status, "{}", resp.text());
    assert_eq!(resp.json()["errors"][0]["code"], code, "{}", resp.text());
}

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// An OCI image manifest over a config blob and layer blobs (digest, size) already uploaded.
pub fn oci_manifest(config: (&str, usize), layers: &[(&str, usize)]) -> Value {
    json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config.0, "size": config.1},
        "layers": layers.iter().map(|(digest, size)| json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest, "size": size
        })).collect::<Vec<_>>(),
    })
}

/// The registry token `/v2/auth` gives `username` for `scope`; panics unless it answers 200.
pub async fn token_for(berth: &Berth, username: &str, password: &str, scope: &str) -> String {
    let resp = registry_token(berth, username, password, Some(scope)).await;
    resp.expect_status(200);
    resp.json()["token"].as_str().expect("token").to_owned()
}

/// `GET /v2/auth?service=<addr>[&scope=<scope>]` with basic auth.
pub async fn registry_token(
    berth: &Berth,
    username: &str,
    password: &str,
    scope: Option<&str>,
) -> Resp {
    registry_token_as(berth, &Client::basic(berth, username, password), scope).await
}

/// `GET /v2/auth?service=<addr>[&scope=<scope>]` as `client`, which may be anonymous.
pub async fn registry_token_as(berth: &Berth, client: &Client, scope: Option<&str>) -> Resp {
    let mut path = format!("/v2/auth?service={}", berth.addr);
    if let Some(scope) = scope {
        path.push_str(&format!("&scope={scope}"));
    }
    client.get(&path).send().await
}

/// Runs `curl` with `args` plus `-s -S`, returning (HTTP status, body).
pub async fn curl(tools: &Tools, args: &[&str]) -> (u16, String) {
    let mut all = vec!["-s", "-S", "-w", "\n%{http_code}"];
    all.extend_from_slice(args);
    let out = tools.run_ok("curl", &all).await;
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let (body, status) = text.rsplit_once('\n').expect("status line");
    (status.parse().expect("status"), body.to_owned())
}

/// Private state for the container CLIs: `HOME`, `TMPDIR`, `XDG_RUNTIME_DIR`, the auth file and
/// podman's storage all live in one temporary folder per test.
pub struct Tools {
    dir: TempDir,
}

impl Default for Tools {
    fn default() -> Self {
        Tools::new()
    }
}

impl Tools {
    pub fn new() -> Tools {
        let dir = tempfile::Builder::new()
            .prefix("berth-tools-")
            .tempdir()
            .expect("temp dir");
        for sub in ["home", "tmp", "run", "images"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("tool dirs");
        }
        Tools { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, program: &str) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(program);
        cmd.env("HOME", self.path("home"))
            .env("TMPDIR", self.path("tmp"))
            .env("XDG_RUNTIME_DIR", self.path("run"))
            .env("XDG_CONFIG_HOME", self.path("home/.config"))
            .env("REGISTRY_AUTH_FILE", self.path("auth.json"))
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        cmd
    }

    /// Runs `program args`, returning its output whatever the exit status.
    pub async fn run(&self, program: &str, args: &[&str]) -> Output {
        let mut cmd = self.command(program);
        if program == "podman" {
            let (root, runroot) = (self.path("podman/root"), self.path("podman/runroot"));
            cmd.arg("--root").arg(root).arg("--runroot").arg(runroot);
            cmd.args([
                "--storage-driver",
                "vfs",
                "--events-backend",
                "file",
                "--cgroup-manager",
                "cgroupfs",
            ]);
        }
        cmd.args(args)
            .output()
            .await
            .unwrap_or_else(|e| panic!("running {program}: {e}"))
    }

    /// Like `run`, but panics with the tool's stderr unless it exits 0.
    pub async fn run_ok(&self, program: &str, args: &[&str]) -> Output {
        let out = self.run(program, args).await;
        assert_success(&out, &format!("{program} {args:?}"));
        out
    }

    /// `podman login --tls-verify=false -u <username> -p <password> <addr>`.
    pub async fn podman_login(&self, berth: &Berth, username: &str, password: &str) -> Output {
        let args = [
            "login",
            "--tls-verify=false",
            "-u",
            username,
            "-p",
            password,
            &berth.addr,
        ];
        self.run("podman", &args).await
    }

    /// Builds an OCI layout `images/<name>` whose tag `v1` holds one layer with `/hello.txt`
    /// containing `text`. Returns the layout folder.
    pub async fn build_image(&self, name: &str, text: &str) -> PathBuf {
        let layout = self.path(&format!("images/{name}"));
        let file = self.path(&format!("tmp/{name}-hello.txt"));
        std::fs::write(&file, text).expect("layer file");
        self.run_ok(
            "umoci",
            &["init", "--layout", layout.to_str().expect("utf-8")],
        )
        .await;
        self.umoci_image(
            &layout,
            "v1",
            &file,
            "/hello.txt",
            &["--config.cmd", "/hello.txt"],
        )
        .await;
        layout
    }

    /// Adds the image `<layout>:<tag>` to an existing layout: one layer holding `source` (a
    /// file or folder) at `target`, with `config` as `umoci config` flags.
    pub async fn umoci_image(
        &self,
        layout: &Path,
        tag: &str,
        source: &Path,
        target: &str,
        config: &[&str],
    ) {
        let image = format!("{}:{tag}", layout.to_str().expect("utf-8 path"));
        let source = source.to_str().expect("utf-8 path");
        self.run_ok("umoci", &["new", "--image", &image]).await;
        self.run_ok("umoci", &["insert", "--image", &image, source, target])
            .await;
        let mut args = vec!["config", "--image", &image];
        args.extend_from_slice(config);
        self.run_ok("umoci", &args).await;
    }

    /// `skopeo copy` with the registry side over plain HTTP and `user`'s credentials.
    pub async fn skopeo_copy(&self, src: &str, dest: &str, creds: &str) -> Output {
        let mut args = vec!["copy", "--src-tls-verify=false", "--dest-tls-verify=false"];
        if src.starts_with("docker://") {
            args.extend(["--src-creds", creds]);
        }
        if dest.starts_with("docker://") {
            args.extend(["--dest-creds", creds]);
        }
        args.extend([src, dest]);
        self.run("skopeo", &args).await
    }

    /// Pushes `layout:v1` to `docker://<addr>/<repo_tag>` as `user`; panics on failure.
    pub async fn push_image(&self, berth: &Berth, user: &User, layout: &Path, repo_tag: &str) {
        self.push_to(&berth.addr, &creds(user), layout, repo_tag)
            .await;
    }

    /// Pushes `layout:v1` to `docker://<addr>/<repo_tag>` of any registry with `creds`
    /// (`user:password`); panics on failure.
    pub async fn push_to(&self, addr: &str, creds: &str, layout: &Path, repo_tag: &str) {
        let src = format!("oci:{}:v1", layout.display());
        let dest = format!("docker://{addr}/{repo_tag}");
        let out = self.skopeo_copy(&src, &dest, creds).await;
        assert_success(&out, &format!("skopeo push to {dest}"));
    }

    /// Pulls `docker://<addr>/<repo_tag>` into a new layout `images/<into>` (tag v1).
    pub async fn pull_image(
        &self,
        berth: &Berth,
        user: &User,
        repo_tag: &str,
        into: &str,
    ) -> Output {
        let dest = format!("oci:{}:v1", self.path(&format!("images/{into}")).display());
        self.skopeo_copy(
            &format!("docker://{}/{repo_tag}", berth.addr),
            &dest,
            &creds(user),
        )
        .await
    }
}

pub fn creds(user: &User) -> String {
    format!("{}:{}", user.username, user.password)
}

/// The `username`s of a `{"users": [...]}` list, in order.
pub fn usernames(list: &Value) -> Vec<String> {
    let users = list["users"].as_array().expect("users");
    users
        .iter()
        .map(|u| u["username"].as_str().expect("username").to_owned())
        .collect()
}

/// Asserts that a tool exited 0, showing its output otherwise.
#[track_caller]
pub fn assert_success(out: &Output, what: &str) {
    assert!(out.status.success(), "{what} failed: {}", describe(out));
}

/// Asserts that a tool failed, showing its output otherwise.
#[track_caller]
pub fn assert_failure(out: &Output, what: &str) {
    assert!(!out.status.success(), "{what} must fail: {}", describe(out));
}

/// Exit status and both streams of a finished tool, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The digests an OCI layout holds for tag `v1`: manifest, config and layers.
#[derive(Debug, PartialEq, Eq)]
pub struct ImageDigests {
    pub manifest: String,
    pub config: String,
    pub layers: Vec<String>,
}

pub fn image_digests(layout: &Path) -> ImageDigests {
    let read = |path: PathBuf| -> Value {
        serde_json::from_slice(
            &std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .expect("JSON")
    };
    let index = read(layout.join("index.json"));
    let manifest = index["manifests"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .rev()
                .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == "v1")
        })
        .and_then(|m| m["digest"].as_str())
        .expect("tag v1 in index.json")
        .to_owned();
    let blob = |digest: &str| {
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    };
    let body = read(blob(&manifest));
    ImageDigests {
        config: body["config"]["digest"]
            .as_str()
            .expect("config digest")
            .to_owned(),
        layers: body["layers"]
            .as_array()
            .expect("layers")
            .iter()
            .map(|l| l["digest"].as_str().expect("layer digest").to_owned())
            .collect(),
        manifest,
    }
}

/// What a `receiver` was sent, in order.
pub type Received = std::sync::Arc<std::sync::Mutex<Vec<Value>>>;

/// An HTTP receiver on loopback that answers 500 to the first `failures` POSTs, then 200,
/// keeping every payload.
pub async fn receiver(failures: usize) -> (String, Received) {
    let received = Received::default();
    let kept = received.clone();
    let app = axum::Router::new().route(
        "/done",
        axum::routing::post(move |axum::Json(payload): axum::Json<Value>| {
            let kept = kept.clone();
            async move {
                let mut all = kept.lock().unwrap();
                all.push(payload);
                if all.len() <= failures {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/done", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// Creates the organization `acme` and queues an export of its logs to `callback_url`.
pub async fn export_acme_logs_to(admin: &Client, callback_url: &str) {
    create_org(admin, "acme").await;
    admin
        .post("/api/v1/organization/acme/exportlogs")
        .json(&json!({ "callback_url": callback_url }))
        .send()
        .await
        .expect_status(200);
}

/// Queues a log export of a new organization `acme` whose callback holds its first request
/// open for good (and answers later ones), and waits until a node runs it: that node holds
/// the job until it dies. Answers how many deliveries were answered.
pub async fn hold_an_export(admin: &Client) -> std::sync::Arc<std::sync::atomic::AtomicUsize> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let seen = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let (seen_here, answered_here) = (seen.clone(), answered.clone());
    let app = axum::Router::new().route(
        "/done",
        axum::routing::post(move || {
            let (seen, answered) = (seen_here.clone(), answered_here.clone());
            async move {
                if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                    std::future::pending::<()>().await;
                }
                answered.fetch_add(1, Ordering::SeqCst);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/done", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    export_acme_logs_to(admin, &url).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while seen.load(Ordering::SeqCst) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the export job never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    answered
}

/// Listens to `/realtime/user/subscribe?events=<events>` on `berth` with `session`'s cookie:
/// each server-sent `data:` line's JSON, in order, starting with the opening `{}`.
pub async fn listen_events(
    berth: &Berth,
    session: &Client,
    events: &str,
) -> tokio::sync::mpsc::UnboundedReceiver<Value> {
    let response = reqwest::Client::new()
        .get(berth.url(&format!("/realtime/user/subscribe?events={events}")))
        .header("Cookie", session.cookie_header().expect("a session"))
        .send()
        .await
        .expect("subscribe");
    assert_eq!(response.status(), 200, "subscribe");
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let (sender, heard) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        use futures::StreamExt;
        let mut body = response.bytes_stream();
        let mut text = String::new();
        while let Some(Ok(chunk)) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = text.find("\n\n") {
                let message: String = text.drain(..end + 2).collect();
                let data = message
                    .trim_end()
                    .strip_prefix("data: ")
                    .expect("a data line");
                let parsed = serde_json::from_str(data).expect("JSON data");
                if sender.send(parsed).is_err() {
                    return;
                }
            }
        }
    });
    heard
}

/// The next event `heard` other than `pulse`, within 15 s.
pub async fn next_event(heard: &mut tokio::sync::mpsc::UnboundedReceiver<Value>) -> Value {
    let wait = async {
        loop {
            let message = heard.recv().await.expect("the stream ended");
            if message["event"] != "pulse" {
                return message;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(15), wait)
        .await
        .expect("no event within 15 s")
}

/// Asserts that a `{"logs": [...]}` answer holds an entry of each of `kinds`.
#[track_caller]
pub fn assert_kinds_logged(logs: &Value, kinds: &[&str]) {
    let present: Vec<&str> = logs["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    for kind in kinds {
        assert!(present.contains(kind), "{kind} in {present:?}");
    }
}
