//! Background work: a queue of jobs claimed by any node, run by `berth serve` (embedded) or
//! `berth worker` (scale-out).

mod app_tokens;
mod gc;
mod purge_namespace;
mod purge_repository;
mod registry_size;

pub use registry_size::CalculateRegistrySize;

use std::time::{Duration, Instant};

use serde::{de::DeserializeOwned, Serialize};

use crate::app::AppState;
use crate::db::{self, DbConn};

/// How long a claimed job is held before another node may retry it.
const LOCK_MS: i64 = 10 * 60 * 1000;
const POLL_INTERVAL: Duration = Duration::from_millis(500);

#[async_trait::async_trait]
pub trait Job: Serialize + DeserializeOwned + Send + Sync {
    const KIND: &'static str;
    async fn run(&self, app: &AppState) -> anyhow::Result<()>;
}

/// Queues `job`; with `dedup_key` set, a job with the same key already waiting wins.
pub async fn enqueue<J: Job>(
    conn: &mut DbConn,
    job: &J,
    dedup_key: Option<&str>,
) -> db::Result<bool> {
    let payload = serde_json::to_string(job).expect("plain data");
    db::jobs::insert_job(conn, J::KIND, &payload, dedup_key, db::now_ms()).await
}

pub async fn enqueue_purge_namespace(conn: &mut DbConn, account_id: i64) -> db::Result<bool> {
    let job = purge_namespace::PurgeNamespace { account_id };
    enqueue(conn, &job, Some(&format!("purge_namespace:{account_id}"))).await
}

pub async fn enqueue_purge_repository(conn: &mut DbConn, repository_id: i64) -> db::Result<bool> {
    let job = purge_repository::PurgeRepository { repository_id };
    enqueue(
        conn,
        &job,
        Some(&format!("purge_repository:{repository_id}")),
    )
    .await
}

/// Queues a registry size calculation under its kind; false when one is already queued or
/// running.
pub async fn enqueue_registry_size(conn: &mut DbConn) -> db::Result<bool> {
    let kind = CalculateRegistrySize::KIND;
    enqueue(conn, &CalculateRegistrySize::default(), Some(kind)).await
}

async fn dispatch(app: &AppState, kind: &str, payload: &str) -> anyhow::Result<()> {
    async fn run<J: Job>(app: &AppState, payload: &str) -> anyhow::Result<()> {
        serde_json::from_str::<J>(payload)?.run(app).await
    }
    match kind {
        purge_namespace::PurgeNamespace::KIND => {
            run::<purge_namespace::PurgeNamespace>(app, payload).await
        }
        purge_repository::PurgeRepository::KIND => {
            run::<purge_repository::PurgeRepository>(app, payload).await
        }
        gc::CollectGarbage::KIND => run::<gc::CollectGarbage>(app, payload).await,
        gc::SweepStorage::KIND => run::<gc::SweepStorage>(app, payload).await,
        CalculateRegistrySize::KIND => run::<CalculateRegistrySize>(app, payload).await,
        app_tokens::SweepExpiredAppTokens::KIND => {
            run::<app_tokens::SweepExpiredAppTokens>(app, payload).await
        }
        other => anyhow::bail!("unknown job kind {other}"),
    }
}

/// Claims and runs one job; false when none was ready.
pub async fn run_once(app: &AppState) -> anyhow::Result<bool> {
    let features = &app.config.features;
    let mut paused = Vec::new();
    if !features.namespace_garbage_collection {
        paused.push(purge_namespace::PurgeNamespace::KIND);
    }
    if !features.quota_management {
        paused.push(CalculateRegistrySize::KIND);
    }
    let now = db::now_ms();
    let mut tx = app.db.begin().await?;
    let Some(job) =
        db::jobs::claim_job(&mut tx, app.db.backend(), now, now + LOCK_MS, &paused).await?
    else {
        return Ok(false);
    };
    tx.commit().await?;
    tracing::info!(job.kind = %job.kind, job.id = job.id, "job started");
    let outcome = dispatch(app, &job.kind, &job.payload).await;
    let mut tx = app.db.begin().await?;
    match outcome {
        Ok(()) => {
            db::jobs::delete_job(&mut tx, job.id).await?;
            tracing::info!(job.kind = %job.kind, job.id = job.id, "job finished");
        }
        Err(err) => {
            // Exponential back-off, capped at an hour.
            let delay_ms = 1000 * (1i64 << job.attempts.clamp(0, 12)).min(3600);
            db::jobs::retry_job(&mut tx, job.id, db::now_ms() + delay_ms).await?;
            tracing::warn!(job.kind = %job.kind, job.id = job.id, error = ?err, "job failed; will retry");
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// Queues `job` once `every` has passed since `due` was last set (never when `every` is
/// None); returns when it is next due. Its kind is its queue key: one copy waits at a time.
async fn schedule<J: Job>(
    app: &AppState,
    job: &J,
    every: Option<Duration>,
    due: Instant,
) -> Instant {
    let Some(every) = every else {
        return due;
    };
    if Instant::now() < due {
        return due;
    }
    let queued = async {
        let mut tx = app.db.begin().await?;
        enqueue(&mut tx, job, Some(J::KIND)).await?;
        db::commit(tx).await
    };
    if let Err(err) = queued.await {
        tracing::warn!(error = ?err, job.kind = J::KIND, "could not queue a periodic job");
    }
    Instant::now() + every
}

/// Runs jobs until the task is dropped.
pub async fn run_forever(app: AppState) {
    let (mut gc_due, mut sweep_due, mut tokens_due) =
        (Instant::now(), Instant::now(), Instant::now());
    let collect_every = app.config.garbage_collection_frequency;
    let sweep_every = gc::sweep_period(&app.config);
    let tokens_every = Some(app_tokens::period(&app.config));
    loop {
        gc_due = schedule(&app, &gc::CollectGarbage {}, collect_every, gc_due).await;
        sweep_due = schedule(&app, &gc::SweepStorage {}, sweep_every, sweep_due).await;
        tokens_due = schedule(
            &app,
            &app_tokens::SweepExpiredAppTokens::default(),
            tokens_every,
            tokens_due,
        )
        .await;
        match run_once(&app).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(err) => tracing::warn!(error = ?err, "job runner"),
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}
