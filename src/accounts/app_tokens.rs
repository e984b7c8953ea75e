//! App-specific tokens (core-api.md §1.10): a user's personal CLI passwords, used as
//! `$app` with the registry. 120 characters: a 60-character lookup prefix and a 60-character
//! secret kept encrypted so its owner can read the token again.

use serde_json::json;

use super::{passwords, Account};
use crate::app::App;
use crate::db::{self, app_tokens::AppTokenRow};
use crate::logs::{self, Actor};
use crate::random::random_code;

const PREFIX_LEN: usize = 60;
/// `last_accessed` is written at most once a minute.
const TOUCH_INTERVAL_MS: i64 = 60_000;
/// The lifetime `?expiring=true` assumes when `APP_SPECIFIC_TOKEN_EXPIRATION` is unset: 4 weeks.
const DEFAULT_EXPIRATION_WINDOW_S: i64 = 28 * 86_400;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Not Found")]
    NotFound,
    #[error("Title must be between 1 and 255 characters")]
    InvalidTitle,
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// The whole token text of a row.
pub fn token_code(app: &App, row: &AppTokenRow) -> String {
    let secret = passwords::decrypt_stored(app, &row.token_secret).unwrap_or_default();
    format!("{}{secret}", row.token_prefix)
}

pub async fn create(app: &App, actor: &Actor, owner: &Account, title: &str) -> Result<AppTokenRow> {
    let title = title.trim();
    if title.is_empty() || title.len() > 255 {
        return Err(Error::InvalidTitle);
    }
    let now = db::now_ms();
    let row = AppTokenRow {
        id: 0,
        uuid: uuid::Uuid::new_v4().to_string(),
        account_id: owner.id,
        title: title.to_owned(),
        token_prefix: random_code(PREFIX_LEN),
        token_secret: passwords::encrypt_stored(app, &random_code(PREFIX_LEN)),
        created_ms: now,
        expires_ms: app
            .config
            .app_specific_token_expiration_s
            .map(|lifetime_s| now + lifetime_s * 1000),
        last_accessed_ms: None,
    };
    let mut tx = app.db.begin().await?;
    db::app_tokens::insert_app_token(&mut tx, &row).await?;
    let metadata = json!({ "app_specific_token_title": row.title, "app_specific_token": row.uuid });
    logs::record(
        &mut tx,
        actor,
        "create_app_specific_token",
        logs::Scope::namespace(owner.id),
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(row)
}

/// The owner's tokens, expired ones included; with `only_expiring`, the unexpired tokens that
/// expire within a tenth of the configured lifetime (Quay's "expiring soon").
pub async fn list(app: &App, owner: &Account, only_expiring: bool) -> Result<Vec<AppTokenRow>> {
    let mut conn = app.db.reader().await?;
    if !only_expiring {
        return Ok(db::app_tokens::list_app_tokens(&mut conn, owner.id).await?);
    }
    let now = db::now_ms();
    let soon_ms = expiring_window_s(app.config.app_specific_token_expiration_s) * 1000;
    Ok(db::app_tokens::list_expiring_app_tokens(&mut conn, owner.id, now, now + soon_ms).await?)
}

/// A tenth of the token lifetime, rounded up, and at least a second.
fn expiring_window_s(lifetime_s: Option<i64>) -> i64 {
    let lifetime_s = lifetime_s.unwrap_or(DEFAULT_EXPIRATION_WINDOW_S);
    ((lifetime_s + 9) / 10).max(1)
}

/// One of the owner's tokens, while it has not expired.
pub async fn get(app: &App, owner: &Account, uuid: &str) -> Result<AppTokenRow> {
    db::app_tokens::find_app_token(&mut *app.db.reader().await?, owner.id, uuid)
        .await?
        .filter(|row| !is_expired(row, db::now_ms()))
        .ok_or(Error::NotFound)
}

fn is_expired(row: &AppTokenRow, now_ms: i64) -> bool {
    row.expires_ms.is_some_and(|e| e <= now_ms)
}

/// Deletes the tokens that expired more than `EXPIRED_APP_SPECIFIC_TOKEN_GC` ago.
pub async fn sweep_expired(app: &App) -> db::Result<u64> {
    let before = db::now_ms() - app.config.expired_app_specific_token_gc_s * 1000;
    let mut tx = app.db.begin().await?;
    let removed = db::app_tokens::delete_app_tokens_expired_before(&mut tx, before).await?;
    db::commit(tx).await?;
    if removed > 0 {
        tracing::info!(removed, "expired app-specific tokens removed");
    }
    Ok(removed)
}

pub async fn revoke(app: &App, actor: &Actor, owner: &Account, uuid: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let row = db::app_tokens::find_app_token(&mut tx, owner.id, uuid)
        .await?
        .ok_or(Error::NotFound)?;
    db::app_tokens::delete_app_token(&mut tx, row.id).await?;
    let metadata = json!({ "app_specific_token_title": row.title, "app_specific_token": row.uuid });
    logs::record(
        &mut tx,
        actor,
        "revoke_app_specific_token",
        logs::Scope::namespace(owner.id),
        metadata,
    )
    .await?;
    Ok(db::commit(tx).await?)
}

/// The token's owner (enabled) and the token, for a `$app` login.
pub async fn authenticate(app: &App, token: &str) -> db::Result<Option<(Account, AppTokenRow)>> {
    if token.len() != 2 * PREFIX_LEN || !token.is_ascii() {
        return Ok(None);
    }
    let (prefix, secret) = token.split_at(PREFIX_LEN);
    let mut conn = app.db.reader().await?;
    let Some(row) = db::app_tokens::find_app_token_by_prefix(&mut conn, prefix).await? else {
        return Ok(None);
    };
    let stored = passwords::decrypt_stored(app, &row.token_secret).unwrap_or_default();
    let now = db::now_ms();
    let valid = passwords::secret_matches(&stored, secret);
    if !valid || is_expired(&row, now) {
        return Ok(None);
    }
    let account = db::accounts::find_account_by_id(&mut conn, row.account_id)
        .await?
        .map(Account::from)
        .filter(|a| a.enabled);
    drop(conn);
    if account.is_some()
        && row
            .last_accessed_ms
            .is_none_or(|t| now - t > TOUCH_INTERVAL_MS)
    {
        let mut tx = app.db.begin().await?;
        db::app_tokens::touch_app_token(&mut tx, row.id, now).await?;
        db::commit(tx).await?;
    }
    Ok(account.map(|a| (a, row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiring_soon_is_a_tenth_of_the_lifetime() {
        assert_eq!(expiring_window_s(None), 241_920);
        assert_eq!(expiring_window_s(Some(30 * 86_400)), 259_200);
        assert_eq!(expiring_window_s(Some(15)), 2);
        assert_eq!(expiring_window_s(Some(1)), 1);
    }

    #[test]
    fn expiry() {
        let row = |expires_ms| AppTokenRow {
            id: 1,
            uuid: String::new(),
            account_id: 1,
            title: String::new(),
            token_prefix: String::new(),
            token_secret: String::new(),
            created_ms: 0,
            expires_ms,
            last_accessed_ms: None,
        };
        assert!(!is_expired(&row(None), 10));
        assert!(!is_expired(&row(Some(11)), 10));
        assert!(is_expired(&row(Some(10)), 10));
    }
}
