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
