//! SQL for accounts (users, organizations, robots), deleted-namespace markers and OAuth tokens.

use sqlx::FromRow;

use super::{DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub uuid: String,
    pub username: String,
    pub email: String,
    pub password_hash: Option<String>,
    pub verified: i64,
    pub enabled: i64,
    pub organization: i64,
    pub robot: i64,
    pub superuser: i64,
    pub tag_expiration_s: i64,
    pub invalid_login_attempts: i64,
    pub last_invalid_login_ms: i64,
    pub created_ms: i64,
}

const ACCOUNT_COLUMNS: &str = "id, uuid, username, email, password_hash, verified, enabled, \
    organization, robot, superuser, tag_expiration_s, invalid_login_attempts, \
    last_invalid_login_ms, created_ms";

pub struct NewAccount<'a> {
    pub uuid: &'a str,
    pub username: &'a str,
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub verified: bool,
    pub organization: bool,
    pub robot: bool,
    pub superuser: bool,
    pub tag_expiration_s: i64,
    pub created_ms: i64,
}

pub async fn insert_account(conn: &mut DbConn, new: &NewAccount<'_>) -> Result<AccountRow> {
    let sql = format!(
        "INSERT INTO accounts (uuid, username, email, password_hash, verified, enabled, \
         organization, robot, superuser, tag_expiration_s, created_ms) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10) RETURNING {ACCOUNT_COLUMNS}"
    );
    Ok(sqlx::query_as::<_, AccountRow>(&sql)
        .bind(new.uuid)
        .bind(new.username)
        .bind(new.email)
        .bind(new.password_hash)
        .bind(new.verified as i64)
        .bind(new.organization as i64)
        .bind(new.robot as i64)
        .bind(new.superuser as i64)
        .bind(new.tag_expiration_s)
        .bind(new.created_ms)
        .fetch_one(conn)
        .await?)
}

pub async fn find_account_by_name(conn: &mut DbConn, username: &str) -> Result<Option<AccountRow>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = $1");
    Ok(sqlx::query_as::<_, AccountRow>(&sql)
        .bind(username)
        .fetch_optional(conn)
        .await?)
}

pub async fn find_account_by_id(conn: &mut DbConn, id: i64) -> Result<Option<AccountRow>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
    Ok(sqlx::query_as::<_, AccountRow>(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// A non-organization user by e-mail (e-mail login).
pub async fn find_user_by_email(conn: &mut DbConn, email: &str) -> Result<Option<AccountRow>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1 AND organization = 0 AND robot = 0"
    );
    Ok(sqlx::query_as::<_, AccountRow>(&sql)
        .bind(email)
        .fetch_optional(conn)
        .await?)
}

pub async fn count_accounts(conn: &mut DbConn) -> Result<i64> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM accounts")
            .fetch_one(conn)
            .await?,
    )
}

/// One page of plain users (no organizations, robots or namespaces being deleted), by id from
/// `start_id`; `limit + 1` rows so the caller knows whether another page exists.
pub async fn list_users_page(
    conn: &mut DbConn,
    enabled_only: bool,
    start_id: i64,
    limit: Option<i64>,
) -> Result<Vec<AccountRow>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE organization = 0 AND robot = 0 \
         AND id >= $1 AND ($2 = 0 OR enabled = 1) \
         AND NOT EXISTS (SELECT 1 FROM deleted_namespaces d WHERE d.account_id = a.id) \
         ORDER BY id LIMIT $3"
    );
    Ok(sqlx::query_as::<_, AccountRow>(&sql)
        .bind(start_id)
        .bind(enabled_only as i64)
        .bind(limit.map(|l| l + 1).unwrap_or(i64::MAX))
        .fetch_all(conn)
        .await?)
}

pub async fn update_password(
    conn: &mut DbConn,
    id: i64,
    password_hash: &str,
    new_uuid: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET password_hash = $1, uuid = $2, invalid_login_attempts = 0 WHERE id = $3",
    )
    .bind(password_hash)
    .bind(new_uuid)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_email(conn: &mut DbConn, id: i64, email: &str) -> Result<()> {
    sqlx::query("UPDATE accounts SET email = $1, verified = 1 WHERE id = $2")
        .bind(email)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_enabled(conn: &mut DbConn, id: i64, enabled: bool) -> Result<()> {
    sqlx::query("UPDATE accounts SET enabled = $1 WHERE id = $2")
        .bind(enabled as i64)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_superuser(conn: &mut DbConn, id: i64, superuser: bool) -> Result<()> {
    sqlx::query("UPDATE accounts SET superuser = $1 WHERE id = $2")
        .bind(superuser as i64)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The enabled users other than `except_id` that are superusers by the database flag or by
/// one of `configured` (the `SUPER_USERS` names).
pub async fn count_other_superusers(
    conn: &mut DbConn,
    except_id: i64,
    configured: &[String],
) -> Result<i64> {
    let mut count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE superuser = 1 AND enabled = 1 \
         AND organization = 0 AND robot = 0 AND id <> $1",
    )
    .bind(except_id)
    .fetch_one(&mut *conn)
    .await?;
    for name in configured {
        let listed = find_account_by_name(conn, name).await?;
        count += i64::from(listed.is_some_and(|a| {
            a.id != except_id && a.superuser == 0 && a.enabled != 0 && a.organization == 0
        }));
    }
    Ok(count)
}

pub async fn record_login_failure(conn: &mut DbConn, id: i64, now_ms: i64) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET invalid_login_attempts = invalid_login_attempts + 1, \
         last_invalid_login_ms = $1 WHERE id = $2",
    )
    .bind(now_ms)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn reset_login_failures(conn: &mut DbConn, id: i64) -> Result<()> {
    sqlx::query("UPDATE accounts SET invalid_login_attempts = 0 WHERE id = $1 AND invalid_login_attempts > 0")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Frees the name of a deleted namespace: the row is renamed to a random value and disabled.
pub async fn mark_account_deleted(
    conn: &mut DbConn,
    account: &AccountRow,
    placeholder: &str,
    now_ms: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO deleted_namespaces (account_id, original_username, original_email, marked_ms) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(account.id)
    .bind(&account.username)
    .bind(&account.email)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE accounts SET username = $1, email = $1, uuid = $1, enabled = 0 WHERE id = $2",
    )
    .bind(placeholder)
    .bind(account.id)
    .execute(&mut *conn)
    .await?;
    // Tokens and repository grants of the namespace stop working at once.
    sqlx::query("DELETE FROM oauth_access_tokens WHERE authorized_user_id = $1")
        .bind(account.id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM repository_permissions WHERE account_id = $1")
        .bind(account.id)
        .execute(&mut *conn)
        .await?;
    // Team memberships of a user; teams and applications of an organization.
    for sql in [
        "DELETE FROM team_members WHERE account_id = $1",
        "DELETE FROM teams WHERE organization_id = $1",
        "DELETE FROM oauth_applications WHERE owner_id = $1",
    ] {
        sqlx::query(sql)
            .bind(account.id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("UPDATE service_keys SET approver_id = NULL WHERE approver_id = $1")
        .bind(account.id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn is_name_reserved_by_deletion(conn: &mut DbConn, username: &str) -> Result<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM deleted_namespaces d JOIN accounts a ON a.id = d.account_id \
         WHERE d.original_username = $1 AND a.organization = 0",
    )
    .bind(username)
    .fetch_one(conn)
    .await?
        > 0)
}

/// Removes the account row of a purged namespace, and with it its deletion marker.
pub async fn delete_account(conn: &mut DbConn, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM log_entries WHERE performer_id = $1 AND account_id IS NULL")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM accounts WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AccessTokenRow {
    pub id: i64,
    pub uuid: String,
    pub application_id: i64,
    pub authorized_user_id: i64,
    pub scope: String,
    pub token_digest: String,
    pub expires_ms: i64,
    pub last_accessed_ms: Option<i64>,
    pub client_id: String,
    pub application_name: String,
}

pub struct NewAccessToken<'a> {
    pub uuid: &'a str,
    pub display_name: Option<&'a str>,
    pub application_id: i64,
    pub authorized_user_id: i64,
    pub scope: &'a str,
    pub token_prefix: &'a str,
    pub token_digest: &'a str,
    pub expires_ms: i64,
    pub created_ms: i64,
}

pub async fn insert_access_token(conn: &mut DbConn, new: &NewAccessToken<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO oauth_access_tokens (uuid, application_id, authorized_user_id, scope, \
         token_prefix, token_digest, expires_ms, created_ms, display_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new.uuid)
    .bind(new.application_id)
    .bind(new.authorized_user_id)
    .bind(new.scope)
    .bind(new.token_prefix)
    .bind(new.token_digest)
    .bind(new.expires_ms)
    .bind(new.created_ms)
    .bind(new.display_name)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_access_token(
    conn: &mut DbConn,
    token_prefix: &str,
) -> Result<Option<AccessTokenRow>> {
    Ok(sqlx::query_as::<_, AccessTokenRow>(
        "SELECT t.id, t.uuid, t.application_id, t.authorized_user_id, t.scope, t.token_digest, \
         t.expires_ms, t.last_accessed_ms, a.client_id, a.name AS application_name \
         FROM oauth_access_tokens t JOIN oauth_applications a ON a.id = t.application_id \
         WHERE t.token_prefix = $1",
    )
    .bind(token_prefix)
    .fetch_optional(conn)
    .await?)
}

pub async fn touch_access_token(conn: &mut DbConn, id: i64, now_ms: i64) -> Result<()> {
    sqlx::query("UPDATE oauth_access_tokens SET last_accessed_ms = $1 WHERE id = $2")
        .bind(now_ms)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find_account_by_uuid(conn: &mut DbConn, uuid: &str) -> Result<Option<AccountRow>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE uuid = $1");
    Ok(sqlx::query_as::<_, AccountRow>(&sql)
        .bind(uuid)
        .fetch_optional(conn)
        .await?)
}

pub async fn rotate_uuid(conn: &mut DbConn, id: i64, new_uuid: &str) -> Result<()> {
    sqlx::query("UPDATE accounts SET uuid = $1 WHERE id = $2")
        .bind(new_uuid)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// One page of organizations (not being deleted), by id from `start_id`, optionally only the
/// one named `name`; `limit + 1` rows so the caller knows whether another page exists.
pub async fn list_organizations_page(
    conn: &mut DbConn,
    name: Option<&str>,
    start_id: i64,
    limit: Option<i64>,
) -> Result<Vec<AccountRow>> {
    let name_filter = if name.is_some() {
        "AND username = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE organization = 1 AND id >= $1 {name_filter} \
         AND NOT EXISTS (SELECT 1 FROM deleted_namespaces d WHERE d.account_id = a.id) \
         ORDER BY id LIMIT $2"
    );
    let query = sqlx::query_as::<_, AccountRow>(&sql)
        .bind(start_id)
        .bind(limit.map(|l| l + 1).unwrap_or(i64::MAX));
    let query = match name {
        Some(name) => query.bind(name),
        None => query,
    };
    Ok(query.fetch_all(conn).await?)
}

/// Renames an account; its robots (`<old>+short`) follow.
pub async fn rename_account(
    conn: &mut DbConn,
    id: i64,
    old_name: &str,
    new_name: &str,
) -> Result<()> {
    sqlx::query("UPDATE accounts SET username = $1 WHERE id = $2")
        .bind(new_name)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE accounts SET username = $1 || substr(username, CAST($2 AS INTEGER)) WHERE robot = 1 AND username LIKE $3",
    )
    .bind(new_name)
    .bind(old_name.len() as i64 + 1)
    .bind(format!("{old_name}+%"))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_organization_settings(
    conn: &mut DbConn,
    id: i64,
    email: &str,
    invoice_email: bool,
    invoice_email_address: Option<&str>,
    tag_expiration_s: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET email = $1, invoice_email = $2, invoice_email_address = $3, \
         tag_expiration_s = $4 WHERE id = $5",
    )
    .bind(email)
    .bind(invoice_email as i64)
    .bind(invoice_email_address)
    .bind(tag_expiration_s)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct InvoiceSettingsRow {
    pub invoice_email: i64,
    pub invoice_email_address: Option<String>,
}

pub async fn find_invoice_settings(conn: &mut DbConn, id: i64) -> Result<InvoiceSettingsRow> {
    Ok(sqlx::query_as::<_, InvoiceSettingsRow>(
        "SELECT invoice_email, invoice_email_address FROM accounts WHERE id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?)
}

/// Turns a user into an organization: it can no longer log in and loses its direct grants.
pub async fn convert_to_organization(conn: &mut DbConn, id: i64) -> Result<()> {
    sqlx::query("UPDATE accounts SET organization = 1, password_hash = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM repository_permissions WHERE account_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM oauth_access_tokens WHERE authorized_user_id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The scope strings of `user`'s unexpired tokens issued through `application_id`.
pub async fn list_token_scopes(
    conn: &mut DbConn,
    application_id: i64,
    user_id: i64,
    now_ms: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT scope FROM oauth_access_tokens WHERE application_id = $1 AND authorized_user_id = $2 \
         AND expires_ms > $3",
    )
    .bind(application_id)
    .bind(user_id)
    .bind(now_ms)
    .fetch_all(conn)
    .await?)
}
