//! Garbage collection (core-api.md §6.5): what the time machine and upload windows no longer
//! keep goes, rows first and bytes last.
//!
//! One pass removes tag rows past their namespace's window, expired upload and mount links,
//! manifests nothing references, blobs no manifest and no link references in any repository
//! (blobs are shared by digest), their bytes, and abandoned upload sessions with their files.
//!
//! Bytes are removed only after the blob row's removal is committed, and only under the
//! digest's lock when no row for the digest has appeared since; pushes create rows under the
//! same lock and put bytes back when they find them gone. So the worst a crash can leave is
//! blob bytes without a row, never a row without bytes.
//!
//! What a crash leaves in storage is found by a slower sweep (`sweep_storage`) that lists
//! storage and compares it with the database: blob bytes no row owns, and writes the store
//! itself holds unfinished (S3 multipart uploads). Both are left alone until they are older
//! than `PUSH_TEMP_TAG_EXPIRATION_SEC`, so a push in flight is never touched: its bytes are
//! in place a moment before its row, and no write of an upload session can still succeed
//! once the session has been idle that long (its session is swept then).

use std::collections::HashSet;

use futures::{StreamExt, TryStreamExt};

use crate::app::App;
use crate::db;

/// Blob rows examined per batch.
const BLOB_BATCH: i64 = 500;

/// What one pass removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub tags: u64,
    pub upload_links: u64,
    pub manifests: u64,
    pub blobs: u64,
    pub uploads: u64,
}

/// One collection pass over every repository.
pub async fn run_once(app: &App) -> anyhow::Result<Report> {
    let now = db::now_ms();
    let mut report = Report::default();
    let mut tx = app.db.begin().await?;
    report.tags = db::registry::delete_expired_tags(&mut tx, now).await?;
    report.upload_links = db::registry::delete_expired_uploaded_blobs(&mut tx, now).await?;
    db::commit(tx).await?;
    report.manifests = collect_manifests(app).await?;
    report.blobs = collect_blobs(app).await?;
    report.uploads = collect_uploads(app, now).await?;
    if report != Report::default() {
        tracing::info!(?report, "garbage collected");
    }
    Ok(report)
}

/// Deletes unreferenced manifests repository by repository, under the repository's lock so
/// that no push reuses a manifest while it goes. Deleting a list frees its children, hence
/// the repeat.
async fn collect_manifests(app: &App) -> anyhow::Result<u64> {
    let mut total = 0;
    loop {
        let repositories = {
            let mut conn = app.db.reader().await?;
            db::registry::list_repositories_with_garbage_manifests(&mut conn).await?
        };
        let mut removed = 0;
        for repository_id in repositories {
            let mut tx = app.db.begin().await?;
            db::registry::lock_repository(&mut tx, app.db.backend(), repository_id).await?;
            removed +=
                db::registry::delete_garbage_manifests(&mut tx, app.db.backend(), repository_id)
                    .await?;
            db::commit(tx).await?;
        }
        if removed == 0 {
            return Ok(total);
        }
        total += removed;
    }
}

/// Deletes unreferenced blob rows, then their bytes.
async fn collect_blobs(app: &App) -> anyhow::Result<u64> {
    let mut removed = 0;
    let mut seen = HashSet::new();
    loop {
        let digests = {
            let mut conn = app.db.reader().await?;
            db::registry::list_garbage_blobs(&mut conn, BLOB_BATCH).await?
        };
        // A digest listed twice is one a push keeps re-creating: leave it to the next pass.
        let fresh: Vec<String> = digests
            .into_iter()
            .filter(|d| seen.insert(d.clone()))
            .collect();
        if fresh.is_empty() {
            return Ok(removed);
        }
        for digest in fresh {
            if remove_blob(app, &digest).await? {
                removed += 1;
            }
        }
    }
}

/// Removes the row of an unreferenced blob and, once that is committed, its bytes unless a
/// push has created the row again meanwhile. True when the row went.
async fn remove_blob(app: &App, digest: &str) -> anyhow::Result<bool> {
    let mut tx = app.db.begin().await?;
    db::registry::lock_digest(&mut tx, app.db.backend(), digest).await?;
    let deleted = db::registry::delete_garbage_blob(&mut tx, digest).await?;
    db::commit(tx).await?;
    if deleted {
        remove_unrecorded_bytes(app, digest).await?;
    }
    Ok(deleted)
}

/// Deletes the bytes of blob `digest` unless a row records the blob, deciding under the
/// digest's lock so that no push records it meanwhile. True when they went.
async fn remove_unrecorded_bytes(app: &App, digest: &str) -> anyhow::Result<bool> {
    let mut tx = app.db.begin().await?;
    db::registry::lock_digest(&mut tx, app.db.backend(), digest).await?;
    let unrecorded = !db::registry::blob_exists(&mut tx, digest).await?;
    if unrecorded {
        app.storage.delete_blob(digest).await?;
    }
    db::commit(tx).await?;
    Ok(unrecorded)
}

/// Before this instant, an upload session, its bytes and any write for it are abandoned.
fn upload_window_start(app: &App, now: i64) -> i64 {
    now - app.config.push_temp_tag_expiration_s * 1000
}

/// Deletes upload sessions untouched for `PUSH_TEMP_TAG_EXPIRATION_SEC` with their files, and
/// upload files no session owns (purged repositories, crashes) once they are as old.
async fn collect_uploads(app: &App, now: i64) -> anyhow::Result<u64> {
    let before = upload_window_start(app, now);
    let mut tx = app.db.begin().await?;
    let stale = db::registry::delete_stale_uploads(&mut tx, before).await?;
    db::commit(tx).await?;
    for uuid in &stale {
        app.storage.delete_upload(uuid).await?;
    }
    let mut removed = stale.len() as u64;
    for stored in app.storage.list_uploads().await? {
        if stored.modified_ms >= before {
            continue;
        }
        let owned = {
            let mut conn = app.db.reader().await?;
            db::registry::upload_exists(&mut conn, &stored.upload_id).await?
        };
        if !owned {
            app.storage.delete_upload(&stored.upload_id).await?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// What one storage sweep removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    /// Blob bytes no row owned.
    pub orphaned_blobs: u64,
    /// Writes the store held unfinished (S3 multipart uploads).
    pub unfinished_writes: u64,
}

/// Compares storage with the database and removes what crashes left behind.
pub async fn sweep_storage(app: &App) -> anyhow::Result<SweepReport> {
    let before = upload_window_start(app, db::now_ms());
    let report = SweepReport {
        unfinished_writes: abort_unfinished_writes(app, before).await?,
        orphaned_blobs: remove_orphaned_blobs(app, before).await?,
    };
    if report != SweepReport::default() {
        tracing::info!(?report, "storage swept");
    }
    Ok(report)
}

/// Aborts the unfinished writes started before `before_ms`, except chunks of upload sessions
/// touched since then: such a chunk may be streaming in right now. (A session idle that long
/// can no longer take a chunk: it is swept as abandoned.)
async fn abort_unfinished_writes(app: &App, before_ms: i64) -> anyhow::Result<u64> {
    let mut aborted = 0;
    for write in app.storage.list_unfinished_writes().await? {
        if write.started_ms >= before_ms {
            continue;
        }
        if let Some(upload_id) = &write.upload_id {
            let mut conn = app.db.reader().await?;
            if db::registry::upload_touched_since(&mut conn, upload_id, before_ms).await? {
                continue;
            }
        }
        app.storage.abort_unfinished_write(&write).await?;
        aborted += 1;
    }
    Ok(aborted)
}

/// Deletes the bytes of stored blobs put in place before `before_ms` that no row records:
/// a crash between the removal of a blob's row and of its bytes leaves them.
async fn remove_orphaned_blobs(app: &App, before_ms: i64) -> anyhow::Result<u64> {
    let mut removed = 0;
    let mut pages = app.storage.list_blobs().try_chunks(BLOB_BATCH as usize);
    while let Some(page) = pages.next().await {
        let old: Vec<String> = page
            .map_err(|err| err.1)?
            .into_iter()
            .filter(|blob| blob.stored_ms < before_ms)
            .map(|blob| blob.digest)
            .collect();
        let recorded = {
            let mut conn = app.db.reader().await?;
            db::registry::recorded_digests(&mut conn, &old).await?
        };
        for digest in old.iter().filter(|d| !recorded.contains(*d)) {
            if remove_unrecorded_bytes(app, digest).await? {
                removed += 1;
            }
        }
    }
    Ok(removed)
}
