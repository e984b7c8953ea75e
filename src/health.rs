//! Health of one node (core-api.md §7.1): the checks behind `/health/instance`, each run for
//! real on every call. Quay's gunicorn checks have no counterpart (one Berth process serves
//! the registry and the API, so answering at all is that check).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::app::App;
use crate::config::StorageConfig;
use crate::db;

/// A check that takes longer than this has failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// The outcome of each check.
#[derive(Debug, Clone, Copy)]
pub struct InstanceHealth {
    /// The database answers a query.
    pub database: bool,
    /// This node's service key is stored and approved, so its registry tokens verify.
    pub service_key: bool,
    /// Every local folder Berth writes to (data folder, local blob storage, SQLite database)
    /// keeps at least `DISKSPACE_HEALTH_THRESHOLD` of its volume free.
    pub disk_space: bool,
}

impl InstanceHealth {
    pub fn is_healthy(&self) -> bool {
        self.database && self.service_key && self.disk_space
    }
}

/// The database answers a query in time.
async fn database_answers(app: &App) -> bool {
    tokio::time::timeout(CHECK_TIMEOUT, async {
        let mut conn = app.db.reader().await?;
        db::ping(&mut conn).await
    })
    .await
    .is_ok_and(|answered| answered.is_ok())
}

pub async fn check_instance(app: &App) -> InstanceHealth {
    let database = database_answers(app).await;
    let service_key = database
        && tokio::time::timeout(
            CHECK_TIMEOUT,
            app.signer.decoding_key(&app.db, &app.signer.kid),
        )
        .await
        .is_ok_and(|key| key.is_some());
    let threshold = app.config.diskspace_health_threshold;
    let disk_space = local_folders(app)
        .iter()
        .all(|folder| free_fraction(folder).is_none_or(|free| free >= threshold));
    InstanceHealth {
        database,
        service_key,
        disk_space,
    }
}

/// The local folders Berth writes to.
fn local_folders(app: &App) -> Vec<PathBuf> {
    let config = &app.config;
    let mut folders = vec![config.data_dir.clone()];
    if let StorageConfig::Local { path } = &config.storage {
        folders.push(path.clone());
    }
    if let Some(file) = config.db_uri.strip_prefix("sqlite://") {
        let file = file.split('?').next().unwrap_or(file);
        folders.extend(Path::new(file).parent().map(Path::to_path_buf));
    }
    folders
}

/// The share of the folder's volume still free for Berth, as Quay reckons it (free over used
/// plus free); None when the folder cannot be examined.
fn free_fraction(folder: &Path) -> Option<f64> {
    let stats = rustix::fs::statvfs(folder).ok()?;
    let free = stats.f_bavail as f64;
    let used = stats.f_blocks.saturating_sub(stats.f_bfree) as f64;
    (free + used > 0.0).then(|| free / (free + used))
}

/// The outcome of the checks of the services every node shares (`/health/endtoend`).
#[derive(Debug, Clone, Copy)]
pub struct SharedHealth {
    pub database: bool,
    /// The build-log and user-event Redis answer (true when none is configured: nothing
    /// depends on it).
    pub redis: bool,
    /// A small object is written to blob storage, read back and removed.
    pub storage: bool,
}

impl SharedHealth {
    pub fn is_healthy(&self) -> bool {
        self.database && self.redis && self.storage
    }
}

pub async fn check_shared(app: &App) -> SharedHealth {
    let database = database_answers(app).await;
    let build_logs = async {
        match &app.build_logs_redis {
            None => Ok(()),
            Some(redis) => redis.ping().await,
        }
    };
    let redis = tokio::time::timeout(CHECK_TIMEOUT, async {
        build_logs.await?;
        app.user_events.ping().await
    })
    .await
    .is_ok_and(|answered| answered.is_ok());
    let storage = tokio::time::timeout(CHECK_TIMEOUT, storage_round_trip(app))
        .await
        .is_ok_and(|done| done.is_ok());
    SharedHealth {
        database,
        redis,
        storage,
    }
}

/// Writes a few bytes as an upload, reads them back and removes them.
async fn storage_round_trip(app: &App) -> std::io::Result<()> {
    use futures::TryStreamExt;
    const PROBE: &[u8] = b"berth health check";
    let id = format!("health-{}", uuid::Uuid::new_v4());
    let store = &app.storage;
    store.create_upload(&id).await?;
    let body = futures::stream::once(async { Ok(bytes::Bytes::from_static(PROBE)) });
    let outcome = async {
        store.write_upload(&id, 0, Box::pin(body)).await?;
        let read: Vec<bytes::Bytes> = store
            .read_upload(&id, PROBE.len() as u64)
            .await?
            .try_collect()
            .await?;
        if read.concat() == PROBE {
            Ok(())
        } else {
            Err(std::io::Error::other("storage gave back other bytes"))
        }
    }
    .await;
    store.delete_upload(&id).await?;
    outcome
}
