//! The registry's total stored size, recalculated in the background on a superuser's request
//! (superuser-api.md §8). It is instance-wide, spanning every namespace and repository, so it
//! lives apart from `repositories` and `blobs`; namespace quotas will sit beside it.
//!
//! What is reported comes from two shared places: the `registry_size` job in the queue (waiting
//! means queued, claimed means running; a crashed run is retried once its lock lapses) and the
//! last completed total in the `registry_size` table.

use crate::app::App;
use crate::db;
use crate::jobs::{self, CalculateRegistrySize, Job};

/// The state Quay reports once a calculation was ever queued.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrySize {
    pub size_bytes: i64,
    /// When the last calculation completed, epoch milliseconds.
    pub last_ran: Option<i64>,
    pub queued: bool,
    pub running: bool,
}

/// The current state; None when no calculation was ever queued.
pub async fn status(app: &App) -> db::Result<Option<RegistrySize>> {
    let mut conn = app.db.reader().await?;
    let job = db::jobs::find_job_lock(&mut conn, CalculateRegistrySize::KIND).await?;
    let last = db::registry_size::find_registry_size(&mut conn).await?;
    if job.is_none() && last.is_none() {
        return Ok(None);
    }
    let running = matches!(job, Some(Some(until)) if until >= db::now_ms());
    Ok(Some(RegistrySize {
        size_bytes: last.as_ref().map_or(0, |l| l.size_bytes),
        last_ran: last.map(|l| l.completed_ms),
        queued: job.is_some() && !running,
        running,
    }))
}

/// Queues a calculation; false when one is already queued or running (one waits at a time).
pub async fn queue(app: &App) -> db::Result<bool> {
    let mut tx = app.db.begin().await?;
    let queued = jobs::enqueue(&mut tx, &CalculateRegistrySize::default()).await?;
    db::commit(tx).await?;
    Ok(queued)
}

/// Sums every stored blob and records the total as the last completed calculation; the live
/// total (kept as blobs are recorded and collected) is set to it, any drift reported. The
/// running job leaves the queue in the same transaction, so no reader sees a completed run
/// still running; while it runs it holds the queue key, so no other job can be removed here.
pub async fn recalculate(app: &App) -> db::Result<()> {
    let mut tx = app.db.begin().await?;
    db::registry_size::store_registry_size(&mut tx, db::now_ms()).await?;
    let total = db::registry_size::find_registry_size(&mut tx)
        .await?
        .map_or(0, |row| row.size_bytes);
    let live = db::registry_size::reset_stored_bytes(&mut tx, total).await?;
    if live != total {
        tracing::warn!(
            counted_bytes = live,
            actual_bytes = total,
            "registry size drift corrected"
        );
    }
    db::jobs::delete_job_by_key(&mut tx, CalculateRegistrySize::KIND).await?;
    db::commit(tx).await
}

/// The stored blob bytes right now, kept in the transaction of every blob recorded or
/// collected.
pub async fn stored_bytes(app: &App) -> db::Result<i64> {
    let mut conn = app.db.reader().await?;
    db::registry_size::stored_bytes(&mut conn).await
}
