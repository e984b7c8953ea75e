//! SQL for repositories, permissions, blobs, uploads, manifests and tags (core-api.md §2).
//! A tag row is alive while its `lifetime_end_ms` is NULL or still in the future.

use sqlx::FromRow;

use super::{Backend, DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct RepositoryRow {
    pub id: i64,
    pub namespace_id: i64,
    pub name: String,
    pub public: i64,
    pub kind: String,
    pub state: String,
}

const REPOSITORY_COLUMNS: &str = "id, namespace_id, name, public, kind, state";

pub async fn find_repository_by_id(conn: &mut DbConn, id: i64) -> Result<Option<RepositoryRow>> {
    let sql = format!("SELECT {REPOSITORY_COLUMNS} FROM repositories WHERE id = $1");
    Ok(sqlx::query_as::<_, RepositoryRow>(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

pub async fn find_repository(
    conn: &mut DbConn,
    namespace_id: i64,
    name: &str,
) -> Result<Option<RepositoryRow>> {
    let sql = format!(
        "SELECT {REPOSITORY_COLUMNS} FROM repositories WHERE namespace_id = $1 AND name = $2"
    );
    Ok(sqlx::query_as::<_, RepositoryRow>(&sql)
        .bind(namespace_id)
        .bind(name)
        .fetch_optional(conn)
        .await?)
}

/// The repository `name` in the namespace account named `namespace`, with that account's
/// name: the registry's lookup on every request, in one query.
pub async fn find_repository_by_name(
    conn: &mut DbConn,
    namespace: &str,
    name: &str,
) -> Result<Option<RepositoryRow>> {
    Ok(sqlx::query_as::<_, RepositoryRow>(
        "SELECT r.id, r.namespace_id, r.name, r.public, r.kind, r.state \
         FROM repositories r JOIN accounts a ON a.id = r.namespace_id \
         WHERE a.username = $1 AND r.name = $2",
    )
    .bind(namespace)
    .bind(name)
    .fetch_optional(conn)
    .await?)
}

/// Inserts a repository; None when one of that name already exists.
pub async fn insert_repository(
    conn: &mut DbConn,
    namespace_id: i64,
    name: &str,
    public: bool,
    created_ms: i64,
) -> Result<Option<RepositoryRow>> {
    let sql = format!(
        "INSERT INTO repositories (namespace_id, name, public, created_ms) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (namespace_id, name) DO NOTHING RETURNING {REPOSITORY_COLUMNS}"
    );
    Ok(sqlx::query_as::<_, RepositoryRow>(&sql)
        .bind(namespace_id)
        .bind(name)
        .bind(public as i64)
        .bind(created_ms)
        .fetch_optional(conn)
        .await?)
}

pub async fn upsert_repository_permission(
    conn: &mut DbConn,
    repository_id: i64,
    account_id: i64,
    role: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO repository_permissions (repository_id, account_id, role) VALUES ($1, $2, $3) \
         ON CONFLICT (repository_id, account_id) DO UPDATE SET role = excluded.role",
    )
    .bind(repository_id)
    .bind(account_id)
    .bind(role)
    .execute(conn)
    .await?;
    Ok(())
}

/// The role granted to `account_id` directly on the repository.
pub async fn find_repository_role(
    conn: &mut DbConn,
    repository_id: i64,
    account_id: i64,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT role FROM repository_permissions WHERE repository_id = $1 AND account_id = $2",
    )
    .bind(repository_id)
    .bind(account_id)
    .fetch_optional(conn)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct CatalogRow {
    pub id: i64,
    pub namespace: String,
    pub name: String,
}

/// Image repositories from id `start_id` on, ordered by id: every one when `all`, else those
/// in `account_id`'s namespace or granted to it. At most `limit` rows.
pub async fn list_visible_repositories_page(
    conn: &mut DbConn,
    account_id: i64,
    all: bool,
    start_id: i64,
    limit: i64,
) -> Result<Vec<CatalogRow>> {
    // The same visibility rule as every other listing.
    let sql = format!(
        "SELECT r.id, a.username AS namespace, r.name FROM repositories r \
         JOIN accounts a ON a.id = r.namespace_id \
         WHERE r.id >= $2 AND r.kind = 'image' AND r.state <> 'marked_for_deletion' \
         AND ($3 = 1 OR {}) ORDER BY r.id LIMIT $4",
        super::repositories::VISIBLE_TO_ACCOUNT
    );
    Ok(sqlx::query_as::<_, CatalogRow>(&sql)
        .bind(account_id)
        .bind(start_id)
        .bind(all as i64)
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// Deletes the repositories of a namespace with everything that hangs off them.
pub async fn delete_repositories_of_namespace(conn: &mut DbConn, namespace_id: i64) -> Result<()> {
    super::quotas::forget_namespace(&mut *conn, namespace_id).await?;
    for table in [
        "tags",
        "manifests",
        "uploaded_blobs",
        "uploads",
        "repository_permissions",
    ] {
        let sql = format!(
            "DELETE FROM {table} WHERE repository_id IN (SELECT id FROM repositories WHERE namespace_id = $1)"
        );
        sqlx::query(&sql)
            .bind(namespace_id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("UPDATE log_entries SET repository_id = NULL WHERE repository_id IN (SELECT id FROM repositories WHERE namespace_id = $1)")
        .bind(namespace_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM repositories WHERE namespace_id = $1")
        .bind(namespace_id)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- uploads -------------------------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct UploadRow {
    pub uuid: String,
    pub repository_id: i64,
    pub byte_count: i64,
}

pub async fn insert_upload(
    conn: &mut DbConn,
    uuid: &str,
    repository_id: i64,
    now_ms: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO uploads (uuid, repository_id, byte_count, created_ms, updated_ms) VALUES ($1, $2, 0, $3, $3)")
        .bind(uuid)
        .bind(repository_id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find_upload(
    conn: &mut DbConn,
    repository_id: i64,
    uuid: &str,
) -> Result<Option<UploadRow>> {
    Ok(sqlx::query_as::<_, UploadRow>(
        "SELECT uuid, repository_id, byte_count FROM uploads WHERE uuid = $1 AND repository_id = $2",
    )
    .bind(uuid)
    .bind(repository_id)
    .fetch_optional(conn)
    .await?)
}

/// Moves the upload's byte count from `old` to `new`; false when another request moved it first.
pub async fn update_upload_byte_count(
    conn: &mut DbConn,
    uuid: &str,
    old: i64,
    new: i64,
    now_ms: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE uploads SET byte_count = $3, updated_ms = $4 WHERE uuid = $1 AND byte_count = $2",
    )
    .bind(uuid)
    .bind(old)
    .bind(new)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_upload(conn: &mut DbConn, uuid: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM uploads WHERE uuid = $1")
        .bind(uuid)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

// ---- blobs ---------------------------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct BlobRow {
    pub id: i64,
    pub digest: String,
    pub size: i64,
}

/// Up to `limit` blob rows after id `after_id`, by id.
pub async fn list_blobs_page(conn: &mut DbConn, after_id: i64, limit: i64) -> Result<Vec<BlobRow>> {
    Ok(sqlx::query_as::<_, BlobRow>(
        "SELECT id, digest, size FROM blobs WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// The blob row of `digest`, if its bytes are stored.
pub async fn find_stored_blob(conn: &mut DbConn, digest: &str) -> Result<Option<BlobRow>> {
    Ok(
        sqlx::query_as::<_, BlobRow>("SELECT id, digest, size FROM blobs WHERE digest = $1")
            .bind(digest)
            .fetch_optional(conn)
            .await?,
    )
}

/// The blob row of `digest`, inserted first when missing.
pub async fn upsert_blob(
    conn: &mut DbConn,
    digest: &str,
    size: i64,
    now_ms: i64,
) -> Result<BlobRow> {
    let inserted = sqlx::query("INSERT INTO blobs (digest, size, created_ms) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING")
        .bind(digest)
        .bind(size)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    if inserted {
        super::registry_size::add_stored_bytes(&mut *conn, size).await?;
    }
    find_stored_blob(conn, digest)
        .await?
        .ok_or_else(|| sqlx::Error::RowNotFound.into())
}

/// Links a blob to a repository until `expires_ms` (an upload or a mount).
/// Links blob `blob_id` to the repository until `expires_ms` (a manifest must arrive by
/// then); a withdrawal of the blob from the repository ends.
pub async fn upsert_uploaded_blob(
    conn: &mut DbConn,
    repository_id: i64,
    blob_id: i64,
    expires_ms: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM withdrawn_blobs WHERE repository_id = $1 AND blob_id = $2")
        .bind(repository_id)
        .bind(blob_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO uploaded_blobs (repository_id, blob_id, expires_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (repository_id, blob_id) DO UPDATE SET expires_ms = excluded.expires_ms",
    )
    .bind(repository_id)
    .bind(blob_id)
    .bind(expires_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The blob `digest` if it is linked to the repository: by an unexpired upload or mount, or
/// by one of the repository's reachable manifests (a deleted manifest no longer shows its
/// blobs, though garbage collection may not have removed it yet), and not withdrawn since.
pub async fn find_repository_blob(
    conn: &mut DbConn,
    repository_id: i64,
    digest: &str,
    now_ms: i64,
) -> Result<Option<BlobRow>> {
    let sql = format!(
        "SELECT b.id, b.digest, b.size FROM blobs b WHERE b.digest = $1 AND ( \
           EXISTS (SELECT 1 FROM uploaded_blobs u WHERE u.blob_id = b.id AND u.repository_id = $2 \
                   AND u.expires_ms > $3) \
           OR EXISTS (SELECT 1 FROM manifest_blobs mb JOIN manifests m ON m.id = mb.manifest_id \
                      WHERE mb.blob_id = b.id AND m.repository_id = $2 AND {REACHABLE})) \
         AND NOT EXISTS (SELECT 1 FROM withdrawn_blobs w WHERE w.repository_id = $2 \
                         AND w.blob_id = b.id)"
    );
    Ok(sqlx::query_as::<_, BlobRow>(&sql)
        .bind(digest)
        .bind(repository_id)
        .bind(now_ms)
        .fetch_optional(conn)
        .await?)
}

/// Withdraws blob `blob_id` from the repository, whatever still links it there.
pub async fn insert_withdrawn_blob(
    conn: &mut DbConn,
    repository_id: i64,
    blob_id: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO withdrawn_blobs (repository_id, blob_id) VALUES ($1, $2) \
         ON CONFLICT (repository_id, blob_id) DO NOTHING",
    )
    .bind(repository_id)
    .bind(blob_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends the upload or mount link of blob `blob_id` in the repository; false when none was.
pub async fn delete_uploaded_blob(
    conn: &mut DbConn,
    repository_id: i64,
    blob_id: i64,
) -> Result<bool> {
    let done = sqlx::query("DELETE FROM uploaded_blobs WHERE repository_id = $1 AND blob_id = $2")
        .bind(repository_id)
        .bind(blob_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Serializes, until the transaction ends, everything that creates or removes the blob row of
/// `digest` with the garbage collector's removal of its bytes. SQLite needs nothing: its single
/// writer connection already serializes write transactions.
pub async fn lock_digest(conn: &mut DbConn, backend: Backend, digest: &str) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(digest)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// True when a blob row for `digest` exists.
pub async fn blob_exists(conn: &mut DbConn, digest: &str) -> Result<bool> {
    let found = sqlx::query_scalar::<_, i64>("SELECT id FROM blobs WHERE digest = $1")
        .bind(digest)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

// ---- manifests -----------------------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct ManifestRow {
    pub id: i64,
    pub digest: String,
    pub media_type: String,
    pub content: String,
}

const MANIFEST_COLUMNS: &str = "m.id, m.digest, m.media_type, m.content";

/// SQL condition: manifest `m` is held by an alive tag (hidden ones count), or is a child of
/// a manifest list that is; `$3` is now.
const REACHABLE: &str = "(EXISTS (SELECT 1 FROM tags t WHERE t.manifest_id = m.id \
       AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > $3)) \
     OR EXISTS (SELECT 1 FROM manifest_children c JOIN tags t ON t.manifest_id = c.manifest_id \
       WHERE c.child_manifest_id = m.id \
       AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > $3)))";

pub struct NewManifest<'a> {
    pub repository_id: i64,
    pub digest: &'a str,
    pub media_type: &'a str,
    pub artifact_type: Option<&'a str>,
    pub subject_digest: Option<&'a str>,
    pub content: &'a str,
    pub created_ms: i64,
}

/// Inserts a manifest, or finds the identical one already stored; returns its id, and
/// whether this call stored it.
pub async fn upsert_manifest(conn: &mut DbConn, new: &NewManifest<'_>) -> Result<(i64, bool)> {
    let inserted = sqlx::query(
        "INSERT INTO manifests (repository_id, digest, media_type, artifact_type, subject_digest, content, \
         size, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (repository_id, digest) DO NOTHING",
    )
    .bind(new.repository_id)
    .bind(new.digest)
    .bind(new.media_type)
    .bind(new.artifact_type)
    .bind(new.subject_digest)
    .bind(new.content)
    .bind(new.content.len() as i64)
    .bind(new.created_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    let id = sqlx::query_scalar::<_, i64>(
        "SELECT id FROM manifests WHERE repository_id = $1 AND digest = $2",
    )
    .bind(new.repository_id)
    .bind(new.digest)
    .fetch_one(conn)
    .await?;
    Ok((id, inserted))
}

/// Links a manifest of `repository` to a blob it names, and counts the blob in the sizes of
/// the repository and its namespace (whose size row the caller holds locked).
pub async fn insert_manifest_blob(
    conn: &mut DbConn,
    repository: (i64, i64),
    manifest_id: i64,
    blob_id: i64,
) -> Result<()> {
    let (namespace_id, repository_id) = repository;
    let inserted = sqlx::query(
        "INSERT INTO manifest_blobs (manifest_id, blob_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(manifest_id)
    .bind(blob_id)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        super::quotas::count_blob(conn, namespace_id, repository_id, blob_id).await?;
    }
    Ok(())
}

/// Records that manifest `manifest_id` names layer `digest` (of `size` bytes) that is not
/// fetched yet (a proxy cache's lazy copy).
pub async fn insert_pending_blob(
    conn: &mut DbConn,
    repository_id: i64,
    manifest_id: i64,
    digest: &str,
    size: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO pending_blobs (manifest_id, repository_id, digest, size) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(manifest_id)
    .bind(repository_id)
    .bind(digest)
    .bind(size)
    .execute(conn)
    .await?;
    Ok(())
}

/// The declared size of layer `digest` when a reachable manifest of the repository names it
/// and it is not fetched yet.
pub async fn find_pending_blob_size(
    conn: &mut DbConn,
    repository_id: i64,
    digest: &str,
    now_ms: i64,
) -> Result<Option<i64>> {
    let sql = format!(
        "SELECT p.size FROM pending_blobs p JOIN manifests m ON m.id = p.manifest_id \
         WHERE p.repository_id = $1 AND p.digest = $2 AND {REACHABLE} LIMIT 1"
    );
    Ok(sqlx::query_scalar::<_, i64>(&sql)
        .bind(repository_id)
        .bind(digest)
        .bind(now_ms)
        .fetch_optional(conn)
        .await?)
}

/// Links blob `blob_id` (`digest`, now stored) to every manifest of the repository that was
/// waiting for it, counting it in the quota, and forgets that they waited. The caller holds
/// the namespace's size lock.
pub async fn link_pending_blob(
    conn: &mut DbConn,
    repository: (i64, i64),
    digest: &str,
    blob_id: i64,
) -> Result<()> {
    let manifest_ids = sqlx::query_scalar::<_, i64>(
        "DELETE FROM pending_blobs WHERE repository_id = $1 AND digest = $2 RETURNING manifest_id",
    )
    .bind(repository.1)
    .bind(digest)
    .fetch_all(&mut *conn)
    .await?;
    for manifest_id in manifest_ids {
        insert_manifest_blob(conn, repository, manifest_id, blob_id).await?;
    }
    Ok(())
}

pub async fn insert_manifest_child(
    conn: &mut DbConn,
    manifest_id: i64,
    child_manifest_id: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO manifest_children (manifest_id, child_manifest_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(manifest_id)
        .bind(child_manifest_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes the manifest `digest` out of every list of the repository that names it: a list
/// then holds it no more (it is served as pushed, as a sparse index would be).
pub async fn unlink_from_lists(conn: &mut DbConn, repository_id: i64, digest: &str) -> Result<()> {
    sqlx::query(
        "DELETE FROM manifest_children WHERE child_manifest_id = \
         (SELECT id FROM manifests WHERE repository_id = $1 AND digest = $2)",
    )
    .bind(repository_id)
    .bind(digest)
    .execute(conn)
    .await?;
    Ok(())
}

/// Any manifest of the repository with this digest, reachable or not.
pub async fn find_manifest(
    conn: &mut DbConn,
    repository_id: i64,
    digest: &str,
) -> Result<Option<ManifestRow>> {
    let sql = format!(
        "SELECT {MANIFEST_COLUMNS} FROM manifests m WHERE m.repository_id = $1 AND m.digest = $2"
    );
    Ok(sqlx::query_as::<_, ManifestRow>(&sql)
        .bind(repository_id)
        .bind(digest)
        .fetch_optional(conn)
        .await?)
}

/// The manifest `digest` if an alive tag (hidden ones count) holds it or a manifest list
/// holding it as a child.
pub async fn find_reachable_manifest(
    conn: &mut DbConn,
    repository_id: i64,
    digest: &str,
    now_ms: i64,
) -> Result<Option<ManifestRow>> {
    let sql = format!(
        "SELECT {MANIFEST_COLUMNS} FROM manifests m WHERE m.repository_id = $1 AND m.digest = $2 \
         AND {REACHABLE}"
    );
    Ok(sqlx::query_as::<_, ManifestRow>(&sql)
        .bind(repository_id)
        .bind(digest)
        .bind(now_ms)
        .fetch_optional(conn)
        .await?)
}

// ---- tags ----------------------------------------------------------------------------------

/// The manifest of the alive, visible tag `name`.
pub async fn find_tagged_manifest(
    conn: &mut DbConn,
    repository_id: i64,
    name: &str,
    now_ms: i64,
) -> Result<Option<ManifestRow>> {
    let sql = format!(
        "SELECT {MANIFEST_COLUMNS} FROM tags t JOIN manifests m ON m.id = t.manifest_id \
         WHERE t.repository_id = $1 AND t.name = $2 AND t.hidden = 0 \
         AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > $3)"
    );
    Ok(sqlx::query_as::<_, ManifestRow>(&sql)
        .bind(repository_id)
        .bind(name)
        .bind(now_ms)
        .fetch_optional(conn)
        .await?)
}

/// What a push or a move needs of a tag's alive, visible row: its manifest and whether it is
/// immutable.
#[derive(Debug, Clone, FromRow)]
pub struct AliveTag {
    pub manifest_id: i64,
    pub immutable: i64,
}

/// Sets when the alive, visible tag `name` ends (None: never).
pub async fn set_alive_tag_end(
    conn: &mut DbConn,
    repository_id: i64,
    name: &str,
    now_ms: i64,
    lifetime_end_ms: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE tags SET lifetime_end_ms = $1 WHERE repository_id = $2 AND name = $3 \
         AND hidden = 0 AND (lifetime_end_ms IS NULL OR lifetime_end_ms > $4)",
    )
    .bind(lifetime_end_ms)
    .bind(repository_id)
    .bind(name)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_alive_tag(
    conn: &mut DbConn,
    repository_id: i64,
    name: &str,
    now_ms: i64,
) -> Result<Option<AliveTag>> {
    Ok(sqlx::query_as::<_, AliveTag>(
        "SELECT manifest_id, immutable FROM tags WHERE repository_id = $1 AND name = $2 \
         AND hidden = 0 AND (lifetime_end_ms IS NULL OR lifetime_end_ms > $3)",
    )
    .bind(repository_id)
    .bind(name)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?)
}

/// True when a row of tag `name` has ended and is still kept (the time machine).
pub async fn has_ended_tag(
    conn: &mut DbConn,
    repository_id: i64,
    name: &str,
    now_ms: i64,
) -> Result<bool> {
    let found = sqlx::query_scalar::<_, i64>(
        "SELECT id FROM tags WHERE repository_id = $1 AND name = $2 AND hidden = 0 \
         AND lifetime_end_ms IS NOT NULL AND lifetime_end_ms <= $3 LIMIT 1",
    )
    .bind(repository_id)
    .bind(name)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// The alive, visible, mutable tag of the namespace whose end comes soonest (tags without an
/// end are never among them): its repository and name.
pub async fn soonest_expiring_tag(
    conn: &mut DbConn,
    namespace_id: i64,
    now_ms: i64,
) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT t.repository_id, t.name FROM tags t \
         JOIN repositories r ON r.id = t.repository_id \
         WHERE r.namespace_id = $1 AND t.hidden = 0 AND t.immutable = 0 \
         AND t.lifetime_end_ms > $2 ORDER BY t.lifetime_end_ms LIMIT 1",
    )
    .bind(namespace_id)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?)
}

/// Ends the alive tag `name` so long ago that its namespace's time machine no longer keeps
/// it: the next collection removes it.
pub async fn end_tag_past_time_machine(
    conn: &mut DbConn,
    repository_id: i64,
    name: &str,
    now_ms: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE tags SET lifetime_end_ms = $3 - 1000 - 1000 * (SELECT a.tag_expiration_s \
           FROM repositories r JOIN accounts a ON a.id = r.namespace_id WHERE r.id = $1) \
         WHERE repository_id = $1 AND name = $2 AND hidden = 0 \
         AND (lifetime_end_ms IS NULL OR lifetime_end_ms > $3)",
    )
    .bind(repository_id)
    .bind(name)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves the end of the repository's tags on manifest `digest` that are alive and due to
/// end (hidden ones included) to `end_ms`; tags without an end keep none.
pub async fn extend_manifest_tags(
    conn: &mut DbConn,
    repository_id: i64,
    digest: &str,
    now_ms: i64,
    end_ms: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE tags SET lifetime_end_ms = $4 WHERE repository_id = $1 AND lifetime_end_ms > $3 \
         AND manifest_id IN (SELECT id FROM manifests WHERE repository_id = $1 AND digest = $2)",
    )
    .bind(repository_id)
    .bind(digest)
    .bind(now_ms)
    .bind(end_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The names of the repository's alive, visible tags.
pub async fn list_alive_tag_names(
    conn: &mut DbConn,
    repository_id: i64,
    now_ms: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT name FROM tags WHERE repository_id = $1 AND hidden = 0 \
         AND (lifetime_end_ms IS NULL OR lifetime_end_ms > $2)",
    )
    .bind(repository_id)
    .bind(now_ms)
    .fetch_all(conn)
    .await?)
}

/// Ends the alive row of tag `name`, if any, at `now_ms`.
pub async fn end_alive_tag(
    conn: &mut DbConn,
    repository_id: i64,
    name: &str,
    now_ms: i64,
) -> Result<()> {
    set_alive_tag_end(conn, repository_id, name, now_ms, Some(now_ms)).await
}

/// Ends the alive hidden tags (the temporary tags of pushes by digest, the holds of
/// referrers) on manifest `digest`.
pub async fn end_hidden_tags_of_manifest(
    conn: &mut DbConn,
    repository_id: i64,
    digest: &str,
    now_ms: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE tags SET lifetime_end_ms = $3 WHERE repository_id = $1 AND hidden = 1 \
         AND (lifetime_end_ms IS NULL OR lifetime_end_ms > $3) AND manifest_id = \
         (SELECT id FROM manifests WHERE repository_id = $1 AND digest = $2)",
    )
    .bind(repository_id)
    .bind(digest)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub struct NewTag<'a> {
    pub repository_id: i64,
    pub name: &'a str,
    pub manifest_id: i64,
    pub hidden: bool,
    pub immutable: bool,
    pub lifetime_start_ms: i64,
    pub lifetime_end_ms: Option<i64>,
}

pub async fn insert_tag(conn: &mut DbConn, new: &NewTag<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO tags (repository_id, name, manifest_id, hidden, immutable, lifetime_start_ms, \
         lifetime_end_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new.repository_id)
    .bind(new.name)
    .bind(new.manifest_id)
    .bind(i64::from(new.hidden))
    .bind(i64::from(new.immutable))
    .bind(new.lifetime_start_ms)
    .bind(new.lifetime_end_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Names of alive, visible tags after `after`, in byte order, at most `limit`.
pub async fn list_tag_names_page(
    conn: &mut DbConn,
    backend: Backend,
    repository_id: i64,
    after: &str,
    limit: i64,
    now_ms: i64,
) -> Result<Vec<String>> {
    // Byte order on both engines, so pages and `last` agree whatever PostgreSQL's collation.
    let collate = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " COLLATE \"C\"",
    };
    let sql = format!(
        "SELECT name FROM tags WHERE repository_id = $1 AND hidden = 0 \
         AND (lifetime_end_ms IS NULL OR lifetime_end_ms > $2) AND name{collate} > $3 \
         ORDER BY name{collate} LIMIT $4"
    );
    Ok(sqlx::query_scalar::<_, String>(&sql)
        .bind(repository_id)
        .bind(now_ms)
        .bind(after)
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct ReferrerRow {
    pub digest: String,
    pub media_type: String,
    pub artifact_type: Option<String>,
    pub size: i64,
    pub content: String,
}

/// The reachable manifests of the repository whose `subject` is `subject_digest`, by digest
/// (a referrer deleted by digest is no longer held by a tag).
pub async fn list_referrers(
    conn: &mut DbConn,
    repository_id: i64,
    subject_digest: &str,
    now_ms: i64,
) -> Result<Vec<ReferrerRow>> {
    let sql = format!(
        "SELECT m.digest, m.media_type, m.artifact_type, m.size, m.content FROM manifests m \
         WHERE m.repository_id = $1 AND m.subject_digest = $2 AND {REACHABLE} ORDER BY m.digest"
    );
    Ok(sqlx::query_as::<_, ReferrerRow>(&sql)
        .bind(repository_id)
        .bind(subject_digest)
        .bind(now_ms)
        .fetch_all(conn)
        .await?)
}

/// Names of the alive, visible tags on manifest `digest`.
pub async fn list_tags_of_manifest(
    conn: &mut DbConn,
    repository_id: i64,
    digest: &str,
    now_ms: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT t.name FROM tags t JOIN manifests m ON m.id = t.manifest_id \
         WHERE t.repository_id = $1 AND m.digest = $2 AND t.hidden = 0 \
         AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > $3) ORDER BY t.name",
    )
    .bind(repository_id)
    .bind(digest)
    .bind(now_ms)
    .fetch_all(conn)
    .await?)
}

/// Holds the repository's row lock until the transaction ends. SQLite needs none: its single
/// writer connection already serializes write transactions.
pub async fn lock_repository(
    conn: &mut DbConn,
    backend: Backend,
    repository_id: i64,
) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT id FROM repositories WHERE id = $1 FOR UPDATE")
            .bind(repository_id)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}

// ---- garbage collection (core-api.md §6.5) ---------------------------------------------------

/// Deletes the tag rows nothing can restore any more: hidden ones once ended, visible ones
/// once their namespace's time-machine window (`tag_expiration_s`) has passed. Returns how
/// many went.
pub async fn delete_expired_tags(conn: &mut DbConn, now_ms: i64) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM tags WHERE lifetime_end_ms IS NOT NULL AND lifetime_end_ms <= $1 AND ( \
           hidden = 1 OR lifetime_end_ms + 1000 * (SELECT a.tag_expiration_s FROM repositories r \
             JOIN accounts a ON a.id = r.namespace_id WHERE r.id = tags.repository_id) <= $1)",
    )
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes upload and mount links that have expired.
pub async fn delete_expired_uploaded_blobs(conn: &mut DbConn, now_ms: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM uploaded_blobs WHERE expires_ms <= $1")
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// SQL condition: manifest `m` is garbage: no tag row of any state holds it, no manifest list
/// has it as a child and no manifest of its repository names it as `subject`.
const UNREFERENCED_MANIFEST: &str = "NOT EXISTS (SELECT 1 FROM tags t WHERE t.manifest_id = m.id) \
     AND NOT EXISTS (SELECT 1 FROM manifest_children c WHERE c.child_manifest_id = m.id) \
     AND NOT EXISTS (SELECT 1 FROM manifests r WHERE r.repository_id = m.repository_id \
                     AND r.subject_digest = m.digest)";

/// Repositories that hold garbage manifests.
pub async fn list_repositories_with_garbage_manifests(conn: &mut DbConn) -> Result<Vec<i64>> {
    let sql =
        format!("SELECT DISTINCT m.repository_id FROM manifests m WHERE {UNREFERENCED_MANIFEST}");
    Ok(sqlx::query_scalar::<_, i64>(&sql).fetch_all(conn).await?)
}

/// Deletes the repository's garbage manifests with their blob and child links, taking their
/// blobs out of the repository's and namespace's sizes; returns how many went. Children of a
/// deleted list become garbage for the next call. The caller holds the repository's lock.
pub async fn delete_garbage_manifests(
    conn: &mut DbConn,
    backend: Backend,
    repository_id: i64,
) -> Result<u64> {
    let sql = format!(
        "SELECT m.id FROM manifests m WHERE m.repository_id = $1 AND {UNREFERENCED_MANIFEST}"
    );
    let ids = sqlx::query_scalar::<_, i64>(&sql)
        .bind(repository_id)
        .fetch_all(&mut *conn)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let namespace_id =
        sqlx::query_scalar::<_, i64>("SELECT namespace_id FROM repositories WHERE id = $1")
            .bind(repository_id)
            .fetch_one(&mut *conn)
            .await?;
    super::quotas::lock_namespace_size(&mut *conn, backend, namespace_id).await?;
    for id in &ids {
        super::quotas::uncount_manifest(&mut *conn, namespace_id, repository_id, *id).await?;
        for sql in [
            "DELETE FROM manifest_blobs WHERE manifest_id = $1",
            "DELETE FROM manifest_children WHERE manifest_id = $1",
            "DELETE FROM manifests WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *conn).await?;
        }
    }
    Ok(ids.len() as u64)
}

/// SQL condition: blob `b` is used by no manifest and linked to no repository.
const UNREFERENCED_BLOB: &str =
    "NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_id = b.id) \
     AND NOT EXISTS (SELECT 1 FROM uploaded_blobs u WHERE u.blob_id = b.id)";

/// Digests of up to `limit` blobs nothing references.
pub async fn list_garbage_blobs(conn: &mut DbConn, limit: i64) -> Result<Vec<String>> {
    let sql = format!("SELECT b.digest FROM blobs b WHERE {UNREFERENCED_BLOB} LIMIT $1");
    Ok(sqlx::query_scalar::<_, String>(&sql)
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// Deletes the blob row of `digest` if nothing references it (checked again here, under the
/// digest's lock); false when it is in use again.
pub async fn delete_garbage_blob(conn: &mut DbConn, digest: &str) -> Result<bool> {
    let sql = format!("DELETE FROM blobs WHERE digest = $1 AND id IN (SELECT b.id FROM blobs b WHERE {UNREFERENCED_BLOB}) RETURNING size");
    let size = sqlx::query_scalar::<_, i64>(&sql)
        .bind(digest)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(size) = size {
        super::registry_size::add_stored_bytes(conn, -size).await?;
    }
    Ok(size.is_some())
}

/// Those of `digests` that have a blob row.
pub async fn recorded_digests(
    conn: &mut DbConn,
    digests: &[String],
) -> Result<std::collections::HashSet<String>> {
    if digests.is_empty() {
        return Ok(Default::default());
    }
    let placeholders: Vec<String> = (1..=digests.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT digest FROM blobs WHERE digest IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_scalar::<_, String>(&sql);
    for digest in digests {
        query = query.bind(digest);
    }
    Ok(query.fetch_all(conn).await?.into_iter().collect())
}

/// Deletes the upload sessions untouched since `before_ms`; returns their uuids.
pub async fn delete_stale_uploads(conn: &mut DbConn, before_ms: i64) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar::<_, String>("DELETE FROM uploads WHERE updated_ms < $1 RETURNING uuid")
            .bind(before_ms)
            .fetch_all(conn)
            .await?,
    )
}

/// True when upload session `uuid` exists and took a chunk (or started) at `since_ms` or later.
pub async fn upload_touched_since(conn: &mut DbConn, uuid: &str, since_ms: i64) -> Result<bool> {
    let found = sqlx::query_scalar::<_, String>(
        "SELECT uuid FROM uploads WHERE uuid = $1 AND updated_ms >= $2",
    )
    .bind(uuid)
    .bind(since_ms)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// True when upload session `uuid` exists.
pub async fn upload_exists(conn: &mut DbConn, uuid: &str) -> Result<bool> {
    let found = sqlx::query_scalar::<_, String>("SELECT uuid FROM uploads WHERE uuid = $1")
        .bind(uuid)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}
