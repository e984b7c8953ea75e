//! SQL for manifest labels.

use sqlx::FromRow;

use super::{DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct LabelRow {
    pub uuid: String,
    pub label_key: String,
    pub label_value: String,
    pub source_type: String,
    pub media_type: String,
}

const COLUMNS: &str = "uuid, label_key, label_value, source_type, media_type";

pub async fn insert_label(conn: &mut DbConn, manifest_id: i64, label: &LabelRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO manifest_labels (uuid, manifest_id, label_key, label_value, source_type, media_type) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&label.uuid)
    .bind(manifest_id)
    .bind(&label.label_key)
    .bind(&label.label_value)
    .bind(&label.source_type)
    .bind(&label.media_type)
    .execute(conn)
    .await?;
    Ok(())
}

/// The labels of a manifest whose key starts with `prefix` (all with an empty prefix).
pub async fn list_labels(
    conn: &mut DbConn,
    manifest_id: i64,
    prefix: &str,
) -> Result<Vec<LabelRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM manifest_labels WHERE manifest_id = $1 AND substr(label_key, 1, length($2)) = $2 \
         ORDER BY id"
    );
    Ok(sqlx::query_as::<_, LabelRow>(&sql)
        .bind(manifest_id)
        .bind(prefix)
        .fetch_all(conn)
        .await?)
}

pub async fn find_label(
    conn: &mut DbConn,
    manifest_id: i64,
    uuid: &str,
) -> Result<Option<LabelRow>> {
    let sql = format!("SELECT {COLUMNS} FROM manifest_labels WHERE manifest_id = $1 AND uuid = $2");
    Ok(sqlx::query_as::<_, LabelRow>(&sql)
        .bind(manifest_id)
        .bind(uuid)
        .fetch_optional(conn)
        .await?)
}

pub async fn delete_label(conn: &mut DbConn, manifest_id: i64, uuid: &str) -> Result<()> {
    sqlx::query("DELETE FROM manifest_labels WHERE manifest_id = $1 AND uuid = $2")
        .bind(manifest_id)
        .bind(uuid)
        .execute(conn)
        .await?;
    Ok(())
}

/// The value of the manifest's first label `key`.
pub async fn find_label_value(
    conn: &mut DbConn,
    manifest_id: i64,
    key: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT label_value FROM manifest_labels WHERE manifest_id = $1 AND label_key = $2 \
         ORDER BY id LIMIT 1",
    )
    .bind(manifest_id)
    .bind(key)
    .fetch_optional(conn)
    .await?)
}
