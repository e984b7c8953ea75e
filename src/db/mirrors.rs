//! SQL for repository mirrors.

use sqlx::FromRow;

use super::{DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct MirrorRow {
    pub repository_id: i64,
    pub is_enabled: i64,
    pub external_reference: String,
    pub username_encrypted: Option<String>,
    pub password_encrypted: Option<String>,
    pub external_registry_config: String,
    pub verify_tls: i64,
    pub sync_interval_s: i64,
    pub sync_start_ms: Option<i64>,
    pub sync_expiration_ms: Option<i64>,
    pub sync_retries_remaining: i64,
    pub sync_status: String,
    pub tag_patterns: String,
    pub robot_id: Option<i64>,
    pub skopeo_timeout_s: i64,
    /// A JSON array of architectures; empty: all.
    pub architecture_filter: String,
}

const COLUMNS: &str = "repository_id, is_enabled, external_reference, username_encrypted, \
    password_encrypted, external_registry_config, verify_tls, sync_interval_s, sync_start_ms, \
    sync_expiration_ms, sync_retries_remaining, sync_status, tag_patterns, robot_id, \
    skopeo_timeout_s, architecture_filter";

pub async fn find_mirror(conn: &mut DbConn, repository_id: i64) -> Result<Option<MirrorRow>> {
    let sql = format!("SELECT {COLUMNS} FROM repository_mirrors WHERE repository_id = $1");
    Ok(sqlx::query_as::<_, MirrorRow>(&sql)
        .bind(repository_id)
        .fetch_optional(conn)
        .await?)
}

/// Stores a new mirror; false when the repository has one already.
pub async fn insert_mirror(conn: &mut DbConn, row: &MirrorRow, now_ms: i64) -> Result<bool> {
    let sql = format!(
        "INSERT INTO repository_mirrors ({COLUMNS}, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT (repository_id) DO NOTHING"
    );
    let done = bind_all(sqlx::query(&sql), row)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes every field of `row` back.
pub async fn update_mirror(conn: &mut DbConn, row: &MirrorRow) -> Result<()> {
    let sql = "UPDATE repository_mirrors SET is_enabled = $2, external_reference = $3, \
         username_encrypted = $4, password_encrypted = $5, external_registry_config = $6, \
         verify_tls = $7, sync_interval_s = $8, sync_start_ms = $9, sync_expiration_ms = $10, \
         sync_retries_remaining = $11, sync_status = $12, tag_patterns = $13, robot_id = $14, \
         skopeo_timeout_s = $15, architecture_filter = $16 WHERE repository_id = $1";
    bind_all(sqlx::query(sql), row).execute(conn).await?;
    Ok(())
}

fn bind_all<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    row: &'q MirrorRow,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(row.repository_id)
        .bind(row.is_enabled)
        .bind(&row.external_reference)
        .bind(&row.username_encrypted)
        .bind(&row.password_encrypted)
        .bind(&row.external_registry_config)
        .bind(row.verify_tls)
        .bind(row.sync_interval_s)
        .bind(row.sync_start_ms)
        .bind(row.sync_expiration_ms)
        .bind(row.sync_retries_remaining)
        .bind(&row.sync_status)
        .bind(&row.tag_patterns)
        .bind(row.robot_id)
        .bind(row.skopeo_timeout_s)
        .bind(&row.architecture_filter)
}

/// Mirrors of repositories in the mirror state that should sync now: asked to (`SYNC_NOW`),
/// or enabled, due and with retries left; none held by a live sync.
pub async fn due_mirrors(conn: &mut DbConn, now_ms: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT m.repository_id FROM repository_mirrors m \
         JOIN repositories r ON r.id = m.repository_id \
         WHERE r.state = 'mirror' \
         AND (m.sync_status = 'SYNC_NOW' OR (m.is_enabled = 1 AND m.sync_start_ms <= $1 \
              AND m.sync_retries_remaining > 0)) \
         AND (m.sync_status <> 'SYNCING' OR m.sync_expiration_ms <= $1) \
         ORDER BY m.sync_start_ms",
    )
    .bind(now_ms)
    .fetch_all(conn)
    .await?)
}

/// Takes the mirror for a sync until `lease_end_ms`; false when another sync holds it.
pub async fn claim_mirror(
    conn: &mut DbConn,
    repository_id: i64,
    now_ms: i64,
    lease_end_ms: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE repository_mirrors SET sync_status = 'SYNCING', sync_expiration_ms = $2 \
         WHERE repository_id = $1 AND sync_status <> 'CANCEL' \
         AND (sync_status <> 'SYNCING' OR sync_expiration_ms <= $3)",
    )
    .bind(repository_id)
    .bind(lease_end_ms)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Extends a running sync's lease; false when it is no longer syncing (cancelled).
pub async fn renew_mirror(
    conn: &mut DbConn,
    repository_id: i64,
    lease_end_ms: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE repository_mirrors SET sync_expiration_ms = $2 \
         WHERE repository_id = $1 AND sync_status = 'SYNCING'",
    )
    .bind(repository_id)
    .bind(lease_end_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends a running sync with `status`, its next start and retries; nothing when it was
/// cancelled meanwhile.
pub async fn release_mirror(
    conn: &mut DbConn,
    repository_id: i64,
    status: &str,
    next_start_ms: Option<i64>,
    retries: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE repository_mirrors SET sync_status = $2, sync_start_ms = $3, \
         sync_retries_remaining = $4, sync_expiration_ms = NULL \
         WHERE repository_id = $1 AND sync_status = 'SYNCING'",
    )
    .bind(repository_id)
    .bind(status)
    .bind(next_start_ms)
    .bind(retries)
    .execute(conn)
    .await?;
    Ok(())
}
