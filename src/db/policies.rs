//! SQL for tag policies: immutability and auto-prune policies of namespaces and repositories,
//! the tags they act on, and tags' `immutable` flag.

use sqlx::FromRow;

use super::{DbConn, Result};

/// Where a policy applies: a whole namespace (`repository_id` None) or one repository.
#[derive(Debug, Clone, Copy)]
pub struct PolicyScope {
    pub namespace_id: i64,
    pub repository_id: Option<i64>,
}

/// `repository_id IS NULL` or `= $2`, for the scope bound as `$1, $2`.
const IN_SCOPE: &str = "namespace_id = $1 AND repository_id IS NOT DISTINCT FROM $2";

#[derive(Debug, Clone, FromRow)]
pub struct ImmutabilityPolicyRow {
    pub uuid: String,
    pub repository_id: Option<i64>,
    pub tag_pattern: String,
    pub tag_pattern_matches: i64,
}

pub async fn list_immutability_policies(
    conn: &mut DbConn,
    scope: PolicyScope,
) -> Result<Vec<ImmutabilityPolicyRow>> {
    let sql = format!(
        "SELECT uuid, repository_id, tag_pattern, tag_pattern_matches FROM immutability_policies \
         WHERE {IN_SCOPE} ORDER BY created_ms, uuid"
    );
    Ok(sqlx::query_as::<_, ImmutabilityPolicyRow>(&sql)
        .bind(scope.namespace_id)
        .bind(scope.repository_id)
        .fetch_all(conn)
        .await?)
}

/// The policies a new tag of the repository answers to: its own, then its namespace's.
pub async fn list_immutability_policies_for_tag(
    conn: &mut DbConn,
    namespace_id: i64,
    repository_id: i64,
) -> Result<Vec<ImmutabilityPolicyRow>> {
    Ok(sqlx::query_as::<_, ImmutabilityPolicyRow>(
        "SELECT uuid, repository_id, tag_pattern, tag_pattern_matches FROM immutability_policies \
         WHERE namespace_id = $1 AND (repository_id IS NULL OR repository_id = $2) \
         ORDER BY repository_id IS NULL, created_ms",
    )
    .bind(namespace_id)
    .bind(repository_id)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_immutability_policy(
    conn: &mut DbConn,
    uuid: &str,
    scope: PolicyScope,
    tag_pattern: &str,
    tag_pattern_matches: bool,
    now_ms: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO immutability_policies (uuid, namespace_id, repository_id, tag_pattern, \
         tag_pattern_matches, created_ms) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid)
    .bind(scope.namespace_id)
    .bind(scope.repository_id)
    .bind(tag_pattern)
    .bind(i64::from(tag_pattern_matches))
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes the policy `uuid` of the scope; false when there is none.
pub async fn update_immutability_policy(
    conn: &mut DbConn,
    uuid: &str,
    scope: PolicyScope,
    tag_pattern: &str,
    tag_pattern_matches: bool,
) -> Result<bool> {
    let sql = format!(
        "UPDATE immutability_policies SET tag_pattern = $4, tag_pattern_matches = $5 \
         WHERE {IN_SCOPE} AND uuid = $3"
    );
    let done = sqlx::query(&sql)
        .bind(scope.namespace_id)
        .bind(scope.repository_id)
        .bind(uuid)
        .bind(tag_pattern)
        .bind(i64::from(tag_pattern_matches))
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes the policy `uuid` of the scope from `table`; false when there is none.
pub async fn delete_policy(
    conn: &mut DbConn,
    table: PolicyTable,
    uuid: &str,
    scope: PolicyScope,
) -> Result<bool> {
    let sql = format!(
        "DELETE FROM {} WHERE {IN_SCOPE} AND uuid = $3",
        table.name()
    );
    let done = sqlx::query(&sql)
        .bind(scope.namespace_id)
        .bind(scope.repository_id)
        .bind(uuid)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The two policy tables.
#[derive(Debug, Clone, Copy)]
pub enum PolicyTable {
    Immutability,
    AutoPrune,
}

impl PolicyTable {
    fn name(self) -> &'static str {
        match self {
            PolicyTable::Immutability => "immutability_policies",
            PolicyTable::AutoPrune => "autoprune_policies",
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct AliveTagRow {
    pub id: i64,
    pub repository_id: i64,
    pub name: String,
    pub immutable: i64,
    pub lifetime_start_ms: i64,
    pub lifetime_end_ms: Option<i64>,
}

/// Alive, visible tags of the scope (every repository of the namespace, or one) with ids
/// above `after_id`, by id, at most `limit`.
pub async fn list_alive_tags_in_scope(
    conn: &mut DbConn,
    scope: PolicyScope,
    now_ms: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<AliveTagRow>> {
    Ok(sqlx::query_as::<_, AliveTagRow>(
        "SELECT t.id, t.repository_id, t.name, t.immutable, t.lifetime_start_ms, t.lifetime_end_ms \
         FROM tags t JOIN repositories r ON r.id = t.repository_id \
         WHERE r.namespace_id = $1 AND ($2 IS NULL OR t.repository_id = $2) AND t.hidden = 0 \
         AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > $3) AND t.id > $4 \
         ORDER BY t.id LIMIT $5",
    )
    .bind(scope.namespace_id)
    .bind(scope.repository_id)
    .bind(now_ms)
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Alive, visible tags of one repository, newest first.
pub async fn list_alive_tags_of_repository(
    conn: &mut DbConn,
    repository_id: i64,
    now_ms: i64,
) -> Result<Vec<AliveTagRow>> {
    Ok(sqlx::query_as::<_, AliveTagRow>(
        "SELECT id, repository_id, name, immutable, lifetime_start_ms, lifetime_end_ms FROM tags \
         WHERE repository_id = $1 AND hidden = 0 \
         AND (lifetime_end_ms IS NULL OR lifetime_end_ms > $2) \
         ORDER BY lifetime_start_ms DESC, id DESC",
    )
    .bind(repository_id)
    .bind(now_ms)
    .fetch_all(conn)
    .await?)
}

/// Sets the tag row's `immutable` flag; with `clear_expiry`, a future end goes too.
pub async fn set_tag_immutable(
    conn: &mut DbConn,
    tag_id: i64,
    immutable: bool,
    clear_expiry: bool,
) -> Result<()> {
    let expiry = if clear_expiry {
        ", lifetime_end_ms = NULL"
    } else {
        ""
    };
    sqlx::query(&format!(
        "UPDATE tags SET immutable = $2{expiry} WHERE id = $1"
    ))
    .bind(tag_id)
    .bind(i64::from(immutable))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AutoPrunePolicyRow {
    pub uuid: String,
    pub repository_id: Option<i64>,
    pub method: String,
    /// JSON: an integer for `number_of_tags`, a string for `creation_date`.
    pub value: String,
    pub tag_pattern: Option<String>,
    pub tag_pattern_matches: i64,
}

const AUTOPRUNE_COLUMNS: &str =
    "uuid, repository_id, method, value, tag_pattern, tag_pattern_matches";

pub async fn list_autoprune_policies(
    conn: &mut DbConn,
    scope: PolicyScope,
) -> Result<Vec<AutoPrunePolicyRow>> {
    let sql = format!(
        "SELECT {AUTOPRUNE_COLUMNS} FROM autoprune_policies WHERE {IN_SCOPE} \
         ORDER BY created_ms, uuid"
    );
    Ok(sqlx::query_as::<_, AutoPrunePolicyRow>(&sql)
        .bind(scope.namespace_id)
        .bind(scope.repository_id)
        .fetch_all(conn)
        .await?)
}

/// Every policy of a namespace, its repositories' included.
pub async fn list_namespace_autoprune_policies(
    conn: &mut DbConn,
    namespace_id: i64,
) -> Result<Vec<AutoPrunePolicyRow>> {
    let sql = format!(
        "SELECT {AUTOPRUNE_COLUMNS} FROM autoprune_policies WHERE namespace_id = $1 \
         ORDER BY repository_id IS NOT NULL, created_ms, uuid"
    );
    Ok(sqlx::query_as::<_, AutoPrunePolicyRow>(&sql)
        .bind(namespace_id)
        .fetch_all(conn)
        .await?)
}

/// Namespaces with auto-prune policies after `after_id`, by id, at most `limit`.
pub async fn list_namespaces_with_autoprune(
    conn: &mut DbConn,
    after_id: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT DISTINCT p.namespace_id FROM autoprune_policies p \
         JOIN accounts a ON a.id = p.namespace_id \
         WHERE p.namespace_id > $1 AND a.enabled = 1 ORDER BY p.namespace_id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

pub struct NewAutoPrunePolicy<'a> {
    pub method: &'a str,
    pub value: &'a str,
    pub tag_pattern: Option<&'a str>,
    pub tag_pattern_matches: bool,
}

pub async fn insert_autoprune_policy(
    conn: &mut DbConn,
    uuid: &str,
    scope: PolicyScope,
    policy: &NewAutoPrunePolicy<'_>,
    now_ms: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO autoprune_policies (uuid, namespace_id, repository_id, method, value, \
         tag_pattern, tag_pattern_matches, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid)
    .bind(scope.namespace_id)
    .bind(scope.repository_id)
    .bind(policy.method)
    .bind(policy.value)
    .bind(policy.tag_pattern)
    .bind(i64::from(policy.tag_pattern_matches))
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes the policy `uuid` of the scope; false when there is none.
pub async fn update_autoprune_policy(
    conn: &mut DbConn,
    uuid: &str,
    scope: PolicyScope,
    policy: &NewAutoPrunePolicy<'_>,
) -> Result<bool> {
    let sql = format!(
        "UPDATE autoprune_policies SET method = $4, value = $5, tag_pattern = $6, \
         tag_pattern_matches = $7 WHERE {IN_SCOPE} AND uuid = $3"
    );
    let done = sqlx::query(&sql)
        .bind(scope.namespace_id)
        .bind(scope.repository_id)
        .bind(uuid)
        .bind(policy.method)
        .bind(policy.value)
        .bind(policy.tag_pattern)
        .bind(i64::from(policy.tag_pattern_matches))
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The namespace's repositories in state `state` after id `after_id`, by id, at most `limit`.
pub async fn list_repositories_in_state(
    conn: &mut DbConn,
    namespace_id: i64,
    state: &str,
    after_id: i64,
    limit: i64,
) -> Result<Vec<super::registry::RepositoryRow>> {
    Ok(sqlx::query_as::<_, super::registry::RepositoryRow>(
        "SELECT id, namespace_id, name, public, kind, state FROM repositories \
         WHERE namespace_id = $1 AND state = $2 AND id > $3 ORDER BY id LIMIT $4",
    )
    .bind(namespace_id)
    .bind(state)
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
