//! SQL for the registry size (superuser-api.md §8): one aggregate over `blobs`, kept in the
//! one-row `registry_size` table that every node reads.

use sqlx::FromRow;

use super::{DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct RegistrySizeRow {
    pub size_bytes: i64,
    pub completed_ms: i64,
}

/// Sums the sizes of every stored blob (each digest is one row, so each counts once, whether
/// or not anything still references it) and stores the total as completed at `completed_ms`.
/// The sum runs inside the database: no blob row is loaded.
pub async fn store_registry_size(conn: &mut DbConn, completed_ms: i64) -> Result<()> {
    // `WHERE TRUE` keeps SQLite from reading `ON CONFLICT` as part of the SELECT.
    sqlx::query(
        "INSERT INTO registry_size (id, size_bytes, completed_ms) \
         SELECT 1, COALESCE(SUM(size), 0), $1 FROM blobs WHERE TRUE \
         ON CONFLICT (id) DO UPDATE SET size_bytes = excluded.size_bytes, \
         completed_ms = excluded.completed_ms",
    )
    .bind(completed_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The last completed calculation, if any ever completed.
pub async fn find_registry_size(conn: &mut DbConn) -> Result<Option<RegistrySizeRow>> {
    Ok(sqlx::query_as::<_, RegistrySizeRow>(
        "SELECT size_bytes, completed_ms FROM registry_size WHERE id = 1",
    )
    .fetch_optional(conn)
    .await?)
}

/// Shards of the live stored-bytes total (migration 0027).
const STORED_BYTES_SHARDS: u64 = 16;

/// Adds `bytes` (negative to take) to the live total of stored blob bytes, on a shard picked
/// at random so that parallel writers rarely wait for one another.
pub async fn add_stored_bytes(conn: &mut DbConn, bytes: i64) -> Result<()> {
    let shard = (rand::random::<u64>() % STORED_BYTES_SHARDS) as i64;
    sqlx::query("UPDATE stored_bytes SET bytes = bytes + $2 WHERE shard = $1")
        .bind(shard)
        .bind(bytes)
        .execute(conn)
        .await?;
    Ok(())
}

/// The live total of stored blob bytes.
pub async fn stored_bytes(conn: &mut DbConn) -> Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM stored_bytes",
    )
    .fetch_one(conn)
    .await?)
}

/// Sets the live total to what a calculation found; returns the total it had.
pub async fn reset_stored_bytes(conn: &mut DbConn, total: i64) -> Result<i64> {
    let before = stored_bytes(&mut *conn).await?;
    sqlx::query("UPDATE stored_bytes SET bytes = CASE WHEN shard = 0 THEN $1 ELSE 0 END")
        .bind(total)
        .execute(conn)
        .await?;
    Ok(before)
}
