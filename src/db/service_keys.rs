//! SQL for service keys.

use sqlx::FromRow;

use super::{DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct ServiceKeyRow {
    pub id: i64,
    pub kid: String,
    pub service: String,
    pub name: String,
    pub jwk: String,
    pub metadata: String,
    pub created_ms: i64,
    pub expiration_ms: Option<i64>,
    pub rotation_duration_s: Option<i64>,
    pub approval_type: Option<String>,
    pub approver_id: Option<i64>,
    pub approved_ms: Option<i64>,
    pub approval_notes: Option<String>,
}

const COLUMNS: &str = "id, kid, service, name, jwk, metadata, created_ms, expiration_ms, \
    rotation_duration_s, approval_type, approver_id, approved_ms, approval_notes";

pub struct NewServiceKey<'a> {
    pub kid: &'a str,
    pub service: &'a str,
    pub name: &'a str,
    pub jwk: &'a str,
    pub metadata: &'a str,
    pub created_ms: i64,
    pub expiration_ms: Option<i64>,
    pub approval_type: Option<&'a str>,
    pub approver_id: Option<i64>,
    pub approval_notes: Option<&'a str>,
}

/// Inserts the key unless its kid exists already (a node restarting with the same key).
pub async fn insert_service_key(conn: &mut DbConn, new: &NewServiceKey<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO service_keys (kid, service, name, jwk, metadata, created_ms, expiration_ms, \
         approval_type, approver_id, approved_ms, approval_notes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (kid) DO NOTHING",
    )
    .bind(new.kid)
    .bind(new.service)
    .bind(new.name)
    .bind(new.jwk)
    .bind(new.metadata)
    .bind(new.created_ms)
    .bind(new.expiration_ms)
    .bind(new.approval_type)
    .bind(new.approver_id)
    .bind(new.approval_type.map(|_| new.created_ms))
    .bind(new.approval_notes)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_service_key(conn: &mut DbConn, kid: &str) -> Result<Option<ServiceKeyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM service_keys WHERE kid = $1");
    Ok(sqlx::query_as::<_, ServiceKeyRow>(&sql)
        .bind(kid)
        .fetch_optional(conn)
        .await?)
}

/// Keys that have not expired before `expired_before_ms` (Quay hides keys expired for longer
/// than `EXPIRED_SERVICE_KEY_TTL_SEC`), oldest first.
pub async fn list_service_keys(
    conn: &mut DbConn,
    expired_before_ms: i64,
) -> Result<Vec<ServiceKeyRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM service_keys \
         WHERE expiration_ms IS NULL OR expiration_ms > $1 ORDER BY id"
    );
    Ok(sqlx::query_as::<_, ServiceKeyRow>(&sql)
        .bind(expired_before_ms)
        .fetch_all(conn)
        .await?)
}

/// A key's name, metadata and expiry as a superuser changes them.
pub async fn update_service_key(
    conn: &mut DbConn,
    id: i64,
    name: &str,
    metadata: &str,
    expiration_ms: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE service_keys SET name = $1, metadata = $2, expiration_ms = $3 WHERE id = $4",
    )
    .bind(name)
    .bind(metadata)
    .bind(expiration_ms)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Approves a key that has no approval yet; false when it had one already.
pub async fn approve_service_key(
    conn: &mut DbConn,
    id: i64,
    approval_type: &str,
    approver_id: i64,
    notes: &str,
    approved_ms: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE service_keys SET approval_type = $1, approver_id = $2, approval_notes = $3, \
         approved_ms = $4 WHERE id = $5 AND approval_type IS NULL",
    )
    .bind(approval_type)
    .bind(approver_id)
    .bind(notes)
    .bind(approved_ms)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn delete_service_key(conn: &mut DbConn, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM service_keys WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Quay's garbage collection of a service's stale keys: expired before `expired_before_ms`, or
/// never approved and created before `unapproved_before_ms`. The kids removed.
pub async fn delete_stale_service_keys(
    conn: &mut DbConn,
    service: &str,
    expired_before_ms: i64,
    unapproved_before_ms: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<_, String>(
        "DELETE FROM service_keys WHERE service = $1 AND \
         ((expiration_ms IS NOT NULL AND expiration_ms <= $2) \
          OR (approval_type IS NULL AND created_ms <= $3)) RETURNING kid",
    )
    .bind(service)
    .bind(expired_before_ms)
    .bind(unapproved_before_ms)
    .fetch_all(conn)
    .await?)
}
