//! SQL for OAuth applications and, as their owners' admins manage them, the access tokens
//! issued through them. Deleting an application takes its tokens, authorization codes and
//! token assignments with it (`ON DELETE CASCADE`).

use sqlx::FromRow;

use super::{Backend, DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct ApplicationRow {
    pub id: i64,
    pub client_id: String,
    /// As stored: encrypted, or the plain secret in rows written before secrets were.
    pub client_secret: String,
    pub owner_id: i64,
    pub name: String,
    pub description: String,
    pub application_uri: String,
    pub redirect_uri: String,
    pub avatar_email: Option<String>,
}

const APPLICATION_COLUMNS: &str = "id, client_id, client_secret, owner_id, name, description, \
    application_uri, redirect_uri, avatar_email";

/// What an application's admins set: everything but its credentials and owner.
pub struct ApplicationDetails<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub application_uri: &'a str,
    pub redirect_uri: &'a str,
    pub avatar_email: Option<&'a str>,
}

pub async fn insert_application(
    conn: &mut DbConn,
    owner_id: i64,
    client_id: &str,
    client_secret: &str,
    details: &ApplicationDetails<'_>,
) -> Result<ApplicationRow> {
    let sql = format!(
        "INSERT INTO oauth_applications (owner_id, client_id, client_secret, name, description, \
         application_uri, redirect_uri, avatar_email) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         RETURNING {APPLICATION_COLUMNS}"
    );
    Ok(sqlx::query_as::<_, ApplicationRow>(&sql)
        .bind(owner_id)
        .bind(client_id)
        .bind(client_secret)
        .bind(details.name)
        .bind(details.description)
        .bind(details.application_uri)
        .bind(details.redirect_uri)
        .bind(details.avatar_email)
        .fetch_one(conn)
        .await?)
}

/// The application `client_id` of the namespace `owner_id`.
pub async fn find_application(
    conn: &mut DbConn,
    owner_id: i64,
    client_id: &str,
) -> Result<Option<ApplicationRow>> {
    let sql = format!(
        "SELECT {APPLICATION_COLUMNS} FROM oauth_applications WHERE owner_id = $1 AND client_id = $2"
    );
    Ok(sqlx::query_as::<_, ApplicationRow>(&sql)
        .bind(owner_id)
        .bind(client_id)
        .fetch_optional(conn)
        .await?)
}

pub async fn find_application_by_client_id(
    conn: &mut DbConn,
    client_id: &str,
) -> Result<Option<ApplicationRow>> {
    let sql = format!("SELECT {APPLICATION_COLUMNS} FROM oauth_applications WHERE client_id = $1");
    Ok(sqlx::query_as::<_, ApplicationRow>(&sql)
        .bind(client_id)
        .fetch_optional(conn)
        .await?)
}

/// The applications of the namespace `owner_id`, oldest first.
pub async fn list_applications(conn: &mut DbConn, owner_id: i64) -> Result<Vec<ApplicationRow>> {
    let sql = format!(
        "SELECT {APPLICATION_COLUMNS} FROM oauth_applications WHERE owner_id = $1 ORDER BY id"
    );
    Ok(sqlx::query_as::<_, ApplicationRow>(&sql)
        .bind(owner_id)
        .fetch_all(conn)
        .await?)
}

/// The application after the change; None when it is gone.
pub async fn update_application(
    conn: &mut DbConn,
    id: i64,
    details: &ApplicationDetails<'_>,
) -> Result<Option<ApplicationRow>> {
    let sql = format!(
        "UPDATE oauth_applications SET name = $1, description = $2, application_uri = $3, \
         redirect_uri = $4, avatar_email = $5 WHERE id = $6 RETURNING {APPLICATION_COLUMNS}"
    );
    Ok(sqlx::query_as::<_, ApplicationRow>(&sql)
        .bind(details.name)
        .bind(details.description)
        .bind(details.application_uri)
        .bind(details.redirect_uri)
        .bind(details.avatar_email)
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// The application with its new secret; None when it is gone.
pub async fn update_client_secret(
    conn: &mut DbConn,
    id: i64,
    client_secret: &str,
) -> Result<Option<ApplicationRow>> {
    let sql = format!(
        "UPDATE oauth_applications SET client_secret = $1 WHERE id = $2 \
         RETURNING {APPLICATION_COLUMNS}"
    );
    Ok(sqlx::query_as::<_, ApplicationRow>(&sql)
        .bind(client_secret)
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// Deletes an application with its tokens, authorization codes and token assignments; false
/// when it was already gone.
pub async fn delete_application(conn: &mut DbConn, id: i64) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM oauth_applications WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

/// An application's token as its organization's admins see it.
#[derive(Debug, Clone, FromRow)]
pub struct ApplicationTokenRow {
    pub id: i64,
    pub uuid: String,
    pub display_name: Option<String>,
    pub scope: String,
    pub expires_ms: i64,
    pub created_ms: i64,
    pub last_accessed_ms: Option<i64>,
    pub created_by: Option<String>,
}

/// One page of an application's unexpired tokens, newest first, from id `before_id` down;
/// `limit + 1` rows so the caller knows whether another page exists.
pub async fn list_application_tokens_page(
    conn: &mut DbConn,
    application_id: i64,
    now_ms: i64,
    before_id: i64,
    limit: i64,
) -> Result<Vec<ApplicationTokenRow>> {
    Ok(sqlx::query_as::<_, ApplicationTokenRow>(
        "SELECT t.id, t.uuid, t.display_name, t.scope, t.expires_ms, t.created_ms, \
         t.last_accessed_ms, u.username AS created_by FROM oauth_access_tokens t \
         LEFT JOIN accounts u ON u.id = t.authorized_user_id \
         WHERE t.application_id = $1 AND t.expires_ms > $2 AND t.id <= $3 \
         ORDER BY t.id DESC LIMIT $4",
    )
    .bind(application_id)
    .bind(now_ms)
    .bind(before_id)
    .bind(limit + 1)
    .fetch_all(conn)
    .await?)
}

/// Holds the application's row lock until the transaction ends, so that concurrent token
/// requests through it count each other. SQLite needs none: its single writer connection
/// already serializes write transactions.
pub async fn lock_application(conn: &mut DbConn, backend: Backend, id: i64) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT id FROM oauth_applications WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}

/// How many of the application's tokens, whoever holds them, have not expired at `now_ms`.
pub async fn count_unexpired_tokens(
    conn: &mut DbConn,
    application_id: i64,
    now_ms: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM oauth_access_tokens WHERE application_id = $1 AND expires_ms > $2",
    )
    .bind(application_id)
    .bind(now_ms)
    .fetch_one(conn)
    .await?)
}

/// Deletes the application's token `uuid`; false when it has none such.
pub async fn delete_application_token(
    conn: &mut DbConn,
    application_id: i64,
    uuid: &str,
) -> Result<bool> {
    Ok(
        sqlx::query("DELETE FROM oauth_access_tokens WHERE application_id = $1 AND uuid = $2")
            .bind(application_id)
            .bind(uuid)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}
