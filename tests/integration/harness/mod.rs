//! Runs the real `berth` binary for a test: `berth serve --listen 127.0.0.1:0 --data-dir <tmp>
//! --config <generated>`, reads the address from its `listening on` line, waits for
//! `/health/instance`, and kills it when the test ends.

pub mod backend;
pub mod client;
pub mod distribution;
pub mod fixtures;
pub mod front;
pub mod storage;
pub mod wire;

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub use backend::Backend;
pub use client::{Client, Resp};
use storage::Bucket;

/// Expands each named `async fn name(backend: Backend)` into the tests `name_sqlite` and
/// `name_postgres`. Without a reachable PostgreSQL the second one says so and passes, unless
/// `BERTH_TEST_REQUIRE_POSTGRES=1`.
macro_rules! backends {
    ($($name:ident),* $(,)?) => {
        paste::paste! { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn [<$name _sqlite>]() {
                $name($crate::harness::Backend::sqlite()).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn [<$name _postgres>]() {
                if let Some(backend) = $crate::harness::Backend::postgres().await {
                    $name(backend).await
                }
            }
        )* }
    };
}
pub(crate) use backends;

/// The Redis server at 127.0.0.1:6379, when it answers. Without one the caller skips and says
/// so, unless `BERTH_TEST_REQUIRE_REDIS=1` (CI), which fails instead.
pub async fn redis() -> Option<redis::Client> {
    let client = redis::Client::open("redis://127.0.0.1:6379/0").expect("a Redis URL");
    let reached = async {
        let mut connection = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
    };
    match tokio::time::timeout(Duration::from_secs(2), reached).await {
        Ok(Ok(_)) => Some(client),
        failed if std::env::var("BERTH_TEST_REQUIRE_REDIS").as_deref() == Ok("1") => {
            panic!(
                "Redis not reachable at 127.0.0.1:6379 ({failed:?}) and BERTH_TEST_REQUIRE_REDIS=1"
            )
        }
        _ => {
            println!("skipped: Redis not reachable at 127.0.0.1:6379");
            None
        }
    }
}

/// Config knobs a test may change; everything else is the suite's standard config.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `BROWSER_API_CALLS_XHR_ONLY` (false by default, as the §6.17 docs require).
    pub xhr_only: bool,
    /// `FEATURE_QUOTA_MANAGEMENT`, which adds `quotas` and `quota_report` to user views.
    pub quota_management: bool,
    /// `FEATURE_SUPERUSERS_FULL_ACCESS`: superusers pass every namespace check.
    pub superusers_full_access: bool,
    /// Blobs in a bucket of their own on the shared S3 server instead of a local folder.
    pub s3: bool,
    /// `FEATURE_PROXY_STORAGE`: blob downloads pass through Berth instead of redirecting to S3.
    pub proxy_storage: bool,
    /// Garbage collection within seconds: no time machine (`DEFAULT_TAG_EXPIRATION: 0s`),
    /// upload links and sessions kept `GC_UPLOAD_WINDOW_S`, a collection every second.
    pub fast_gc: bool,
    /// More `config.yaml` lines, appended as given.
    pub extra_yaml: String,
    /// More `berth serve` flags (connection limits), passed as given.
    pub serve_args: Vec<String>,
    /// Run requested builds (buildah); without it builds stay `waiting`.
    pub builds: bool,
    /// The server is expected to report itself unhealthy: a 503 from `/health/instance`
    /// means it is up.
    pub unhealthy: bool,
}

/// `PUSH_TEMP_TAG_EXPIRATION_SEC` with `Options::fast_gc`: long enough for a push to finish.
pub const GC_UPLOAD_WINDOW_S: u64 = 6;

/// A running `berth serve`.
pub struct Berth {
    /// Shared by the nodes of one registry (`another_node`).
    backend: Arc<Backend>,
    options: Options,
    data_dir: TempDir,
    bucket: Option<Arc<Bucket>>,
    child: Option<Child>,
    /// `127.0.0.1:<port>`: also the Host (and so SERVER_HOSTNAME) clients use.
    pub addr: String,
}

impl Berth {
    pub async fn start(backend: Backend) -> Berth {
        Berth::start_with(backend, Options::default()).await
    }

    pub async fn start_with(backend: Backend, options: Options) -> Berth {
        let bucket = if options.s3 {
            Some(Arc::new(Bucket::create().await))
        } else {
            None
        };
        Berth::start_node(Arc::new(backend), bucket, options).await
    }

    async fn start_node(
        backend: Arc<Backend>,
        bucket: Option<Arc<Bucket>>,
        options: Options,
    ) -> Berth {
        let data_dir = tempfile::Builder::new()
            .prefix("berth-data-")
            .tempdir()
            .expect("temp dir");
        let mut berth = Berth {
            backend,
            options,
            data_dir,
            bucket,
            child: None,
            addr: String::new(),
        };
        berth.spawn().await;
        berth
    }

    /// Another node of the same registry: the same database and bucket, a data folder (and
    /// so a service key) of its own, with `options` (whose storage must be the same kind).
    pub async fn another_node(&self, options: Options) -> Berth {
        assert_eq!(
            options.s3, self.options.s3,
            "the nodes of a registry share storage"
        );
        Berth::start_node(self.backend.clone(), self.bucket.clone(), options).await
    }

    /// The database the server runs on.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// `http://<addr><path>`
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGKILL, as a crash would: no shutdown code runs.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends SIGTERM, as a service manager stopping a node does; returns a task that ends with
    /// the process, answering whether it exited successfully.
    pub fn terminate(&mut self) -> std::thread::JoinHandle<bool> {
        let mut child = self.child.take().expect("a running server");
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(sent, "could not send SIGTERM");
        std::thread::spawn(move || child.wait().is_ok_and(|status| status.success()))
    }

    /// Starts the binary again on the same data folder and database (on a new port).
    pub async fn restart(&mut self) {
        self.kill9();
        self.spawn().await;
    }

    /// Like `restart`, with other options on the same storage.
    pub async fn restart_with(&mut self, options: Options) {
        assert_eq!(options.s3, self.options.s3, "a restart keeps its storage");
        self.options = options;
        self.restart().await;
    }

    /// The `config.yaml` the server runs with (another node may share it).
    /// Runs `berth <args> --data-dir <its folder> --config <its config.yaml>` beside the
    /// server, as an operator runs a one-off command on a registry's host.
    pub async fn command(&self, args: &[&str]) -> std::process::Output {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_berth"))
            .args(args)
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .arg("--config")
            .arg(self.config_path())
            .env("RUST_LOG", "warn")
            .output()
            .await
            .expect("running the berth binary")
    }

    pub fn config_path(&self) -> PathBuf {
        self.data_dir.path().join("config.yaml")
    }

    fn log_path(&self) -> PathBuf {
        self.data_dir.path().join("berth.log")
    }

    /// Blobs in storage (files under the storage folder or objects in the bucket).
    pub async fn stored_blobs(&self) -> usize {
        self.stored_under("sha256").await + self.stored_under("sha512").await
    }

    /// Upload files or chunk objects in storage.
    pub async fn stored_uploads(&self) -> usize {
        self.stored_under("uploads").await
    }

    /// Writes the store holds unfinished: S3 multipart uploads (a local folder has none).
    pub async fn unfinished_writes(&self) -> usize {
        match &self.bucket {
            Some(bucket) => bucket.count_multipart_uploads().await,
            None => 0,
        }
    }

    /// Puts `bytes` at the storage place of blob `digest` (`sha256:<hex>`), past the registry:
    /// what a crash between the removal of a blob's row and of its bytes leaves.
    pub async fn put_stored_blob(&self, digest: &str, bytes: &[u8]) {
        let hex = digest.strip_prefix("sha256:").expect("a sha256 digest");
        let key = format!("sha256/{}/{hex}", &hex[..2]);
        match &self.bucket {
            Some(bucket) => bucket.put_object(&key, bytes).await,
            None => {
                let path = self.data_dir.path().join("blobs").join(key);
                std::fs::create_dir_all(path.parent().expect("shard folder")).expect("shard");
                std::fs::write(path, bytes).expect("blob file");
            }
        }
    }

    async fn stored_under(&self, prefix: &str) -> usize {
        match &self.bucket {
            Some(bucket) => bucket.count_objects(&format!("{prefix}/")).await,
            None => storage::count_files(&self.data_dir.path().join("blobs").join(prefix)),
        }
    }

    fn write_config(&self) {
        let blobs = self.data_dir.path().join("blobs");
        let storage = match &self.bucket {
            Some(bucket) => bucket.config_entry(),
            None => format!("[LocalStorage, {{storage_path: {}}}]", blobs.display()),
        };
        let mut extra = self.options.extra_yaml.clone();
        if self.options.fast_gc {
            extra += &format!(
                "DEFAULT_TAG_EXPIRATION: 0s\n\
                 PUSH_TEMP_TAG_EXPIRATION_SEC: {GC_UPLOAD_WINDOW_S}\n\
                 GARBAGE_COLLECTION_FREQUENCY: 1\n"
            );
        }
        if self.options.proxy_storage {
            extra.push_str("FEATURE_PROXY_STORAGE: true\n");
        }
        let yaml = format!(
            "SUPER_USERS: [admin]\n\
             GLOBAL_READONLY_SUPER_USERS: [auditor]\n\
             FEATURE_USER_INITIALIZE: true\n\
             FEATURE_MAILING: false\n\
             ACTION_LOG_AUDIT_LOGIN_FAILURES: true\n\
             FEATURE_QUOTA_MANAGEMENT: {quota}\n\
             FEATURE_SUPERUSERS_FULL_ACCESS: {full_access}\n\
             BROWSER_API_CALLS_XHR_ONLY: {xhr}\n\
             DB_URI: {db}\n\
             DISTRIBUTED_STORAGE_CONFIG:\n  default: {storage}\n\
             DISTRIBUTED_STORAGE_PREFERENCE: [default]\n{extra}",
            quota = self.options.quota_management,
            full_access = self.options.superusers_full_access,
            xhr = self.options.xhr_only,
            db = self.backend.db_uri(),
        );
        std::fs::write(self.config_path(), yaml).expect("writing config.yaml");
    }

    async fn spawn(&mut self) {
        self.write_config();
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_berth"))
            .arg("serve")
            // A restart listens where the server did before, as a restarted registry does.
            .args([
                "--listen",
                if self.addr.is_empty() {
                    "127.0.0.1:0"
                } else {
                    &self.addr
                },
            ])
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .arg("--config")
            .arg(self.config_path())
            .args(&self.options.serve_args)
            .args((!self.options.builds).then_some("--no-build-worker"))
            .env("RUST_LOG", "info,sqlx=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("starting the berth binary");
        let stdout = child.stdout.take().expect("piped stdout");
        self.child = Some(child);

        // One thread reads the first line and then keeps draining stdout, so the pipe never fills.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    let _ = tx.send(addr.trim().to_owned());
                    break;
                }
            }
            for _ in lines {}
        });
        let addr = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(120)))
            .await
            .expect("join");
        match addr {
            Ok(addr) => self.addr = addr,
            Err(_) => panic!("berth did not print its address; log:\n{}", self.log_tail()),
        }
        self.wait_healthy().await;
    }

    async fn wait_healthy(&mut self) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(resp) = http.get(self.url("/health/instance")).send().await {
                let up = if self.options.unhealthy { 503 } else { 200 };
                if resp.status() == up {
                    return;
                }
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("berth exited ({status}); log:\n{}", self.log_tail());
            }
            assert!(
                Instant::now() < deadline,
                "/health/instance never answered 200; log:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The last 8 KiB of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(self.log_path()) {
            let len = file.metadata().map(|m| m.len()).unwrap_or(0);
            let _ = file.seek(SeekFrom::Start(len.saturating_sub(8192)));
            let _ = file.read_to_string(&mut text);
        }
        text
    }
}

impl Drop for Berth {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            eprintln!("--- berth log ({}) ---\n{}", self.addr, self.log_tail());
        }
    }
}
