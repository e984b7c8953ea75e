//! Where a test server keeps blob bytes: its own local folder, or its own bucket on an S3
//! server (`moto_server` from PyPI's `moto[server]`) that the whole test process shares. Moto
//! starts on first use on a free loopback port, under a watchdog shell that stops it once
//! the test process has exited.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rand::Rng;

/// Runs moto in the background and waits for process `$2` (the test binary) to end, then
/// stops moto: statics are never dropped, so nothing in the test process could.
const WATCHDOG: &str = "moto_server -H 127.0.0.1 -p \"$1\" >/dev/null 2>&1 & moto=$!; \
    trap 'kill $moto 2>/dev/null' EXIT; \
    while kill -0 \"$2\" 2>/dev/null && kill -0 $moto 2>/dev/null; do sleep 1; done";

/// The prefix every test server writes its objects under (`storage_path`).
const ROOT: &str = "registry";

/// Which storage driver a test server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Local,
    S3,
}

/// Expands each named `async fn name(backend: Backend, storage: Storage)` into tests on
/// LocalStorage and on S3, each on SQLite and PostgreSQL (`name_local_sqlite`, ...).
macro_rules! storages {
    ($($name:ident),* $(,)?) => {
        paste::paste! { $(
            async fn [<$name _local>](backend: $crate::harness::Backend) {
                $name(backend, $crate::harness::storage::Storage::Local).await
            }
            async fn [<$name _s3>](backend: $crate::harness::Backend) {
                $name(backend, $crate::harness::storage::Storage::S3).await
            }
            $crate::harness::backends!([<$name _local>], [<$name _s3>]);
        )* }
    };
}
pub(crate) use storages;

/// A bucket of its own on the shared moto server.
#[derive(Debug)]
pub struct Bucket {
    endpoint: String,
    pub name: String,
}

impl Bucket {
    /// Creates a fresh bucket through the S3 API (moto accepts unsigned requests).
    pub async fn create() -> Bucket {
        let endpoint = moto_endpoint().to_owned();
        let name = format!("berth-t-{:016x}", rand::thread_rng().gen::<u64>());
        let resp = reqwest::Client::new()
            .put(format!("{endpoint}/{name}"))
            .send()
            .await
            .expect("creating a bucket on moto");
        assert!(
            resp.status().is_success(),
            "CreateBucket: {}",
            resp.status()
        );
        Bucket { endpoint, name }
    }

    /// The `DISTRIBUTED_STORAGE_CONFIG` entry for this bucket.
    pub fn config_entry(&self) -> String {
        format!(
            "[S3Storage, {{s3_bucket: {}, storage_path: /{ROOT}, endpoint_url: '{}', \
             s3_access_key: testing, s3_secret_key: testing}}]",
            self.name, self.endpoint
        )
    }

    /// Stores `bytes` as object `<storage_path>/<key>` (a signed PutObject, as the server's
    /// own credentials make it: moto refuses an unsigned one over an object they wrote).
    pub async fn put_object(&self, key: &str, bytes: &[u8]) {
        use object_store::ObjectStore;
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_bucket_name(&self.name)
            .with_region("us-east-1")
            .with_access_key_id("testing")
            .with_secret_access_key("testing")
            .with_allow_http(true)
            .build()
            .expect("an S3 client for moto");
        let path = object_store::path::Path::from(format!("{ROOT}/{key}"));
        store
            .put(&path, bytes.to_vec().into())
            .await
            .expect("PutObject");
    }

    /// How many multipart uploads below `<storage_path>/` are neither completed nor aborted
    /// (ListMultipartUploads; the test buckets never hold a thousand).
    pub async fn count_multipart_uploads(&self) -> usize {
        let body = reqwest::Client::new()
            .get(format!("{}/{}", self.endpoint, self.name))
            .query(&[("uploads", ""), ("prefix", &format!("{ROOT}/"))])
            .send()
            .await
            .expect("ListMultipartUploads")
            .text()
            .await
            .expect("ListMultipartUploads body");
        body.matches("<Upload>").count()
    }

    /// How many objects are stored below `<storage_path>/<prefix>` (ListObjectsV2).
    pub async fn count_objects(&self, prefix: &str) -> usize {
        let mut count = 0;
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![
                ("list-type", "2".to_owned()),
                ("prefix", format!("{ROOT}/{prefix}")),
            ];
            if let Some(token) = &token {
                query.push(("continuation-token", token.clone()));
            }
            let body = reqwest::Client::new()
                .get(format!("{}/{}", self.endpoint, self.name))
                .query(&query)
                .send()
                .await
                .expect("ListObjectsV2")
                .text()
                .await
                .expect("ListObjectsV2 body");
            count += body.matches("<Key>").count();
            token = xml_value(&body, "NextContinuationToken");
            if token.is_none() {
                return count;
            }
        }
    }
}

fn xml_value(body: &str, element: &str) -> Option<String> {
    let open = format!("<{element}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find('<')? + start;
    Some(body[start..end].to_owned())
}

/// How many files are below `dir`, recursively (0 when it does not exist).
pub fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map_while(Result::ok)
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => count_files(&entry.path()),
            _ => 1,
        })
        .sum()
}

/// `http://127.0.0.1:<port>` of the process's moto server, started on first use.
fn moto_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<Result<String, String>> = OnceLock::new();
    match ENDPOINT.get_or_init(start_moto) {
        Ok(endpoint) => endpoint,
        Err(err) => panic!("{err}"),
    }
}

fn start_moto() -> Result<String, String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port for moto: {e}"))?
        .port();
    Command::new("sh")
        .args(["-c", WATCHDOG, "sh"])
        .arg(port.to_string())
        .arg(std::process::id().to_string())
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting moto_server: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(format!("http://127.0.0.1:{port}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "moto_server did not listen on 127.0.0.1:{port} within 60 s; \
         install it with `pip install 'moto[server]'` (scripts/test does)"
    ))
}
