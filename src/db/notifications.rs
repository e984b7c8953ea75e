//! SQL for repository notifications.

use sqlx::FromRow;

use super::{DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    pub uuid: String,
    pub repository_id: i64,
    pub title: Option<String>,
    pub event: String,
    pub method: String,
    /// JSON objects.
    pub config: String,
    pub event_config: String,
    pub number_of_failures: i64,
}

const COLUMNS: &str =
    "uuid, repository_id, title, event, method, config, event_config, number_of_failures";

pub async fn insert_notification(
    conn: &mut DbConn,
    row: &NotificationRow,
    now_ms: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO repository_notifications (uuid, repository_id, title, event, method, config, \
         event_config, number_of_failures, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
    )
    .bind(&row.uuid)
    .bind(row.repository_id)
    .bind(&row.title)
    .bind(&row.event)
    .bind(&row.method)
    .bind(&row.config)
    .bind(&row.event_config)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The repository's notifications, oldest first; only those of `event` when given.
pub async fn list_notifications(
    conn: &mut DbConn,
    repository_id: i64,
    event: Option<&str>,
) -> Result<Vec<NotificationRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM repository_notifications WHERE repository_id = $1 \
         AND ($2 IS NULL OR event = $2) ORDER BY created_ms, uuid"
    );
    Ok(sqlx::query_as::<_, NotificationRow>(&sql)
        .bind(repository_id)
        .bind(event)
        .fetch_all(conn)
        .await?)
}

pub async fn find_notification(conn: &mut DbConn, uuid: &str) -> Result<Option<NotificationRow>> {
    let sql = format!("SELECT {COLUMNS} FROM repository_notifications WHERE uuid = $1");
    Ok(sqlx::query_as::<_, NotificationRow>(&sql)
        .bind(uuid)
        .fetch_optional(conn)
        .await?)
}

pub async fn delete_notification(conn: &mut DbConn, uuid: &str) -> Result<()> {
    sqlx::query("DELETE FROM repository_notifications WHERE uuid = $1")
        .bind(uuid)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the failure count to 0 (`reset`), or adds one.
pub async fn count_failure(conn: &mut DbConn, uuid: &str, reset: bool) -> Result<()> {
    let change = if reset { "0" } else { "number_of_failures + 1" };
    sqlx::query(&format!(
        "UPDATE repository_notifications SET number_of_failures = {change} WHERE uuid = $1"
    ))
    .bind(uuid)
    .execute(conn)
    .await?;
    Ok(())
}
