//! SQL for namespace quotas and sizes (superuser-api.md §4.4, §9, §10.6). Sizes are kept from
//! `counted_blobs`: each blob a repository's manifests name, once per repository, with how
//! many of its manifests name it. A namespace counts a blob once however many of its
//! repositories hold it.

use sqlx::FromRow;

use super::{Backend, DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct QuotaRow {
    pub id: i64,
    pub namespace_id: i64,
    pub limit_bytes: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct QuotaLimitRow {
    pub id: i64,
    pub quota_id: i64,
    /// `Warning` or `Reject`.
    pub kind: String,
    pub percent: i64,
}

// ---- quotas and limits -------------------------------------------------------------------

pub async fn find_quota(conn: &mut DbConn, namespace_id: i64) -> Result<Option<QuotaRow>> {
    Ok(sqlx::query_as::<_, QuotaRow>(
        "SELECT id, namespace_id, limit_bytes FROM quotas WHERE namespace_id = $1",
    )
    .bind(namespace_id)
    .fetch_optional(conn)
    .await?)
}

/// The quotas of `namespace_ids` (each has at most one).
pub async fn list_quotas(conn: &mut DbConn, namespace_ids: &[i64]) -> Result<Vec<QuotaRow>> {
    if namespace_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, namespace_id, limit_bytes FROM quotas WHERE namespace_id IN ({})",
        placeholders(namespace_ids.len())
    );
    let mut query = sqlx::query_as::<_, QuotaRow>(&sql);
    for id in namespace_ids {
        query = query.bind(id);
    }
    Ok(query.fetch_all(conn).await?)
}

pub async fn insert_quota(conn: &mut DbConn, namespace_id: i64, limit_bytes: i64) -> Result<()> {
    sqlx::query("INSERT INTO quotas (namespace_id, limit_bytes) VALUES ($1, $2)")
        .bind(namespace_id)
        .bind(limit_bytes)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_quota(conn: &mut DbConn, quota_id: i64, limit_bytes: i64) -> Result<()> {
    sqlx::query("UPDATE quotas SET limit_bytes = $2 WHERE id = $1")
        .bind(quota_id)
        .bind(limit_bytes)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes the quota with its limits, and the namespace's warning state with them.
pub async fn delete_quota(conn: &mut DbConn, quota: &QuotaRow) -> Result<()> {
    sqlx::query("DELETE FROM quota_limits WHERE quota_id = $1")
        .bind(quota.id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM quotas WHERE id = $1")
        .bind(quota.id)
        .execute(&mut *conn)
        .await?;
    set_warned(conn, quota.namespace_id, false).await
}

/// The limits of `quota_ids`, by id.
pub async fn list_limits(conn: &mut DbConn, quota_ids: &[i64]) -> Result<Vec<QuotaLimitRow>> {
    if quota_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, quota_id, kind, percent FROM quota_limits WHERE quota_id IN ({}) ORDER BY id",
        placeholders(quota_ids.len())
    );
    let mut query = sqlx::query_as::<_, QuotaLimitRow>(&sql);
    for id in quota_ids {
        query = query.bind(id);
    }
    Ok(query.fetch_all(conn).await?)
}

pub async fn insert_limit(
    conn: &mut DbConn,
    quota_id: i64,
    kind: &str,
    percent: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO quota_limits (quota_id, kind, percent) VALUES ($1, $2, $3)")
        .bind(quota_id)
        .bind(kind)
        .bind(percent)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_limit(
    conn: &mut DbConn,
    limit_id: i64,
    kind: &str,
    percent: i64,
) -> Result<()> {
    sqlx::query("UPDATE quota_limits SET kind = $2, percent = $3 WHERE id = $1")
        .bind(limit_id)
        .bind(kind)
        .bind(percent)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_limit(conn: &mut DbConn, limit_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM quota_limits WHERE id = $1")
        .bind(limit_id)
        .execute(conn)
        .await?;
    Ok(())
}

fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- sizes ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Default, FromRow)]
pub struct NamespaceSizeRow {
    pub size_bytes: i64,
    /// 1 once a push took the namespace over a Warning threshold (logged), until a push
    /// finds it under again.
    pub warned: i64,
}

/// The namespace's counted size (0 before it holds anything).
pub async fn find_namespace_size(conn: &mut DbConn, namespace_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT size_bytes FROM namespace_sizes WHERE namespace_id = $1",
    )
    .bind(namespace_id)
    .fetch_optional(conn)
    .await?
    .unwrap_or(0))
}

/// The counted sizes of `namespace_ids`, as (namespace id, bytes).
pub async fn list_namespace_sizes(
    conn: &mut DbConn,
    namespace_ids: &[i64],
) -> Result<Vec<(i64, i64)>> {
    if namespace_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT namespace_id, size_bytes FROM namespace_sizes WHERE namespace_id IN ({})",
        placeholders(namespace_ids.len())
    );
    let mut query = sqlx::query_as::<_, (i64, i64)>(&sql);
    for id in namespace_ids {
        query = query.bind(id);
    }
    Ok(query.fetch_all(conn).await?)
}

/// Holds the namespace's size row until the transaction ends, so that pushes into one
/// namespace count and check their bytes one after another. SQLite's single writer already
/// serializes write transactions.
pub async fn lock_namespace_size(
    conn: &mut DbConn,
    backend: Backend,
    namespace_id: i64,
) -> Result<NamespaceSizeRow> {
    sqlx::query(
        "INSERT INTO namespace_sizes (namespace_id, size_bytes) VALUES ($1, 0) \
         ON CONFLICT (namespace_id) DO NOTHING",
    )
    .bind(namespace_id)
    .execute(&mut *conn)
    .await?;
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let sql =
        format!("SELECT size_bytes, warned FROM namespace_sizes WHERE namespace_id = $1{lock}");
    Ok(sqlx::query_as::<_, NamespaceSizeRow>(&sql)
        .bind(namespace_id)
        .fetch_one(conn)
        .await?)
}

pub async fn set_warned(conn: &mut DbConn, namespace_id: i64, warned: bool) -> Result<()> {
    sqlx::query("UPDATE namespace_sizes SET warned = $2 WHERE namespace_id = $1")
        .bind(namespace_id)
        .bind(warned as i64)
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts a manifest's new link to a blob: the first manifest of the repository to name it
/// adds its size to the repository, and to the namespace unless another of its repositories
/// already holds it.
pub async fn count_blob(
    conn: &mut DbConn,
    namespace_id: i64,
    repository_id: i64,
    blob_id: i64,
) -> Result<()> {
    let manifests = sqlx::query_scalar::<_, i64>(
        "INSERT INTO counted_blobs (repository_id, blob_id, namespace_id, manifests) \
         VALUES ($1, $2, $3, 1) ON CONFLICT (repository_id, blob_id) \
         DO UPDATE SET manifests = counted_blobs.manifests + 1 RETURNING manifests",
    )
    .bind(repository_id)
    .bind(blob_id)
    .bind(namespace_id)
    .fetch_one(&mut *conn)
    .await?;
    if manifests == 1 {
        add_blob_size(conn, namespace_id, repository_id, blob_id, "+").await?;
    }
    Ok(())
}

/// Undoes `count_blob` for every blob link of a manifest about to be deleted.
pub async fn uncount_manifest(
    conn: &mut DbConn,
    namespace_id: i64,
    repository_id: i64,
    manifest_id: i64,
) -> Result<()> {
    let blob_ids =
        sqlx::query_scalar::<_, i64>("SELECT blob_id FROM manifest_blobs WHERE manifest_id = $1")
            .bind(manifest_id)
            .fetch_all(&mut *conn)
            .await?;
    for blob_id in blob_ids {
        let manifests = sqlx::query_scalar::<_, i64>(
            "UPDATE counted_blobs SET manifests = manifests - 1 \
             WHERE repository_id = $1 AND blob_id = $2 RETURNING manifests",
        )
        .bind(repository_id)
        .bind(blob_id)
        .fetch_optional(&mut *conn)
        .await?;
        if manifests == Some(0) {
            sqlx::query("DELETE FROM counted_blobs WHERE repository_id = $1 AND blob_id = $2")
                .bind(repository_id)
                .bind(blob_id)
                .execute(&mut *conn)
                .await?;
            add_blob_size(conn, namespace_id, repository_id, blob_id, "-").await?;
        }
    }
    Ok(())
}

/// Adds (`+`) or takes (`-`) the blob's size to or from the repository, and the namespace
/// unless another of its repositories holds the blob.
async fn add_blob_size(
    conn: &mut DbConn,
    namespace_id: i64,
    repository_id: i64,
    blob_id: i64,
    sign: &str,
) -> Result<()> {
    let size = sqlx::query_scalar::<_, i64>("SELECT size FROM blobs WHERE id = $1")
        .bind(blob_id)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(&format!(
        "UPDATE repositories SET size_bytes = size_bytes {sign} $2 WHERE id = $1"
    ))
    .bind(repository_id)
    .bind(size)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "UPDATE namespace_sizes SET size_bytes = size_bytes {sign} $2 WHERE namespace_id = $1 \
         AND NOT EXISTS (SELECT 1 FROM counted_blobs WHERE namespace_id = $1 AND blob_id = $3 \
         AND repository_id <> $4)"
    ))
    .bind(namespace_id)
    .bind(size)
    .bind(blob_id)
    .bind(repository_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets a repository that is being removed: its blobs leave the namespace's count.
pub async fn forget_repository(
    conn: &mut DbConn,
    namespace_id: i64,
    repository_id: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM counted_blobs WHERE repository_id = $1")
        .bind(repository_id)
        .execute(&mut *conn)
        .await?;
    store_namespace_size(conn, namespace_id).await?;
    Ok(())
}

/// Forgets a namespace that is being purged.
pub async fn forget_namespace(conn: &mut DbConn, namespace_id: i64) -> Result<()> {
    for sql in [
        "DELETE FROM counted_blobs WHERE namespace_id = $1",
        "DELETE FROM namespace_sizes WHERE namespace_id = $1",
    ] {
        sqlx::query(sql)
            .bind(namespace_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The namespace's size summed afresh from its counted blobs, stored; returns (stored before,
/// now).
pub async fn store_namespace_size(conn: &mut DbConn, namespace_id: i64) -> Result<(i64, i64)> {
    let before = find_namespace_size(&mut *conn, namespace_id).await?;
    let now = sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COALESCE(SUM(b.size), 0) AS BIGINT) FROM blobs b WHERE b.id IN \
         (SELECT blob_id FROM counted_blobs WHERE namespace_id = $1)",
    )
    .bind(namespace_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO namespace_sizes (namespace_id, size_bytes) VALUES ($1, $2) \
         ON CONFLICT (namespace_id) DO UPDATE SET size_bytes = excluded.size_bytes",
    )
    .bind(namespace_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok((before, now))
}

/// Bytes received so far by the repository's uploads in progress.
pub async fn uploading_bytes(conn: &mut DbConn, repository_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COALESCE(SUM(byte_count), 0) AS BIGINT) FROM uploads WHERE repository_id = $1",
    )
    .bind(repository_id)
    .fetch_one(conn)
    .await?)
}

/// Namespaces that hold repositories or a counted size, after `after_id`, by id.
pub async fn list_counted_namespaces(
    conn: &mut DbConn,
    after_id: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT id FROM (SELECT namespace_id AS id FROM repositories UNION \
         SELECT namespace_id AS id FROM namespace_sizes) n WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Counts the namespace's blobs afresh from its manifests' links and stores the repository
/// and namespace sizes that follow; returns the namespace's size (stored before, now). The
/// caller holds the namespace's size row.
pub async fn recount_namespace(conn: &mut DbConn, namespace_id: i64) -> Result<(i64, i64)> {
    sqlx::query("DELETE FROM counted_blobs WHERE namespace_id = $1")
        .bind(namespace_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO counted_blobs (repository_id, blob_id, namespace_id, manifests) \
         SELECT m.repository_id, mb.blob_id, r.namespace_id, COUNT(*) FROM manifest_blobs mb \
         JOIN manifests m ON m.id = mb.manifest_id JOIN repositories r ON r.id = m.repository_id \
         WHERE r.namespace_id = $1 GROUP BY m.repository_id, mb.blob_id, r.namespace_id",
    )
    .bind(namespace_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE repositories SET size_bytes = (SELECT CAST(COALESCE(SUM(b.size), 0) AS BIGINT) \
         FROM counted_blobs c JOIN blobs b ON b.id = c.blob_id \
         WHERE c.repository_id = repositories.id) WHERE namespace_id = $1",
    )
    .bind(namespace_id)
    .execute(&mut *conn)
    .await?;
    store_namespace_size(conn, namespace_id).await
}

/// Every namespace with a counted size or a quota: its name, size and quota limit.
pub async fn list_usage(conn: &mut DbConn) -> Result<Vec<(String, i64, Option<i64>)>> {
    Ok(sqlx::query_as::<_, (String, i64, Option<i64>)>(
        "SELECT a.username, COALESCE(s.size_bytes, 0), q.limit_bytes FROM accounts a \
         LEFT JOIN namespace_sizes s ON s.namespace_id = a.id \
         LEFT JOIN quotas q ON q.namespace_id = a.id \
         WHERE s.namespace_id IS NOT NULL OR q.id IS NOT NULL ORDER BY a.username",
    )
    .fetch_all(conn)
    .await?)
}
