//! OAuth access tokens. A token is 40 characters: the first 20 are a plain lookup prefix, the
//! rest a secret of which only the SHA-256 is stored and compared in constant time.

use subtle::ConstantTimeEq;

use super::passwords::secret_digest;
use super::{Account, Scopes};
use crate::app::App;
use crate::db::{self, accounts::NewAccessToken, DbConn};
use crate::logs::OAuthUse;
use crate::random::random_code;

const PREFIX_LEN: usize = 20;
/// Quay's `user/initialize` token lives 9000 s (core-api.md §1.6).
const INITIAL_TOKEN_LIFETIME_MS: i64 = 9000 * 1000;
/// `last_accessed` is written at most once a minute.
const TOUCH_INTERVAL_MS: i64 = 60_000;

/// Creates a token for `user` under `application_id` and returns its text (shown only once).
pub async fn issue_token(
    conn: &mut DbConn,
    application_id: i64,
    user: &Account,
    scope: &str,
    lifetime_ms: i64,
) -> db::Result<String> {
    Ok(
        issue_named_token(conn, application_id, user, scope, None, lifetime_ms)
            .await?
            .token,
    )
}

/// A freshly issued token: its text is shown once, at creation.
pub struct IssuedToken {
    pub uuid: String,
    pub token: String,
    pub created_ms: i64,
    pub expires_ms: i64,
}

pub async fn issue_named_token(
    conn: &mut DbConn,
    application_id: i64,
    user: &Account,
    scope: &str,
    display_name: Option<&str>,
    lifetime_ms: i64,
) -> db::Result<IssuedToken> {
    let token = random_code(40);
    let (prefix, secret) = token.split_at(PREFIX_LEN);
    let now = db::now_ms();
    let uuid = uuid::Uuid::new_v4().to_string();
    db::accounts::insert_access_token(
        conn,
        &NewAccessToken {
            uuid: &uuid,
            display_name,
            application_id,
            authorized_user_id: user.id,
            scope,
            token_prefix: prefix,
            token_digest: &secret_digest(secret),
            expires_ms: now + lifetime_ms,
            created_ms: now,
        },
    )
    .await?;
    Ok(IssuedToken {
        uuid,
        token,
        created_ms: now,
        expires_ms: now + lifetime_ms,
    })
}

/// The `automation` application in the first user's namespace and its all-scopes token.
pub async fn issue_initial_token(
    app: &App,
    conn: &mut DbConn,
    user: &Account,
) -> db::Result<String> {
    let details = db::applications::ApplicationDetails {
        name: "automation",
        description: "",
        application_uri: "",
        redirect_uri: "",
        avatar_email: None,
    };
    let application = db::applications::insert_application(
        conn,
        user.id,
        &user.username,
        &super::passwords::new_client_secret(app),
        &details,
    )
    .await?;
    issue_token(
        conn,
        application.id,
        user,
        Scopes::ALL_SCOPE_STRING,
        INITIAL_TOKEN_LIFETIME_MS,
    )
    .await
}

/// A valid token's user and scopes.
pub struct TokenGrant {
    pub account: Account,
    pub scopes: Scopes,
    pub oauth: OAuthUse,
}

/// Resolves a bearer token; None for anything unknown, expired, or of a disabled user.
pub async fn authenticate_token(app: &App, token: &str) -> db::Result<Option<TokenGrant>> {
    if token.len() < 2 * PREFIX_LEN || !token.is_ascii() {
        return Ok(None);
    }
    let (prefix, secret) = token.split_at(PREFIX_LEN);
    let mut conn = app.db.reader().await?;
    let Some(row) = db::accounts::find_access_token(&mut conn, prefix).await? else {
        return Ok(None);
    };
    let matches: bool = secret_digest(secret)
        .as_bytes()
        .ct_eq(row.token_digest.as_bytes())
        .into();
    let now = db::now_ms();
    if !matches || row.expires_ms <= now {
        return Ok(None);
    }
    let Some(account) = db::accounts::find_account_by_id(&mut conn, row.authorized_user_id).await?
    else {
        return Ok(None);
    };
    let account = Account::from(account);
    if !account.enabled {
        return Ok(None);
    }
    drop(conn);
    if row
        .last_accessed_ms
        .is_none_or(|t| now - t > TOUCH_INTERVAL_MS)
    {
        let mut tx = app.db.begin().await?;
        db::accounts::touch_access_token(&mut tx, row.id, now).await?;
        db::commit(tx).await?;
    }
    Ok(Some(TokenGrant {
        account,
        scopes: Scopes::parse(&row.scope),
        oauth: OAuthUse {
            token_id: row.id,
            client_id: row.client_id,
            application_name: row.application_name,
        },
    }))
}
