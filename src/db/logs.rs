//! SQL for usage logs.

use super::{DbConn, Result};

pub struct NewLogEntry<'a> {
    pub kind: &'a str,
    pub account_id: Option<i64>,
    pub performer_id: Option<i64>,
    pub repository_id: Option<i64>,
    pub ip: Option<&'a str>,
    pub metadata: &'a str,
    pub datetime_ms: i64,
}

pub async fn insert_log_entry(conn: &mut DbConn, entry: &NewLogEntry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO log_entries (kind, account_id, performer_id, repository_id, ip, metadata, \
         datetime_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.kind)
    .bind(entry.account_id)
    .bind(entry.performer_id)
    .bind(entry.repository_id)
    .bind(entry.ip)
    .bind(entry.metadata)
    .bind(entry.datetime_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// An entry written after its action (`logs::deferred`): the accounts and repository it
/// names may be gone by then, and its performer is known by name.
#[derive(Debug, Clone)]
pub struct DeferredLogEntry {
    pub kind: &'static str,
    pub account_id: Option<i64>,
    pub performer_name: Option<String>,
    pub repository_id: Option<i64>,
    pub ip: Option<String>,
    pub metadata: String,
    pub datetime_ms: i64,
}

/// Inserts `entries` in one statement. References are resolved in it, so an account or
/// repository deleted since the action leaves NULL, as `ON DELETE SET NULL` would have.
pub async fn insert_deferred_log_entries(
    conn: &mut DbConn,
    entries: &[DeferredLogEntry],
) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..entries.len())
        .map(|i| {
            let p = |k: usize| format!("${}", i * 7 + k);
            format!(
                "({}, (SELECT id FROM accounts WHERE id = {}), \
                 (SELECT id FROM accounts WHERE username = {}), \
                 (SELECT id FROM repositories WHERE id = {}), {}, {}, {})",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6),
                p(7)
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO log_entries (kind, account_id, performer_id, repository_id, ip, metadata, \
         datetime_ms) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for entry in entries {
        query = query
            .bind(entry.kind)
            .bind(entry.account_id)
            .bind(entry.performer_name.as_deref())
            .bind(entry.repository_id)
            .bind(entry.ip.as_deref())
            .bind(entry.metadata.as_str())
            .bind(entry.datetime_ms);
    }
    query.execute(conn).await?;
    Ok(())
}

/// A log entry with its performer and namespace accounts joined in (one query per page).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LogEntryRow {
    pub id: i64,
    pub kind: String,
    pub metadata: String,
    pub ip: Option<String>,
    pub datetime_ms: i64,
    pub performer_name: Option<String>,
    pub performer_email: Option<String>,
    pub performer_robot: Option<i64>,
    pub namespace_name: Option<String>,
    pub namespace_email: Option<String>,
    pub namespace_organization: Option<i64>,
    pub namespace_robot: Option<i64>,
}

/// Which entries a reader sees.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogSelection<'a> {
    pub account_id: Option<i64>,
    pub repository_id: Option<i64>,
    pub performer_id: Option<i64>,
    pub excluded_kinds: &'a [&'a str],
}

/// `WHERE` conditions after the time window ($1, $2), numbered from $3, with their values.
fn selection_sql(selection: &LogSelection<'_>) -> (String, Vec<i64>) {
    let mut sql = String::new();
    let mut values = Vec::new();
    for (column, value) in [
        ("l.account_id", selection.account_id),
        ("l.repository_id", selection.repository_id),
        ("l.performer_id", selection.performer_id),
    ] {
        if let Some(value) = value {
            values.push(value);
            sql.push_str(&format!(" AND {column} = ${}", values.len() + 2));
        }
    }
    if !selection.excluded_kinds.is_empty() {
        // Kind names are compile-time constants, never input.
        let kinds: Vec<String> = selection
            .excluded_kinds
            .iter()
            .map(|k| format!("'{k}'"))
            .collect();
        sql.push_str(&format!(" AND l.kind NOT IN ({})", kinds.join(", ")));
    }
    (sql, values)
}

/// Newest first within `[start_ms, end_ms)`, from the entry `(before_ms, before_id)` on
/// (inclusive), at most `limit` rows.
pub async fn list_log_entries_page(
    conn: &mut DbConn,
    selection: &LogSelection<'_>,
    start_ms: i64,
    end_ms: i64,
    from: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<LogEntryRow>> {
    let (conditions, values) = selection_sql(selection);
    let next = values.len() + 3;
    let keyset = if from.is_some() {
        // Decides among the entries of the cursor's own instant; the instant itself becomes
        // the window's upper bound below, so the planners walk one index range backwards.
        format!(" AND (l.datetime_ms < ${next} OR l.id <= ${})", next + 1)
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT l.id, l.kind, l.metadata, l.ip, l.datetime_ms, \
         p.username AS performer_name, p.email AS performer_email, p.robot AS performer_robot, \
         n.username AS namespace_name, n.email AS namespace_email, \
         n.organization AS namespace_organization, n.robot AS namespace_robot \
         FROM log_entries l \
         LEFT JOIN accounts p ON p.id = l.performer_id \
         LEFT JOIN accounts n ON n.id = l.account_id \
         WHERE l.datetime_ms >= $1 AND l.datetime_ms < $2{conditions}{keyset} \
         ORDER BY l.datetime_ms DESC, l.id DESC LIMIT {limit}"
    );
    // One upper bound only: given two, the planners may walk from the looser one.
    let end_ms = from.map_or(end_ms, |(before_ms, _)| end_ms.min(before_ms + 1));
    let mut query = sqlx::query_as::<_, LogEntryRow>(&sql)
        .bind(start_ms)
        .bind(end_ms);
    for value in values {
        query = query.bind(value);
    }
    if let Some((before_ms, before_id)) = from {
        query = query.bind(before_ms).bind(before_id);
    }
    Ok(query.fetch_all(conn).await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LogCountRow {
    pub kind: String,
    pub day: i64,
    pub count: i64,
}

/// Entries per kind per UTC day within `[start_ms, end_ms)`.
pub async fn aggregate_log_entries(
    conn: &mut DbConn,
    selection: &LogSelection<'_>,
    start_ms: i64,
    end_ms: i64,
) -> Result<Vec<LogCountRow>> {
    let (conditions, values) = selection_sql(selection);
    let sql = format!(
        "SELECT l.kind AS kind, l.datetime_ms / 86400000 AS day, COUNT(*) AS count FROM log_entries l \
         WHERE l.datetime_ms >= $1 AND l.datetime_ms < $2{conditions} \
         GROUP BY l.kind, l.datetime_ms / 86400000 ORDER BY day, kind"
    );
    let mut query = sqlx::query_as::<_, LogCountRow>(&sql)
        .bind(start_ms)
        .bind(end_ms);
    for value in values {
        query = query.bind(value);
    }
    Ok(query.fetch_all(conn).await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LogExportRow {
    pub id: String,
    pub account_id: Option<i64>,
    pub repository_id: Option<i64>,
    pub start_ms: i64,
    pub end_ms: i64,
    pub created_ms: i64,
}

/// How many entries each of `repository_ids` has from `since_ms` on (repositories without
/// any are left out).
pub async fn count_repository_actions(
    conn: &mut DbConn,
    repository_ids: &[i64],
    since_ms: i64,
) -> Result<Vec<(i64, i64)>> {
    if repository_ids.is_empty() {
        return Ok(Vec::new());
    }
    // The ids are integers from our own rows; binding each keeps the text portable.
    let placeholders: Vec<String> = (2..repository_ids.len() + 2)
        .map(|n| format!("${n}"))
        .collect();
    let sql = format!(
        "SELECT repository_id, COUNT(*) FROM log_entries WHERE datetime_ms >= $1 \
         AND repository_id IN ({}) GROUP BY repository_id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (i64, i64)>(&sql).bind(since_ms);
    for id in repository_ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(conn).await?)
}

pub async fn insert_log_export(conn: &mut DbConn, row: &LogExportRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO log_exports (id, account_id, repository_id, start_ms, end_ms, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&row.id)
    .bind(row.account_id)
    .bind(row.repository_id)
    .bind(row.start_ms)
    .bind(row.end_ms)
    .bind(row.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_log_export(conn: &mut DbConn, id: &str) -> Result<Option<LogExportRow>> {
    Ok(sqlx::query_as::<_, LogExportRow>(
        "SELECT id, account_id, repository_id, start_ms, end_ms, created_ms FROM log_exports WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}
