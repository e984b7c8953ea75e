//! SQL for repositories, blobs, uploads, manifests and tags.

use super::{DbConn, Result};

/// Deletes the repositories of a namespace with everything that hangs off them.
pub async fn delete_repositories_of_namespace(conn: &mut DbConn, namespace_id: i64) -> Result<()> {
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
