//! SQL for the OAuth authorization server: authorization codes, token assignments, and the
//! access tokens as the users who granted them see them.

use sqlx::FromRow;

use super::{DbConn, Result};

/// An application and the namespace owning it, as authorization views show them.
#[derive(Debug, Clone, FromRow)]
pub struct ApplicationSummaryRow {
    pub client_id: String,
    pub application_name: String,
    pub application_description: String,
    pub application_uri: String,
    pub avatar_email: Option<String>,
    pub owner_name: String,
    pub owner_email: String,
}

const SUMMARY_COLUMNS: &str = "a.client_id, a.name AS application_name, \
    a.description AS application_description, a.application_uri, a.avatar_email, \
    o.username AS owner_name, o.email AS owner_email";

#[derive(Debug, Clone, FromRow)]
pub struct AuthorizationCodeRow {
    pub id: i64,
    pub authorized_user_id: i64,
    pub scope: String,
    pub redirect_uri: String,
    pub code_digest: String,
    pub expires_ms: i64,
}

pub struct NewAuthorizationCode<'a> {
    pub application_id: i64,
    pub authorized_user_id: i64,
    pub scope: &'a str,
    pub redirect_uri: &'a str,
    pub code_prefix: &'a str,
    pub code_digest: &'a str,
    pub created_ms: i64,
    pub expires_ms: i64,
}

pub async fn insert_authorization_code(
    conn: &mut DbConn,
    new: &NewAuthorizationCode<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO oauth_authorization_codes (application_id, authorized_user_id, scope, \
         redirect_uri, code_prefix, code_digest, created_ms, expires_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new.application_id)
    .bind(new.authorized_user_id)
    .bind(new.scope)
    .bind(new.redirect_uri)
    .bind(new.code_prefix)
    .bind(new.code_digest)
    .bind(new.created_ms)
    .bind(new.expires_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Codes nobody exchanged in time.
pub async fn delete_expired_authorization_codes(conn: &mut DbConn, now_ms: i64) -> Result<()> {
    sqlx::query("DELETE FROM oauth_authorization_codes WHERE expires_ms <= $1")
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find_authorization_code(
    conn: &mut DbConn,
    application_id: i64,
    code_prefix: &str,
) -> Result<Option<AuthorizationCodeRow>> {
    Ok(sqlx::query_as::<_, AuthorizationCodeRow>(
        "SELECT id, authorized_user_id, scope, redirect_uri, code_digest, expires_ms \
         FROM oauth_authorization_codes WHERE application_id = $1 AND code_prefix = $2",
    )
    .bind(application_id)
    .bind(code_prefix)
    .fetch_optional(conn)
    .await?)
}

/// True when this call removed the code: of two concurrent exchanges only one gets true.
pub async fn delete_authorization_code(conn: &mut DbConn, id: i64) -> Result<bool> {
    Ok(
        sqlx::query("DELETE FROM oauth_authorization_codes WHERE id = $1")
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// A token assignment waiting for its user.
#[derive(Debug, Clone, FromRow)]
pub struct AssignedTokenRow {
    pub id: i64,
    pub uuid: String,
    pub application_id: i64,
    pub redirect_uri: String,
    pub scope: String,
    pub response_type: String,
    #[sqlx(flatten)]
    pub application: ApplicationSummaryRow,
}

pub struct NewAssignedToken<'a> {
    pub uuid: &'a str,
    pub application_id: i64,
    pub assigned_user_id: i64,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub response_type: &'a str,
    pub created_ms: i64,
}

pub async fn insert_assigned_token(conn: &mut DbConn, new: &NewAssignedToken<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO oauth_assigned_tokens (uuid, application_id, assigned_user_id, \
         redirect_uri, scope, response_type, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new.uuid)
    .bind(new.application_id)
    .bind(new.assigned_user_id)
    .bind(new.redirect_uri)
    .bind(new.scope)
    .bind(new.response_type)
    .bind(new.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

fn assigned_token_query(filter: &str) -> String {
    format!(
        "SELECT t.id, t.uuid, t.application_id, t.redirect_uri, t.scope, t.response_type, \
         {SUMMARY_COLUMNS} FROM oauth_assigned_tokens t \
         JOIN oauth_applications a ON a.id = t.application_id \
         JOIN accounts o ON o.id = a.owner_id WHERE t.assigned_user_id = $1 {filter} \
         ORDER BY t.id"
    )
}

pub async fn list_assigned_tokens(
    conn: &mut DbConn,
    user_id: i64,
) -> Result<Vec<AssignedTokenRow>> {
    Ok(
        sqlx::query_as::<_, AssignedTokenRow>(&assigned_token_query(""))
            .bind(user_id)
            .fetch_all(conn)
            .await?,
    )
}

pub async fn find_assigned_token(
    conn: &mut DbConn,
    user_id: i64,
    uuid: &str,
) -> Result<Option<AssignedTokenRow>> {
    Ok(
        sqlx::query_as::<_, AssignedTokenRow>(&assigned_token_query("AND t.uuid = $2"))
            .bind(user_id)
            .bind(uuid)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn delete_assigned_token(conn: &mut DbConn, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM oauth_assigned_tokens WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// An access token a user granted, with the application it went to.
#[derive(Debug, Clone, FromRow)]
pub struct UserTokenRow {
    pub id: i64,
    pub uuid: String,
    pub scope: String,
    #[sqlx(flatten)]
    pub application: ApplicationSummaryRow,
}

fn user_token_query(filter: &str) -> String {
    format!(
        "SELECT t.id, t.uuid, t.scope, {SUMMARY_COLUMNS} FROM oauth_access_tokens t \
         JOIN oauth_applications a ON a.id = t.application_id \
         JOIN accounts o ON o.id = a.owner_id WHERE t.authorized_user_id = $1 {filter} \
         ORDER BY t.id"
    )
}

pub async fn list_user_tokens(conn: &mut DbConn, user_id: i64) -> Result<Vec<UserTokenRow>> {
    Ok(sqlx::query_as::<_, UserTokenRow>(&user_token_query(""))
        .bind(user_id)
        .fetch_all(conn)
        .await?)
}

pub async fn find_user_token(
    conn: &mut DbConn,
    user_id: i64,
    uuid: &str,
) -> Result<Option<UserTokenRow>> {
    Ok(
        sqlx::query_as::<_, UserTokenRow>(&user_token_query("AND t.uuid = $2"))
            .bind(user_id)
            .bind(uuid)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn delete_access_token(conn: &mut DbConn, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM oauth_access_tokens WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
