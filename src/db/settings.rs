//! Instance-wide generated values shared by every node (secrets made when the config has none).

use super::{DbConn, Result};

/// Returns the stored value of `name`, storing `candidate` first if there is none yet; every
/// node racing here ends up with the same value.
pub async fn get_or_insert_setting(
    conn: &mut DbConn,
    name: &str,
    candidate: &str,
) -> Result<String> {
    sqlx::query(
        "INSERT INTO instance_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(candidate)
    .execute(&mut *conn)
    .await?;
    Ok(
        sqlx::query_scalar::<_, String>("SELECT value FROM instance_settings WHERE name = $1")
            .bind(name)
            .fetch_one(conn)
            .await?,
    )
}
