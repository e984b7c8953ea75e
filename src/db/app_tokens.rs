//! SQL for app-specific tokens.

use sqlx::FromRow;

use super::{DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct AppTokenRow {
    pub id: i64,
    pub uuid: String,
    pub account_id: i64,
    pub title: String,
    pub token_prefix: String,
    pub token_secret: String,
    pub created_ms: i64,
    pub expires_ms: Option<i64>,
    pub last_accessed_ms: Option<i64>,
}

const COLUMNS: &str =
    "id, uuid, account_id, title, token_prefix, token_secret, created_ms, expires_ms, last_accessed_ms";

pub async fn insert_app_token(conn: &mut DbConn, row: &AppTokenRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO app_specific_tokens (uuid, account_id, title, token_prefix, token_secret, \
         created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&row.uuid)
    .bind(row.account_id)
    .bind(&row.title)
    .bind(&row.token_prefix)
    .bind(&row.token_secret)
    .bind(row.created_ms)
    .bind(row.expires_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn list_app_tokens(conn: &mut DbConn, account_id: i64) -> Result<Vec<AppTokenRow>> {
    let sql = format!("SELECT {COLUMNS} FROM app_specific_tokens WHERE account_id = $1 ORDER BY created_ms DESC, id DESC");
    Ok(sqlx::query_as::<_, AppTokenRow>(&sql)
        .bind(account_id)
        .fetch_all(conn)
        .await?)
}

/// The account's tokens expiring in `(now_ms, until_ms]`.
pub async fn list_expiring_app_tokens(
    conn: &mut DbConn,
    account_id: i64,
    now_ms: i64,
    until_ms: i64,
) -> Result<Vec<AppTokenRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM app_specific_tokens WHERE account_id = $1 AND expires_ms > $2 \
         AND expires_ms <= $3 ORDER BY created_ms DESC, id DESC"
    );
    Ok(sqlx::query_as::<_, AppTokenRow>(&sql)
        .bind(account_id)
        .bind(now_ms)
        .bind(until_ms)
        .fetch_all(conn)
        .await?)
}

pub async fn find_app_token(
    conn: &mut DbConn,
    account_id: i64,
    uuid: &str,
) -> Result<Option<AppTokenRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM app_specific_tokens WHERE account_id = $1 AND uuid = $2");
    Ok(sqlx::query_as::<_, AppTokenRow>(&sql)
        .bind(account_id)
        .bind(uuid)
        .fetch_optional(conn)
        .await?)
}

pub async fn find_app_token_by_prefix(
    conn: &mut DbConn,
    prefix: &str,
) -> Result<Option<AppTokenRow>> {
    let sql = format!("SELECT {COLUMNS} FROM app_specific_tokens WHERE token_prefix = $1");
    Ok(sqlx::query_as::<_, AppTokenRow>(&sql)
        .bind(prefix)
        .fetch_optional(conn)
        .await?)
}

pub async fn delete_app_token(conn: &mut DbConn, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM app_specific_tokens WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn touch_app_token(conn: &mut DbConn, id: i64, now_ms: i64) -> Result<()> {
    sqlx::query("UPDATE app_specific_tokens SET last_accessed_ms = $1 WHERE id = $2")
        .bind(now_ms)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes every token that expired before `before_ms`; returns how many went.
pub async fn delete_app_tokens_expired_before(conn: &mut DbConn, before_ms: i64) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM app_specific_tokens WHERE expires_ms < $1")
            .bind(before_ms)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}
