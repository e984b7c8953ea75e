//! SQL for proxy-cache organizations.

use sqlx::FromRow;

use super::{DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct ProxyCacheRow {
    pub namespace_id: i64,
    pub upstream_registry: String,
    pub username_encrypted: Option<String>,
    pub password_encrypted: Option<String>,
    pub expiration_s: Option<i64>,
    pub insecure: i64,
}

/// The organization's proxy-cache configuration, if it has one.
pub async fn find_config(conn: &mut DbConn, namespace_id: i64) -> Result<Option<ProxyCacheRow>> {
    Ok(sqlx::query_as::<_, ProxyCacheRow>(
        "SELECT namespace_id, upstream_registry, username_encrypted, password_encrypted, \
         expiration_s, insecure FROM proxy_cache_configs WHERE namespace_id = $1",
    )
    .bind(namespace_id)
    .fetch_optional(conn)
    .await?)
}

/// Stores `row`; false when the organization has a configuration already.
pub async fn insert_config(conn: &mut DbConn, row: &ProxyCacheRow, now_ms: i64) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO proxy_cache_configs (namespace_id, upstream_registry, username_encrypted, \
         password_encrypted, expiration_s, insecure, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (namespace_id) DO NOTHING",
    )
    .bind(row.namespace_id)
    .bind(&row.upstream_registry)
    .bind(&row.username_encrypted)
    .bind(&row.password_encrypted)
    .bind(row.expiration_s)
    .bind(row.insecure)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Removes the organization's configuration; false when it had none.
pub async fn delete_config(conn: &mut DbConn, namespace_id: i64) -> Result<bool> {
    let deleted = sqlx::query("DELETE FROM proxy_cache_configs WHERE namespace_id = $1")
        .bind(namespace_id)
        .execute(conn)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

/// Whether a tag alive in a repository of the namespace is immutable.
pub async fn has_immutable_tags(conn: &mut DbConn, namespace_id: i64, now_ms: i64) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM tags JOIN repositories ON repositories.id = tags.repository_id \
         WHERE repositories.namespace_id = $1 AND tags.immutable = 1 \
         AND (tags.lifetime_end_ms IS NULL OR tags.lifetime_end_ms > $2) LIMIT 1",
    )
    .bind(namespace_id)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}
