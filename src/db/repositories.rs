//! SQL for repository management through the API: listing, description, visibility, stars,
//! deletion, and the alive tags shown on a repository.

use sqlx::FromRow;

use super::{DbConn, Result};

/// The repositories `$1` may see besides public ones: its own namespace, organizations it
/// administers, and explicit grants. Shared by every listing so that they agree.
pub const VISIBLE_TO_ACCOUNT: &str = "(r.namespace_id = $1 \
    OR EXISTS (SELECT 1 FROM repository_permissions p WHERE p.repository_id = r.id AND p.account_id = $1) \
    OR EXISTS (SELECT 1 FROM teams t JOIN team_members m ON m.team_id = t.id \
               WHERE t.organization_id = r.namespace_id AND m.account_id = $1 AND t.role = 'admin') \
    OR EXISTS (SELECT 1 FROM repository_team_permissions g JOIN team_members m ON m.team_id = g.team_id \
               WHERE g.repository_id = r.id AND m.account_id = $1))";

#[derive(Debug, Clone, FromRow)]
pub struct RepositoryListRow {
    pub id: i64,
    pub namespace_id: i64,
    pub namespace: String,
    pub name: String,
    pub description: String,
    pub public: i64,
    pub kind: String,
    pub state: String,
    pub starred: i64,
    pub last_modified_ms: Option<i64>,
    /// The blobs its manifests use, each once.
    pub size_bytes: i64,
}

/// Which repositories a listing returns.
pub struct RepositoryFilter<'a> {
    /// The caller (0 for anonymous): visibility and stars are computed for it.
    pub account_id: i64,
    pub namespace: Option<&'a str>,
    pub public_only: bool,
    pub starred_only: bool,
    /// Every repository is visible (global read-only superusers).
    pub see_all: bool,
}

/// One page of repositories from id `start_id` on, ordered by id, at most `limit` rows.
pub async fn list_repositories_page(
    conn: &mut DbConn,
    filter: &RepositoryFilter<'_>,
    start_id: i64,
    limit: i64,
) -> Result<Vec<RepositoryListRow>> {
    let visibility = if filter.see_all {
        String::new()
    } else if filter.public_only {
        " AND r.public = 1".to_owned()
    } else {
        format!(" AND (r.public = 1 OR {VISIBLE_TO_ACCOUNT})")
    };
    let namespace = if filter.namespace.is_some() {
        " AND a.username = $4"
    } else {
        ""
    };
    let starred = if filter.starred_only {
        " AND EXISTS (SELECT 1 FROM stars s WHERE s.repository_id = r.id AND s.account_id = $1)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT r.id, r.namespace_id, a.username AS namespace, r.name, r.description, r.public, \
         r.kind, r.state, r.size_bytes, \
         (SELECT COUNT(*) FROM stars s WHERE s.repository_id = r.id AND s.account_id = $1) AS starred, \
         (SELECT MAX(t.lifetime_start_ms) FROM tags t WHERE t.repository_id = r.id AND t.hidden = 0) \
             AS last_modified_ms \
         FROM repositories r JOIN accounts a ON a.id = r.namespace_id \
         WHERE r.id >= $2 AND r.kind = 'image' AND r.state <> 'marked_for_deletion'\
         {visibility}{namespace}{starred} ORDER BY r.id LIMIT $3"
    );
    let query = sqlx::query_as::<_, RepositoryListRow>(&sql)
        .bind(filter.account_id)
        .bind(start_id)
        .bind(limit);
    let query = match filter.namespace {
        Some(namespace) => query.bind(namespace),
        None => query,
    };
    Ok(query.fetch_all(conn).await?)
}

pub async fn find_description(conn: &mut DbConn, repository_id: i64) -> Result<String> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT description FROM repositories WHERE id = $1")
            .bind(repository_id)
            .fetch_one(conn)
            .await?,
    )
}

pub async fn update_description(
    conn: &mut DbConn,
    repository_id: i64,
    description: &str,
) -> Result<()> {
    sqlx::query("UPDATE repositories SET description = $1 WHERE id = $2")
        .bind(description)
        .bind(repository_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_visibility(conn: &mut DbConn, repository_id: i64, public: bool) -> Result<()> {
    sqlx::query("UPDATE repositories SET public = $1 WHERE id = $2")
        .bind(public as i64)
        .bind(repository_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks a repository for deletion under a placeholder name, so its name is free at once.
pub async fn mark_repository_deleted(
    conn: &mut DbConn,
    repository_id: i64,
    placeholder: &str,
) -> Result<()> {
    sqlx::query("UPDATE repositories SET state = 'marked_for_deletion', name = $1 WHERE id = $2")
        .bind(placeholder)
        .bind(repository_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes a repository marked for deletion and everything that hangs off it; its blobs
/// leave its namespace's size.
pub async fn delete_repository(conn: &mut DbConn, repository_id: i64) -> Result<()> {
    let namespace_id =
        sqlx::query_scalar::<_, i64>("SELECT namespace_id FROM repositories WHERE id = $1")
            .bind(repository_id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(namespace_id) = namespace_id {
        super::quotas::forget_repository(&mut *conn, namespace_id, repository_id).await?;
    }
    for sql in [
        "DELETE FROM tags WHERE repository_id = $1",
        "DELETE FROM manifest_children WHERE manifest_id IN (SELECT id FROM manifests WHERE repository_id = $1)",
        "DELETE FROM manifests WHERE repository_id = $1",
        "DELETE FROM uploaded_blobs WHERE repository_id = $1",
        "DELETE FROM uploads WHERE repository_id = $1",
        "UPDATE log_entries SET repository_id = NULL WHERE repository_id = $1",
        "DELETE FROM repositories WHERE id = $1",
    ] {
        sqlx::query(sql).bind(repository_id).execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn insert_star(
    conn: &mut DbConn,
    account_id: i64,
    repository_id: i64,
    now_ms: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stars (account_id, repository_id, created_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(repository_id)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_star(conn: &mut DbConn, account_id: i64, repository_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM stars WHERE account_id = $1 AND repository_id = $2")
        .bind(account_id)
        .bind(repository_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn is_starred(conn: &mut DbConn, account_id: i64, repository_id: i64) -> Result<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM stars WHERE account_id = $1 AND repository_id = $2",
    )
    .bind(account_id)
    .bind(repository_id)
    .fetch_one(conn)
    .await?
        > 0)
}

#[derive(Debug, Clone, FromRow)]
pub struct AliveTagRow {
    pub name: String,
    pub manifest_digest: String,
    pub lifetime_start_ms: i64,
    pub lifetime_end_ms: Option<i64>,
    pub size: i64,
}

/// The alive, visible tags of a repository by name (at most `limit`), with the size of their
/// manifest's blobs.
pub async fn list_alive_tags(
    conn: &mut DbConn,
    repository_id: i64,
    now_ms: i64,
    limit: i64,
) -> Result<Vec<AliveTagRow>> {
    Ok(sqlx::query_as::<_, AliveTagRow>(
        "SELECT t.name, m.digest AS manifest_digest, t.lifetime_start_ms, t.lifetime_end_ms, \
         COALESCE((SELECT CAST(SUM(b.size) AS BIGINT) FROM manifest_blobs mb JOIN blobs b ON b.id = mb.blob_id \
                   WHERE mb.manifest_id = m.id), 0) AS size \
         FROM tags t JOIN manifests m ON m.id = t.manifest_id \
         WHERE t.repository_id = $1 AND t.hidden = 0 AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > $2) \
         ORDER BY t.name LIMIT $3",
    )
    .bind(repository_id)
    .bind(now_ms)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Sets the repository's state (`normal`, `read_only`, `mirror`).
pub async fn set_repository_state(
    conn: &mut DbConn,
    repository_id: i64,
    state: &str,
) -> Result<()> {
    sqlx::query("UPDATE repositories SET state = $1 WHERE id = $2")
        .bind(state)
        .bind(repository_id)
        .execute(conn)
        .await?;
    Ok(())
}
