//! Background work: the bodies of the queued jobs (`crate::jobs`), claimed by any node and run
//! by `berth serve` (embedded) or `berth worker` (scale-out), and the periodic sweeps' schedule;
//! and the build runner (`berth serve` or `berth build-worker`).

mod app_tokens;
mod autoprune;
pub mod builds;
mod gc;
mod log_exports;
mod mirrors;
mod notifications;
mod purge_namespace;
mod purge_repository;
mod registry_size;

use std::time::{Duration, Instant};

use crate::app::AppState;
use crate::db;
use crate::jobs::{self, Job};
use crate::telemetry;

/// How long a claimed job is held without a heartbeat: a node that dies mid-job hands the
/// job to another node within this time.
const LOCK_MS: i64 = 60 * 1000;
/// How often a running job's claim is renewed.
const HEARTBEAT: Duration = Duration::from_secs(10);
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// How a queued job is carried out.
#[async_trait::async_trait]
trait Run: Job {
    async fn run(&self, app: &AppState) -> anyhow::Result<()>;
}

/// Runs a job, answering also how many runs its kind gets (None: until it succeeds).
async fn dispatch(app: &AppState, kind: &str, payload: &str) -> (Option<i64>, anyhow::Result<()>) {
    async fn run<J: Run>(app: &AppState, payload: &str) -> (Option<i64>, anyhow::Result<()>) {
        let outcome = match serde_json::from_str::<J>(payload) {
            Ok(job) => job.run(app).await,
            Err(err) => Err(err.into()),
        };
        (J::MAX_ATTEMPTS, outcome)
    }
    match kind {
        jobs::PurgeNamespace::KIND => run::<jobs::PurgeNamespace>(app, payload).await,
        jobs::PurgeRepository::KIND => run::<jobs::PurgeRepository>(app, payload).await,
        jobs::CollectGarbage::KIND => run::<jobs::CollectGarbage>(app, payload).await,
        jobs::SweepStorage::KIND => run::<jobs::SweepStorage>(app, payload).await,
        jobs::CalculateRegistrySize::KIND => run::<jobs::CalculateRegistrySize>(app, payload).await,
        jobs::SweepExpiredAppTokens::KIND => run::<jobs::SweepExpiredAppTokens>(app, payload).await,
        jobs::DeliverLogExport::KIND => run::<jobs::DeliverLogExport>(app, payload).await,
        jobs::PruneTags::KIND => run::<jobs::PruneTags>(app, payload).await,
        jobs::SyncMirrors::KIND => run::<jobs::SyncMirrors>(app, payload).await,
        jobs::DeliverNotification::KIND => run::<jobs::DeliverNotification>(app, payload).await,
        other => (None, Err(anyhow::anyhow!("unknown job kind {other}"))),
    }
}

/// Claims and runs one job; false when none was ready.
pub async fn run_once(app: &AppState) -> anyhow::Result<bool> {
    let features = &app.config.features;
    let mut paused = Vec::new();
    if !features.namespace_garbage_collection {
        paused.push(jobs::PurgeNamespace::KIND);
    }
    if !features.quota_management {
        paused.push(jobs::CalculateRegistrySize::KIND);
    }
    if !features.auto_prune {
        paused.push(jobs::PruneTags::KIND);
    }
    if !features.repo_mirror {
        paused.push(jobs::SyncMirrors::KIND);
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
    let heartbeat = async {
        loop {
            tokio::time::sleep(HEARTBEAT).await;
            let renewed = async {
                let mut tx = app.db.begin().await?;
                db::jobs::renew_job(&mut tx, job.id, db::now_ms() + LOCK_MS).await?;
                db::commit(tx).await
            };
            if let Err(err) = renewed.await {
                tracing::warn!(job.id = job.id, error = ?err, "could not renew a job's claim");
            }
        }
    };
    let (max_attempts, outcome) = tokio::select! {
        done = dispatch(app, &job.kind, &job.payload) => done,
        () = heartbeat => unreachable!("the heartbeat never ends"),
    };
    telemetry::metrics().job_ran(&job.kind, outcome.is_ok());
    let mut tx = app.db.begin().await?;
    match outcome {
        Ok(()) => {
            db::jobs::delete_job(&mut tx, job.id).await?;
            tracing::info!(job.kind = %job.kind, job.id = job.id, "job finished");
        }
        Err(err) if max_attempts.is_some_and(|max| job.attempts >= max) => {
            db::jobs::delete_job(&mut tx, job.id).await?;
            tracing::warn!(job.kind = %job.kind, job.id = job.id, error = ?err, "job failed its last attempt; given up");
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
/// None); returns when it is next due. One copy waits at a time.
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
        jobs::enqueue(&mut tx, job).await?;
        db::commit(tx).await
    };
    if let Err(err) = queued.await {
        tracing::warn!(error = ?err, job.kind = J::KIND, "could not queue a periodic job");
    }
    Instant::now() + every
}

/// Runs jobs until the task is dropped.
pub async fn run_forever(app: AppState) {
    let (mut gc_due, mut sweep_due, mut tokens_due, mut prune_due, mut mirror_due) = (
        Instant::now(),
        Instant::now(),
        Instant::now(),
        Instant::now(),
        Instant::now(),
    );
    let collect_every = app.config.garbage_collection_frequency;
    let sweep_every = gc::sweep_period(&app.config);
    let tokens_every = Some(app_tokens::period(&app.config));
    let prune_every = app.config.auto_pruning_poll_period;
    let mirror_every = app.config.repo_mirror_interval;
    loop {
        gc_due = schedule(&app, &jobs::CollectGarbage {}, collect_every, gc_due).await;
        sweep_due = schedule(&app, &jobs::SweepStorage {}, sweep_every, sweep_due).await;
        tokens_due = schedule(
            &app,
            &jobs::SweepExpiredAppTokens::default(),
            tokens_every,
            tokens_due,
        )
        .await;
        prune_due = schedule(&app, &jobs::PruneTags::default(), prune_every, prune_due).await;
        mirror_due = schedule(
            &app,
            &jobs::SyncMirrors::default(),
            mirror_every,
            mirror_due,
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
