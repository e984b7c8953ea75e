//! SQL for global messages.

use sqlx::FromRow;

use super::{DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct MessageRow {
    pub uuid: String,
    pub content: String,
    pub severity: String,
    pub media_type: String,
}

/// Every message, oldest first (a registry holds a handful).
pub async fn list_messages(conn: &mut DbConn) -> Result<Vec<MessageRow>> {
    Ok(sqlx::query_as::<_, MessageRow>(
        "SELECT uuid, content, severity, media_type FROM messages ORDER BY created_ms, uuid",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn insert_message(conn: &mut DbConn, row: &MessageRow, now_ms: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO messages (uuid, content, severity, media_type, created_ms) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&row.uuid)
    .bind(&row.content)
    .bind(&row.severity)
    .bind(&row.media_type)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_message(conn: &mut DbConn, uuid: &str) -> Result<()> {
    sqlx::query("DELETE FROM messages WHERE uuid = $1")
        .bind(uuid)
        .execute(conn)
        .await?;
    Ok(())
}
