//! Berth: a container registry that speaks the Red Hat Quay API.

pub mod accounts;
pub mod app;
pub mod blobs;
pub mod buildlogs;
pub mod builds;
pub mod config;
pub mod db;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod gc;
pub mod health;
pub mod http;
pub mod jobs;
pub mod logs;
pub mod mail;
pub mod manifests;
pub mod messages;
pub mod namespaces;
pub mod paging;
pub mod pyjson;
pub mod quotas;
pub mod random;
pub mod registry_size;
pub mod replication;
pub mod repositories;
pub mod service_keys;
pub mod storage;
pub mod telemetry;
pub mod upstream;
pub mod user_events;
pub mod webhooks;
pub mod workers;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use app::{App, AppState, Secrets};
use config::Config;

/// Where a node keeps its own files, and the optional Quay `config.yaml`.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    pub data_dir: PathBuf,
    pub config_path: Option<PathBuf>,
}

impl NodeOptions {
    /// The validated configuration: the file's keys, or the embedded defaults without one.
    pub fn load_config(&self) -> anyhow::Result<Config> {
        let config = match &self.config_path {
            Some(path) => Config::from_yaml_file(path, &self.data_dir)?,
            None => Config::embedded(&self.data_dir),
        };
        for ignored in &config.ignored_keys {
            tracing::warn!(config.key = %ignored.key, reason = ignored.reason, "configuration key ignored");
        }
        Ok(config)
    }
}

/// Opens the database (migrating it), the blob storage and the signing key.
pub async fn open_app(options: &NodeOptions, config: Config) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&options.data_dir)
        .with_context(|| format!("creating the data directory {}", options.data_dir.display()))?;
    if let Some(path) = config.db_uri.strip_prefix("sqlite://") {
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)?;
        }
    }
    let db = db::Db::connect(&config.db_uri)
        .await
        .context("connecting to the database (DB_URI)")?;
    db.migrate().await.context("migrating the database")?;
    let storage = storage::open(&config.storage)
        .await
        .context("opening DISTRIBUTED_STORAGE_CONFIG")?;
    let secrets = Secrets::load(&config, &db).await?;
    let signer = service_keys::Signer::load_or_create(
        &db,
        &options.data_dir.join("instance-key.pem"),
        &config.app_url(),
    )
    .await
    .context("loading the instance service key")?;
    let deferred_logs = logs::deferred::DeferredLogs::start(db.clone());
    let build_logs_redis = config
        .build_logs_redis
        .as_ref()
        .map(buildlogs::RedisBuildLogs::new)
        .transpose()
        .context("BUILDLOGS_REDIS")?;
    let user_events = user_events::UserEvents::new(config.user_events_redis.as_ref())
        .context("USER_EVENTS_REDIS")?;
    Ok(Arc::new(App {
        config: Arc::new(config),
        deferred_logs,
        build_logs_redis,
        user_events,
        db,
        storage,
        secrets,
        signer,
    }))
}

/// Starts the build runner when buildah is installed; says so either way.
fn start_builds(app: &AppState) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    match builds::run::Builder::prepare(&app.config.data_dir)
        .context("preparing the build folder")?
    {
        Some(builder) => {
            tracing::info!("build runner started");
            Ok(Some(tokio::spawn(workers::builds::run_forever(
                app.clone(),
                builder,
            ))))
        }
        None => {
            tracing::warn!(
                "buildah is not installed: requested builds wait for a node that has it"
            );
            Ok(None)
        }
    }
}

/// `berth serve`: binds `listen`, then serves the API, the registry, the job runner and
/// (with `run_builds`) the build runner until SIGINT or SIGTERM.
pub async fn serve(
    options: NodeOptions,
    listen: &str,
    limits: http::server::Limits,
    run_builds: bool,
) -> anyhow::Result<()> {
    let mut config = options.load_config()?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    if config.server_hostname.is_empty() {
        config.server_hostname = addr.to_string();
    }
    let app = open_app(&options, config).await?;
    tracing::info!(storage = %app.storage.describe(), "storage ready");
    let worker = tokio::spawn(workers::run_forever(app.clone()));
    let builder = if run_builds {
        start_builds(&app)?
    } else {
        None
    };

    // The test harness and scripts read this line to learn the address.
    println!("listening on http://{addr}");
    print_first_steps(&app, addr).await;

    http::server::serve(
        listener,
        http::service(app.clone()),
        limits,
        shutdown_signal(),
    )
    .await;
    worker.abort();
    if let Some(builder) = builder {
        // A build cut short here is taken again by a runner once its lease lapses.
        builder.abort();
    }
    app.deferred_logs.flush().await;
    app.db.close().await;
    Ok(())
}

/// `berth worker`: runs queued jobs only (scale-out nodes that serve no HTTP).
pub async fn work(options: NodeOptions) -> anyhow::Result<()> {
    let config = options.load_config()?;
    let app = open_app(&options, config).await?;
    until_shutdown(&app, workers::run_forever(app.clone())).await;
    Ok(())
}

/// Runs `work` (which never ends) until SIGINT or SIGTERM, then closes the database.
async fn until_shutdown(app: &AppState, work: impl std::future::Future<Output = ()>) {
    tokio::select! {
        () = work => {}
        () = shutdown_signal() => {}
    }
    app.db.close().await;
}

/// `berth build-worker`: runs builds only (scale-out nodes that build).
pub async fn build(options: NodeOptions) -> anyhow::Result<()> {
    let config = options.load_config()?;
    let app = open_app(&options, config).await?;
    let builder = builds::run::Builder::prepare(&app.config.data_dir)
        .context("preparing the build folder")?
        .ok_or_else(|| anyhow::anyhow!("buildah is not installed (Debian package buildah)"))?;
    until_shutdown(&app, workers::builds::run_forever(app.clone(), builder)).await;
    Ok(())
}

/// `berth storage check`: one line per recorded blob storage does not hold as recorded, then
/// a summary; an error when any is damaged.
pub async fn check_storage(options: NodeOptions, verify: bool) -> anyhow::Result<()> {
    let config = options.load_config()?;
    let app = open_app(&options, config).await?;
    let report = |blob: &blobs::DamagedBlob| {
        let found = match (blob.stored_size, blob.hash_matches) {
            (None, _) => "missing".to_owned(),
            (Some(_), Some(false)) => "bytes do not match the digest".to_owned(),
            (Some(size), _) => format!("{size} bytes stored"),
        };
        println!(
            "{}: {} bytes recorded, {found}",
            blob.digest, blob.recorded_size
        );
    };
    let (checked, damaged) = blobs::check_storage(&app, verify, report).await?;
    app.db.close().await;
    println!("{checked} blobs checked, {damaged} damaged");
    if damaged == 0 {
        Ok(())
    } else {
        anyhow::bail!("{damaged} blobs are missing or damaged in storage")
    }
}

async fn print_first_steps(app: &App, addr: SocketAddr) {
    let Ok(mut conn) = app.db.reader().await else {
        return;
    };
    if db::accounts::count_accounts(&mut conn).await.unwrap_or(1) > 0
        || !app.config.features.user_initialize
    {
        return;
    }
    println!(
        "No users yet. Create the first (super)user and an API token with:\n  curl -X POST -H 'Content-Type: application/json' \
         -d '{{\"username\": \"quayadmin\", \"password\": \"<password>\", \"email\": \"admin@example.com\", \"access_token\": true}}' \
         http://{addr}/api/v1/user/initialize"
    );
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}
