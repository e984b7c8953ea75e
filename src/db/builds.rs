//! SQL for dropped files and repository builds (core-api.md §5, superuser-api.md §11).

use sqlx::FromRow;

use super::{DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct UserFileRow {
    pub id: String,
    pub content_type: String,
    /// The stored bytes' digest and size, once uploaded.
    pub digest: Option<String>,
    pub size: Option<i64>,
}

pub async fn insert_user_file(
    conn: &mut DbConn,
    id: &str,
    content_type: &str,
    now_ms: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO user_files (id, content_type, created_ms) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(content_type)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find_user_file(conn: &mut DbConn, id: &str) -> Result<Option<UserFileRow>> {
    Ok(sqlx::query_as::<_, UserFileRow>(
        "SELECT f.id, f.content_type, b.digest, b.size FROM user_files f \
         LEFT JOIN blobs b ON b.id = f.blob_id WHERE f.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Points the file at its stored blob (the last upload wins, as a PUT replaces).
pub async fn set_user_file_blob(
    conn: &mut DbConn,
    id: &str,
    blob_id: i64,
    content_type: &str,
) -> Result<()> {
    sqlx::query("UPDATE user_files SET blob_id = $2, content_type = $3 WHERE id = $1")
        .bind(id)
        .bind(blob_id)
        .bind(content_type)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct BuildRow {
    pub uuid: String,
    pub repository_id: i64,
    pub namespace: String,
    pub repository: String,
    pub phase: String,
    pub started_ms: i64,
    pub display_name: String,
    pub resource_key: Option<String>,
    /// Quay's job configuration, as JSON.
    pub job_config: String,
    pub pull_robot: Option<String>,
    pub error: Option<String>,
}

const BUILD_COLUMNS: &str =
    "b.uuid, b.repository_id, a.username AS namespace, r.name AS repository, \
     b.phase, b.started_ms, b.display_name, b.resource_key, b.job_config, b.pull_robot, b.error";
const BUILD_FROM: &str =
    "FROM builds b JOIN repositories r ON r.id = b.repository_id JOIN accounts a ON a.id = r.namespace_id";

pub struct NewBuild<'a> {
    pub uuid: &'a str,
    pub repository_id: i64,
    pub started_ms: i64,
    pub display_name: &'a str,
    pub resource_key: Option<&'a str>,
    pub job_config: &'a str,
    pub pull_robot: Option<&'a str>,
}

pub async fn insert_build(conn: &mut DbConn, new: &NewBuild<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO builds (uuid, repository_id, phase, started_ms, display_name, resource_key, \
         job_config, pull_robot) VALUES ($1, $2, 'waiting', $3, $4, $5, $6, $7)",
    )
    .bind(new.uuid)
    .bind(new.repository_id)
    .bind(new.started_ms)
    .bind(new.display_name)
    .bind(new.resource_key)
    .bind(new.job_config)
    .bind(new.pull_robot)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_build(conn: &mut DbConn, uuid: &str) -> Result<Option<BuildRow>> {
    let sql = format!("SELECT {BUILD_COLUMNS} {BUILD_FROM} WHERE b.uuid = $1");
    Ok(sqlx::query_as::<_, BuildRow>(&sql)
        .bind(uuid)
        .fetch_optional(conn)
        .await?)
}

/// The repository's builds started at or after `since_ms`, newest first; at most `limit`.
pub async fn list_builds(
    conn: &mut DbConn,
    repository_id: i64,
    since_ms: i64,
    limit: i64,
) -> Result<Vec<BuildRow>> {
    let sql = format!(
        "SELECT {BUILD_COLUMNS} {BUILD_FROM} WHERE b.repository_id = $1 AND b.started_ms >= $2 \
         ORDER BY b.started_ms DESC, b.uuid LIMIT $3"
    );
    Ok(sqlx::query_as::<_, BuildRow>(&sql)
        .bind(repository_id)
        .bind(since_ms)
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// Moves the build from `from` to `to`; false when it was not in `from`.
pub async fn change_phase(conn: &mut DbConn, uuid: &str, from: &str, to: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE builds SET phase = $3 WHERE uuid = $1 AND phase = $2")
        .bind(uuid)
        .bind(from)
        .bind(to)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// How many entries the build's log holds.
pub async fn count_log_entries(conn: &mut DbConn, uuid: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM build_log_entries WHERE build_uuid = $1",
        )
        .bind(uuid)
        .fetch_one(conn)
        .await?,
    )
}

/// The build's log entries (JSON) from position `start` on, at most `limit`.
pub async fn list_log_entries(
    conn: &mut DbConn,
    uuid: &str,
    start: i64,
    limit: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT entry FROM build_log_entries WHERE build_uuid = $1 AND seq >= $2 \
         ORDER BY seq LIMIT $3",
    )
    .bind(uuid)
    .bind(start)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
