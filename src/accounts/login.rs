//! Basic-auth logins (`/v2/auth`): passwords, encrypted passwords, `$oauthtoken`, `$app`,
//! robot tokens and build runs' `$token`.

use std::future::Future;

use super::{app_tokens, build_tokens, passwords, robots, throttle, tokens, Account, Scopes};
use crate::app::App;
use crate::db;
use crate::logs::{self, Actor, OAuthUse};

/// What a credential was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    Password,
    OAuthToken,
    /// A robot's token; its usage logs go to the owner namespace.
    Robot {
        owner_id: i64,
    },
    /// An app-specific token (`$app`), a direct login of its owner.
    AppToken,
    /// A build run's `$token`: reads as its account may, and pushes to the build's repository.
    BuildRun {
        repository_id: i64,
    },
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct Login {
    pub account: Account,
    pub scopes: Scopes,
    pub kind: CredentialKind,
    /// The OAuth token of a `$oauthtoken` login.
    pub oauth: Option<OAuthUse>,
    /// The `(uuid, title)` of the app-specific token of a `$app` login.
    pub app_token: Option<(String, String)>,
}

/// Why a login failed; the texts are Quay's and go to the client.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("Invalid Username or Password")]
    InvalidCredentials,
    #[error("This user has been disabled. Please contact your administrator.")]
    Disabled,
    #[error("Invalid access token")]
    InvalidToken,
    #[error("Could not find robot with username: {0} and supplied password.")]
    UnknownRobot(String),
    /// Quay's back-off after failed logins (per account), or too many failures from the
    /// client's address; `retry_after_s` is when to try again.
    #[error("Too many login attempts. \nPlease reset your Quay password and try again.")]
    TooManyAttempts { retry_after_s: i64 },
    #[error(transparent)]
    Db(#[from] db::Error),
}

/// Where a login was tried from; failed attempts are logged with it when
/// `ACTION_LOG_AUDIT_LOGIN_FAILURES` is on.
pub struct Attempt<'a> {
    /// `quayauth` (web sign-in) or `v2auth` (registry token endpoint).
    pub source: &'static str,
    pub user_agent: &'a str,
    pub ip: Option<String>,
}

pub async fn authenticate_basic(
    app: &App,
    username: &str,
    password: &str,
    attempt: &Attempt<'_>,
) -> Result<Login, LoginError> {
    guarded(
        app,
        attempt,
        username,
        authenticate_credentials(app, username, password),
    )
    .await
}

/// Runs `login` unless the client's address is throttled; counts its refusal against the
/// address and writes the failure's usage log.
async fn guarded(
    app: &App,
    attempt: &Attempt<'_>,
    username: &str,
    login: impl Future<Output = Result<Login, LoginError>>,
) -> Result<Login, LoginError> {
    let now = db::now_ms();
    let address = attempt.ip.as_deref();
    let outcome = match address.and_then(|ip| throttle::address_backoff_ms(ip, now)) {
        Some(wait_ms) => Err(LoginError::TooManyAttempts {
            retry_after_s: seconds(wait_ms),
        }),
        None => login.await,
    };
    if let (Err(refusal), Some(ip)) = (&outcome, address) {
        if matches!(
            refusal,
            LoginError::InvalidCredentials | LoginError::InvalidToken | LoginError::UnknownRobot(_)
        ) {
            throttle::record_address_failure(ip, now);
        }
    }
    audit_failure(app, attempt, username, outcome).await
}

/// Milliseconds as whole seconds to wait, at least one.
fn seconds(ms: i64) -> i64 {
    ((ms + 999) / 1000).max(1)
}

/// Writes `login_failure` for a refused credential (not for a database fault), under the
/// account the name points at when there is one.
async fn audit_failure(
    app: &App,
    attempt: &Attempt<'_>,
    username: &str,
    outcome: Result<Login, LoginError>,
) -> Result<Login, LoginError> {
    let Err(refusal) = &outcome else {
        return outcome;
    };
    if !app.config.audit_login_failures || matches!(refusal, LoginError::Db(_)) {
        return outcome;
    }
    let kind = match username {
        "$oauthtoken" => "oauth",
        "$app" => "app_specific_token",
        name if name.contains('+') => "robot",
        _ => "user",
    };
    let mut conn = app.db.reader().await?;
    let account = db::accounts::find_account_by_name(&mut conn, username).await?;
    drop(conn);
    let mut metadata = serde_json::json!({
        "type": attempt.source, "kind": kind, "useragent": attempt.user_agent, "message": refusal.to_string(),
    });
    if kind != "oauth" {
        metadata["username"] = username.into();
    }
    let scope = account
        .map(|a| logs::Scope::namespace(a.id))
        .unwrap_or_default();
    let mut tx = app.db.begin().await?;
    logs::record(
        &mut tx,
        &Actor::anonymous(attempt.ip.clone()),
        "login_failure",
        scope,
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    outcome
}

async fn authenticate_credentials(
    app: &App,
    username: &str,
    password: &str,
) -> Result<Login, LoginError> {
    match username {
        "$oauthtoken" => {
            let grant = tokens::authenticate_token(app, password)
                .await?
                .ok_or(LoginError::InvalidToken)?;
            Ok(Login {
                account: grant.account,
                scopes: grant.scopes,
                kind: CredentialKind::OAuthToken,
                oauth: Some(grant.oauth),
                app_token: None,
            })
        }
        "$app" => match app_tokens::authenticate(app, password).await? {
            Some((account, token)) => Ok(Login {
                account,
                scopes: Scopes::DIRECT_LOGIN,
                kind: CredentialKind::AppToken,
                oauth: None,
                app_token: Some((token.uuid, token.title)),
            }),
            None => Err(LoginError::InvalidToken),
        },
        build_tokens::USERNAME => match build_tokens::authenticate(app, password).await? {
            Some((account, repository_id)) => Ok(Login {
                account,
                scopes: Scopes::REPO_READ,
                kind: CredentialKind::BuildRun { repository_id },
                oauth: None,
                app_token: None,
            }),
            None => Err(LoginError::InvalidToken),
        },
        name if name.contains('+') => match robots::authenticate(app, name, password).await? {
            Some((account, owner_id)) => Ok(Login {
                account,
                // A robot holds exactly its own grants; the scopes cap nothing further.
                scopes: Scopes::DIRECT_LOGIN,
                kind: CredentialKind::Robot { owner_id },
                oauth: None,
                app_token: None,
            }),
            None => Err(LoginError::UnknownRobot(name.to_owned())),
        },
        name => authenticate_password(app, name, password).await,
    }
}

/// A user's password, or the encrypted form of it; the user may give a name or an e-mail.
async fn authenticate_password(app: &App, name: &str, password: &str) -> Result<Login, LoginError> {
    let mut conn = app.db.reader().await?;
    let row = match db::accounts::find_account_by_name(&mut conn, name).await? {
        Some(row) => Some(row),
        None => db::accounts::find_user_by_email(&mut conn, name).await?,
    };
    drop(conn);
    let account = row
        .map(Account::from)
        .filter(Account::is_plain_user)
        .ok_or(LoginError::InvalidCredentials)?;
    let Some(hash) = account.password_hash.clone() else {
        return Err(LoginError::InvalidCredentials);
    };
    let now = db::now_ms();
    let attempts = account.invalid_login_attempts;
    if let Some(wait_ms) =
        throttle::account_backoff_ms(attempts, account.last_invalid_login_ms, now)
    {
        return Err(LoginError::TooManyAttempts {
            retry_after_s: seconds(wait_ms),
        });
    }
    let secret_key = app.secrets.secret_key.as_str();
    let username = account.username.as_str();
    // A password verified moments ago against the same hash skips bcrypt: a CI fleet logging
    // in for every pull pays it once a minute, not every time.
    let remembered = throttle::recently_verified(secret_key, username, password, &hash, now);
    let plain =
        passwords::decrypt_password(secret_key, password).unwrap_or_else(|| password.to_owned());
    if !remembered && !passwords::verify_password(plain, hash.clone()).await {
        let mut tx = app.db.begin().await?;
        db::accounts::record_login_failure(&mut tx, account.id, db::now_ms()).await?;
        db::commit(tx).await?;
        return Err(LoginError::InvalidCredentials);
    }
    if !remembered {
        throttle::remember_verified(secret_key, username, password, &hash, now);
    }
    if !account.enabled {
        return Err(LoginError::Disabled);
    }
    if account.invalid_login_attempts > 0 {
        let mut tx = app.db.begin().await?;
        db::accounts::reset_login_failures(&mut tx, account.id).await?;
        db::commit(tx).await?;
    }
    Ok(Login {
        account,
        scopes: Scopes::DIRECT_LOGIN,
        kind: CredentialKind::Password,
        oauth: None,
        app_token: None,
    })
}

/// Web sign-in (`POST /api/v1/signin`): a password login that writes `login_success`.
pub async fn sign_in(
    app: &App,
    actor: &Actor,
    username: &str,
    password: &str,
    user_agent: &str,
) -> Result<Account, LoginError> {
    let attempt = Attempt {
        source: "quayauth",
        user_agent,
        ip: actor.ip.clone(),
    };
    let login = guarded(
        app,
        &attempt,
        username,
        authenticate_password(app, username, password),
    )
    .await?;
    let mut tx = app.db.begin().await?;
    let metadata = serde_json::json!({ "type": "quayauth", "useragent": user_agent });
    let signed_in = Actor {
        performer_id: Some(login.account.id),
        performer_name: Some(login.account.username.clone()),
        ..actor.clone()
    };
    logs::record(
        &mut tx,
        &signed_in,
        "login_success",
        logs::Scope::namespace(login.account.id),
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(login.account)
}

/// Ends every session of `account` by rotating its uuid, and writes `logout_success`.
pub async fn sign_out(app: &App, actor: &Actor, account: &Account) -> Result<(), LoginError> {
    let mut tx = app.db.begin().await?;
    db::accounts::rotate_uuid(&mut tx, account.id, &uuid::Uuid::new_v4().to_string()).await?;
    logs::record(
        &mut tx,
        actor,
        "logout_success",
        logs::Scope::namespace(account.id),
        serde_json::json!({}),
    )
    .await?;
    db::commit(tx).await?;
    Ok(())
}

/// The signed-in user of a session, while the account is enabled and its uuid unchanged.
pub async fn session_user(app: &App, user_uuid: &str) -> Result<Option<Account>, LoginError> {
    let mut conn = app.db.reader().await?;
    Ok(db::accounts::find_account_by_uuid(&mut conn, user_uuid)
        .await?
        .map(Account::from)
        .filter(|a| a.enabled && a.is_plain_user()))
}
