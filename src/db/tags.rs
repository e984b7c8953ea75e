//! SQL for the tag API: a tag's history (one row per lifetime) and direct changes to rows.

use sqlx::FromRow;

use super::{DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct TagHistoryRow {
    pub id: i64,
    pub name: String,
    pub manifest_digest: String,
    pub media_type: String,
    pub reversion: i64,
    pub immutable: i64,
    pub lifetime_start_ms: i64,
    pub lifetime_end_ms: Option<i64>,
    pub size: i64,
}

/// Visible tag rows of a repository, newest first: every lifetime, or only alive ones; only
/// `name` when given. `offset`/`limit` page through them.
pub async fn list_tag_history(
    conn: &mut DbConn,
    repository_id: i64,
    name: Option<&str>,
    alive_at_ms: Option<i64>,
    offset: i64,
    limit: i64,
) -> Result<Vec<TagHistoryRow>> {
    let mut sql = String::from(
        "SELECT t.id, t.name, m.digest AS manifest_digest, m.media_type, t.reversion, t.immutable, t.lifetime_start_ms, \
         t.lifetime_end_ms, COALESCE((SELECT CAST(SUM(b.size) AS BIGINT) FROM manifest_blobs mb \
         JOIN blobs b ON b.id = mb.blob_id WHERE mb.manifest_id = m.id), 0) AS size \
         FROM tags t JOIN manifests m ON m.id = t.manifest_id WHERE t.repository_id = $1 AND t.hidden = 0",
    );
    let mut next = 2;
    if name.is_some() {
        sql.push_str(&format!(" AND t.name = ${next}"));
        next += 1;
    }
    if alive_at_ms.is_some() {
        sql.push_str(&format!(
            " AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > ${next})"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY t.lifetime_start_ms DESC, t.id DESC LIMIT {limit} OFFSET {offset}"
    ));
    let mut query = sqlx::query_as::<_, TagHistoryRow>(&sql).bind(repository_id);
    if let Some(name) = name {
        query = query.bind(name);
    }
    if let Some(at) = alive_at_ms {
        query = query.bind(at);
    }
    Ok(query.fetch_all(conn).await?)
}

/// The alive row of tag `name` and its manifest digest.
pub async fn find_alive_tag(
    conn: &mut DbConn,
    repository_id: i64,
    name: &str,
    now_ms: i64,
) -> Result<Option<TagHistoryRow>> {
    Ok(
        list_tag_history(conn, repository_id, Some(name), Some(now_ms), 0, 1)
            .await?
            .into_iter()
            .next(),
    )
}

/// True when some row of tag `name`, alive or within the time machine, pointed at `digest`.
pub async fn tag_ever_pointed_at(
    conn: &mut DbConn,
    repository_id: i64,
    name: &str,
    digest: &str,
) -> Result<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM tags t JOIN manifests m ON m.id = t.manifest_id \
         WHERE t.repository_id = $1 AND t.name = $2 AND m.digest = $3",
    )
    .bind(repository_id)
    .bind(name)
    .bind(digest)
    .fetch_one(conn)
    .await?
        > 0)
}

pub async fn update_tag_end(
    conn: &mut DbConn,
    tag_id: i64,
    lifetime_end_ms: Option<i64>,
) -> Result<()> {
    sqlx::query("UPDATE tags SET lifetime_end_ms = $1 WHERE id = $2")
        .bind(lifetime_end_ms)
        .bind(tag_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_reversion(
    conn: &mut DbConn,
    repository_id: i64,
    name: &str,
    start_ms: i64,
) -> Result<()> {
    sqlx::query("UPDATE tags SET reversion = 1 WHERE repository_id = $1 AND name = $2 AND lifetime_start_ms = $3")
        .bind(repository_id)
        .bind(name)
        .bind(start_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Names of the visible tags whose rows started or ended at or after `since_ms`.
pub async fn tags_changed_since(
    conn: &mut DbConn,
    repository_id: i64,
    since_ms: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT name FROM tags WHERE repository_id = $1 AND hidden = 0 \
         AND (lifetime_start_ms >= $2 OR lifetime_end_ms >= $2) ORDER BY name",
    )
    .bind(repository_id)
    .bind(since_ms)
    .fetch_all(conn)
    .await?)
}

/// The manifest tag `name` pointed at, at `at_ms`, if it was alive then.
pub async fn manifest_of_tag_at(
    conn: &mut DbConn,
    repository_id: i64,
    name: &str,
    at_ms: i64,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT manifest_id FROM tags WHERE repository_id = $1 AND name = $2 AND hidden = 0 \
         AND lifetime_start_ms < $3 AND (lifetime_end_ms IS NULL OR lifetime_end_ms >= $3) \
         ORDER BY lifetime_start_ms DESC LIMIT 1",
    )
    .bind(repository_id)
    .bind(name)
    .bind(at_ms)
    .fetch_optional(conn)
    .await?)
}
