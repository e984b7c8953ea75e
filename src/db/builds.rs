//! SQL for dropped files and repository builds (core-api.md §5, superuser-api.md §11).

use sqlx::FromRow;

use super::{Backend, DbConn, Result};

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
    pub namespace_id: i64,
    pub namespace: String,
    pub repository: String,
    pub phase: String,
    pub started_ms: i64,
    pub display_name: String,
    pub resource_key: Option<String>,
    /// Quay's job configuration, as JSON.
    pub job_config: String,
    pub pull_robot: Option<String>,
    /// How many times a worker took the build.
    pub attempts: i64,
    /// Until when the worker running the build holds it.
    pub lease_until_ms: Option<i64>,
}

const BUILD_COLUMNS: &str =
    "b.uuid, b.repository_id, r.namespace_id, a.username AS namespace, r.name AS repository, b.phase, \
     b.started_ms, b.display_name, b.resource_key, b.job_config, b.pull_robot, b.attempts, \
     b.lease_until_ms";
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

/// The phases of a build a worker holds.
pub const RUNNING_PHASES: [&str; 5] = [
    "build-scheduled",
    "unpacking",
    "pulling",
    "building",
    "pushing",
];

/// `RUNNING_PHASES` as an SQL list, `('build-scheduled', ...)`.
static RUNNING: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let quoted: Vec<String> = RUNNING_PHASES.iter().map(|p| format!("'{p}'")).collect();
    format!("({})", quoted.join(", "))
});

/// Cancels a build that waits or runs but is not pushing yet; false otherwise.
pub async fn cancel_build(conn: &mut DbConn, uuid: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE builds SET phase = 'cancelled' WHERE uuid = $1 AND phase IN \
         ('waiting', 'build-scheduled', 'unpacking', 'pulling', 'building')",
    )
    .bind(uuid)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes the oldest build that waits, or whose worker's lease lapsed before `now_ms` with
/// fewer than `max_attempts` runs: phase `build-scheduled`, held until `lease_until_ms` by
/// the run whose secret hashes to `token_hash`.
pub async fn claim_build(
    conn: &mut DbConn,
    backend: Backend,
    now_ms: i64,
    lease_until_ms: i64,
    token_hash: &str,
    max_attempts: i64,
) -> Result<Option<String>> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let running = &*RUNNING;
    let sql = format!(
        "UPDATE builds SET phase = 'build-scheduled', attempts = attempts + 1, \
         lease_until_ms = $2, token_hash = $3 WHERE uuid = (SELECT uuid FROM builds \
         WHERE (phase = 'waiting' OR (phase IN {running} AND lease_until_ms < $1)) \
         AND attempts < $4 ORDER BY started_ms, uuid LIMIT 1{lock}) RETURNING uuid"
    );
    Ok(sqlx::query_scalar::<_, String>(&sql)
        .bind(now_ms)
        .bind(lease_until_ms)
        .bind(token_hash)
        .bind(max_attempts)
        .fetch_optional(conn)
        .await?)
}

/// Ends the builds whose worker's lease lapsed before `now_ms` after their last attempt:
/// `internalerror`, which the views show as `expired`. Returns their uuids.
pub async fn end_lapsed_builds(
    conn: &mut DbConn,
    now_ms: i64,
    max_attempts: i64,
) -> Result<Vec<String>> {
    let running = &*RUNNING;
    let sql = format!(
        "UPDATE builds SET phase = 'internalerror', token_hash = NULL, lease_until_ms = NULL \
         WHERE phase IN {running} AND lease_until_ms < $1 AND attempts >= $2 RETURNING uuid"
    );
    Ok(sqlx::query_scalar::<_, String>(&sql)
        .bind(now_ms)
        .bind(max_attempts)
        .fetch_all(conn)
        .await?)
}

/// Holds the run's build until `lease_until_ms`; false when the run lost it (cancelled, or
/// taken by another worker after a lapse).
pub async fn renew_lease(
    conn: &mut DbConn,
    uuid: &str,
    token_hash: &str,
    lease_until_ms: i64,
) -> Result<bool> {
    let running = &*RUNNING;
    let sql = format!(
        "UPDATE builds SET lease_until_ms = $3 WHERE uuid = $1 AND token_hash = $2 \
         AND phase IN {running}"
    );
    let done = sqlx::query(&sql)
        .bind(uuid)
        .bind(token_hash)
        .bind(lease_until_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves the run's build to `phase`: to another running phase, or to its end (which also
/// retires the run's secret). Answers the phase the build is in afterwards, which is not
/// `phase` when the run lost the build; None when another run holds it.
pub async fn set_run_phase(
    conn: &mut DbConn,
    uuid: &str,
    token_hash: &str,
    phase: &str,
    ends: bool,
) -> Result<Option<String>> {
    let retire = if ends {
        ", token_hash = NULL, lease_until_ms = NULL"
    } else {
        ""
    };
    let running = &*RUNNING;
    let sql = format!(
        "UPDATE builds SET phase = CASE WHEN phase IN {running} THEN $3 ELSE phase END{retire} \
         WHERE uuid = $1 AND token_hash = $2 RETURNING phase"
    );
    Ok(sqlx::query_scalar::<_, String>(&sql)
        .bind(uuid)
        .bind(token_hash)
        .bind(phase)
        .fetch_optional(conn)
        .await?)
}

/// Lets the run's build be taken again at once (the run failed on Berth's side), retiring the
/// run's secret.
pub async fn release_run(conn: &mut DbConn, uuid: &str, token_hash: &str) -> Result<()> {
    sqlx::query(
        "UPDATE builds SET lease_until_ms = 0, token_hash = NULL WHERE uuid = $1 AND token_hash = $2",
    )
    .bind(uuid)
    .bind(token_hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// The running build whose run's secret hashes to `token_hash`.
pub async fn find_running_build_by_token(
    conn: &mut DbConn,
    token_hash: &str,
) -> Result<Option<BuildRow>> {
    let running = &*RUNNING;
    let sql = format!(
        "SELECT {BUILD_COLUMNS} {BUILD_FROM} WHERE b.token_hash = $1 AND b.phase IN {running}"
    );
    Ok(sqlx::query_as::<_, BuildRow>(&sql)
        .bind(token_hash)
        .fetch_optional(conn)
        .await?)
}

/// The first build that used dropped file `file_id`.
pub async fn find_first_build_of_file(
    conn: &mut DbConn,
    file_id: &str,
) -> Result<Option<BuildRow>> {
    let sql = format!(
        "SELECT {BUILD_COLUMNS} {BUILD_FROM} WHERE b.resource_key = $1 \
         ORDER BY b.started_ms LIMIT 1"
    );
    Ok(sqlx::query_as::<_, BuildRow>(&sql)
        .bind(file_id)
        .fetch_optional(conn)
        .await?)
}

/// Appends `entries` (JSON) to the build's log from position `first_seq` on.
pub async fn insert_log_entries(
    conn: &mut DbConn,
    uuid: &str,
    first_seq: i64,
    entries: &[String],
) -> Result<()> {
    for (seq, entry) in (first_seq..).zip(entries) {
        sqlx::query("INSERT INTO build_log_entries (build_uuid, seq, entry) VALUES ($1, $2, $3)")
            .bind(uuid)
            .bind(seq)
            .bind(entry)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
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
