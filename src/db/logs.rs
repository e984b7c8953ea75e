//! SQL for usage logs.

use super::{DbConn, Result};

pub struct NewLogEntry<'a> {
    pub kind: &'a str,
    pub account_id: Option<i64>,
    pub performer_id: Option<i64>,
    pub repository_id: Option<i64>,
    pub ip: Option<&'a str>,
    pub metadata: &'a str,
    pub datetime_ms: i64,
}

pub async fn insert_log_entry(conn: &mut DbConn, entry: &NewLogEntry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO log_entries (kind, account_id, performer_id, repository_id, ip, metadata, \
         datetime_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.kind)
    .bind(entry.account_id)
    .bind(entry.performer_id)
    .bind(entry.repository_id)
    .bind(entry.ip)
    .bind(entry.metadata)
    .bind(entry.datetime_ms)
    .execute(conn)
    .await?;
    Ok(())
}
