//! SQL for the job queue. Claiming is the one dialect fork: PostgreSQL skips rows other nodes
//! hold; SQLite has a single writer, so a plain update is already exclusive.

use sqlx::FromRow;

use super::{Backend, DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

/// Queues a job; with a `dedup_key` already waiting, nothing is added and false is returned.
pub async fn insert_job(
    conn: &mut DbConn,
    kind: &str,
    payload: &str,
    dedup_key: Option<&str>,
    now_ms: i64,
) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO jobs (kind, payload, dedup_key, run_after_ms, created_ms) \
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(kind)
    .bind(payload)
    .bind(dedup_key)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Locks the next due job until `lock_until_ms`, skipping kinds in `paused` (constants of
/// the code, never input).
pub async fn claim_job(
    conn: &mut DbConn,
    backend: Backend,
    now_ms: i64,
    lock_until_ms: i64,
    paused: &[&str],
) -> Result<Option<JobRow>> {
    let skip: String = paused
        .iter()
        .map(|k| format!(" AND kind <> '{k}'"))
        .collect();
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET locked_until_ms = $2, attempts = attempts + 1 WHERE id = (\
         SELECT id FROM jobs WHERE run_after_ms <= $1 \
         AND (locked_until_ms IS NULL OR locked_until_ms < $1){skip} \
         ORDER BY run_after_ms, id LIMIT 1{lock}) \
         RETURNING id, kind, payload, attempts"
    );
    Ok(sqlx::query_as::<_, JobRow>(&sql)
        .bind(now_ms)
        .bind(lock_until_ms)
        .fetch_optional(conn)
        .await?)
}

/// Holds a running job's claim until `lock_until_ms` (its runner's heartbeat).
pub async fn renew_job(conn: &mut DbConn, id: i64, lock_until_ms: i64) -> Result<()> {
    sqlx::query("UPDATE jobs SET locked_until_ms = $2 WHERE id = $1")
        .bind(id)
        .bind(lock_until_ms)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_job(conn: &mut DbConn, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM jobs WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Releases a failed job to run again after `run_after_ms`.
pub async fn retry_job(conn: &mut DbConn, id: i64, run_after_ms: i64) -> Result<()> {
    sqlx::query("UPDATE jobs SET locked_until_ms = NULL, run_after_ms = $1 WHERE id = $2")
        .bind(run_after_ms)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The job queued under `dedup_key`: None when there is none, else until when a node holds it
/// (None while it waits to be claimed).
pub async fn find_job_lock(conn: &mut DbConn, dedup_key: &str) -> Result<Option<Option<i64>>> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(
        "SELECT locked_until_ms FROM jobs WHERE dedup_key = $1",
    )
    .bind(dedup_key)
    .fetch_optional(conn)
    .await?)
}

/// Removes the job queued under `dedup_key`, for a job that finishes inside its own
/// transaction; the runner's later delete by id then finds nothing.
pub async fn delete_job_by_key(conn: &mut DbConn, dedup_key: &str) -> Result<()> {
    sqlx::query("DELETE FROM jobs WHERE dedup_key = $1")
        .bind(dedup_key)
        .execute(conn)
        .await?;
    Ok(())
}
