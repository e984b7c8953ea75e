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
