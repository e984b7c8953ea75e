//! Accounts: users (and, later, organizations and robots), their credentials and roles.

pub mod app_tokens;
pub mod build_tokens;
pub mod login;
pub mod passwords;
pub mod robots;
pub mod roles;
pub mod scopes;
pub mod sessions;
pub mod throttle;
pub mod tokens;
mod validation;

use serde_json::json;

use crate::app::App;
use crate::config::Config;
use crate::db::{self, accounts::AccountRow, accounts::NewAccount};
use crate::jobs;
use crate::logs::{self, Actor};
pub use roles::{superuser_override, Role, TeamRole};
pub use scopes::Scopes;
pub use validation::{validate_email, validate_namespace_name};

#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub uuid: String,
    pub username: String,
    pub email: String,
    pub password_hash: Option<String>,
    pub verified: bool,
    pub enabled: bool,
    pub organization: bool,
    pub robot: bool,
    /// Made a superuser by Berth itself (embedded first user, or the superuser API).
    pub superuser_flag: bool,
    pub tag_expiration_s: i64,
    pub invalid_login_attempts: i64,
    pub last_invalid_login_ms: i64,
}

impl From<AccountRow> for Account {
    fn from(row: AccountRow) -> Self {
        Account {
            id: row.id,
            uuid: row.uuid,
            username: row.username,
            email: row.email,
            password_hash: row.password_hash,
            verified: row.verified != 0,
            enabled: row.enabled != 0,
            organization: row.organization != 0,
            robot: row.robot != 0,
            superuser_flag: row.superuser != 0,
            tag_expiration_s: row.tag_expiration_s,
            invalid_login_attempts: row.invalid_login_attempts,
            last_invalid_login_ms: row.last_invalid_login_ms,
        }
    }
}

impl Account {
    pub fn is_plain_user(&self) -> bool {
        !self.organization && !self.robot
    }

    /// A regular superuser: listed in `SUPER_USERS` or flagged in the database, unless also a
    /// global read-only superuser (read-only wins) or `FEATURE_SUPER_USERS` is off.
    pub fn is_superuser(&self, config: &Config) -> bool {
        config.features.super_users
            && self.is_plain_user()
            && (self.superuser_flag || config.super_users.contains(&self.username))
            && !self.is_global_readonly_superuser(config)
    }

    pub fn is_global_readonly_superuser(&self, config: &Config) -> bool {
        self.is_plain_user() && config.global_readonly_super_users.contains(&self.username)
    }
}

/// A signed-in caller as domain rules see it: the account, what its credential allows, and
/// how the usage log names it.
pub struct Principal<'a> {
    pub account: &'a Account,
    pub scopes: Scopes,
    pub actor: Actor,
}

/// Outcomes of account operations; the texts are Quay's.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "Invalid namespace {0}: Namespace must match expression ^([a-z0-9]+(?:[._-][a-z0-9]+)*)$"
    )]
    UsernameCharacters(String),
    #[error("Invalid namespace {0}: Namespace must be between 2 and 255 characters in length")]
    UsernameLength(String),
    #[error("Username has already been taken by user cannot be reused: {0}")]
    UsernameTakenByUser(String),
    #[error("Username has already been taken by an organization and cannot be reused: {0}")]
    UsernameTakenByOrganization(String),
    #[error("Username is not available")]
    UsernameUnavailable,
    #[error("Invalid email address: {0}")]
    InvalidEmail(String),
    #[error("Email has already been used: {0}")]
    EmailTaken(String),
    #[error("E-mail address already used")]
    EmailInUse,
    #[error("Invalid password, password must be at least 8 characters and contain no whitespace.")]
    InvalidPassword,
    #[error("Cannot initialize user in a non-empty database")]
    DatabaseNotEmpty,
    #[error("Failed to initialize user: {0}")]
    InitializeInvalid(Box<Error>),
    #[error("Not Found")]
    NotFound,
    #[error("Cannot update a superuser")]
    CannotUpdateSuperuser,
    #[error("Cannot demote {0}: it is a superuser through SUPER_USERS in the configuration")]
    SuperuserByConfig(String),
    #[error("Cannot demote the last superuser")]
    LastSuperuser,
    #[error("Cannot delete a superuser")]
    CannotDeleteSuperuser,
    #[error(transparent)]
    Db(#[from] db::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

pub async fn find_account(app: &App, username: &str) -> Result<Option<Account>> {
    let mut conn = app.db.reader().await?;
    Ok(db::accounts::find_account_by_name(&mut conn, username)
        .await?
        .map(Account::from))
}

/// A plain user (not an organization or robot) by name.
pub async fn get_user(app: &App, username: &str) -> Result<Account> {
    find_account(app, username)
        .await?
        .filter(Account::is_plain_user)
        .ok_or(Error::NotFound)
}

pub struct NewUser {
    pub username: String,
    pub email: Option<String>,
    pub password: String,
    pub verified: bool,
    pub superuser: bool,
}

/// Checks a new namespace name: syntax, and not used or reserved by any account.
pub(crate) async fn check_name_available(conn: &mut db::DbConn, name: &str) -> Result<()> {
    validate_namespace_name(name)?;
    if let Some(existing) = db::accounts::find_account_by_name(conn, name).await? {
        return Err(if existing.organization != 0 {
            Error::UsernameTakenByOrganization(name.into())
        } else {
            Error::UsernameTakenByUser(name.into())
        });
    }
    if db::accounts::is_name_reserved_by_deletion(conn, name).await? {
        return Err(Error::UsernameUnavailable);
    }
    Ok(())
}

/// Validates and inserts a user inside `tx`; with mailing on, the e-mail is required.
async fn insert_user(app: &App, tx: &mut db::DbTx, new: &NewUser) -> Result<Account> {
    check_name_available(tx, &new.username).await?;
    if app.config.features.mailing {
        validate_email(new.email.as_deref())?;
    }
    if !passwords::is_valid_password(&new.password) {
        return Err(Error::InvalidPassword);
    }
    // Without an address the account gets a unique placeholder, as Quay does.
    let email = new
        .email
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let password_hash = passwords::hash_password(new.password.clone()).await?;
    let uuid = uuid::Uuid::new_v4().to_string();
    let row = db::accounts::insert_account(
        tx,
        &NewAccount {
            uuid: &uuid,
            username: &new.username,
            email: &email,
            password_hash: Some(&password_hash),
            verified: new.verified,
            organization: false,
            robot: false,
            superuser: new.superuser,
            tag_expiration_s: app.config.default_tag_expiration_s,
            created_ms: db::now_ms(),
        },
    )
    .await
    .map_err(|e| {
        if e.is_unique_on("email") {
            Error::EmailTaken(email.clone())
        } else {
            e.into()
        }
    })?;
    Ok(row.into())
}

/// Creates a user on behalf of a superuser (superuser-api.md §5.2) and logs `user_create`.
pub async fn create_user(app: &App, actor: &Actor, new: NewUser) -> Result<Account> {
    let mut tx = app.db.begin().await?;
    let account = insert_user(app, &mut tx, &new).await?;
    logs::record(
        &mut tx,
        actor,
        "user_create",
        logs::Scope::namespace(account.id),
        json!({ "email": new.email, "username": account.username, "superuser": actor.performer_name }),
    )
    .await?;
    db::commit(tx).await?;
    tracing::info!(user.name = %account.username, "user created");
    Ok(account)
}

/// What `POST /api/v1/user/initialize` produced.
pub struct Initialized {
    pub account: Account,
    pub access_token: Option<String>,
}

/// Creates the very first account of an empty installation (core-api.md §1.6).
pub async fn initialize_first_user(
    app: &App,
    new: NewUser,
    with_token: bool,
) -> Result<Initialized> {
    let mut tx = app.db.begin().await?;
    if db::accounts::count_accounts(&mut tx).await? > 0 {
        return Err(Error::DatabaseNotEmpty);
    }
    // Claims the installation in the same transaction, so two racing requests cannot both win.
    let claimed = db::settings::get_or_insert_setting(&mut tx, "first_user", &new.username).await?;
    if claimed != new.username {
        return Err(Error::DatabaseNotEmpty);
    }
    let account = match insert_user(app, &mut tx, &new).await {
        Err(Error::Db(e)) => return Err(Error::Db(e)),
        Err(Error::Internal(e)) => return Err(Error::Internal(e)),
        Err(invalid) => return Err(Error::InitializeInvalid(Box::new(invalid))),
        Ok(account) => account,
    };
    let access_token = if with_token {
        Some(tokens::issue_initial_token(app, &mut tx, &account).await?)
    } else {
        None
    };
    db::commit(tx).await?;
    tracing::info!(user.name = %account.username, superuser = new.superuser, "first user initialized");
    Ok(Initialized {
        account,
        access_token,
    })
}

/// Changes a superuser may make to a user (superuser-api.md §5.4).
#[derive(Debug, Default)]
pub struct UserChanges {
    pub password: Option<String>,
    pub email: Option<String>,
    pub enabled: Option<bool>,
    pub superuser: Option<bool>,
}

/// Applies `changes` and returns the user as it was before, as Quay answers.
pub async fn update_user(
    app: &App,
    actor: &Actor,
    username: &str,
    changes: UserChanges,
) -> Result<Account> {
    let user = get_user(app, username).await?;
    if user.is_superuser(&app.config) {
        demote_superuser(app, actor, &user, changes).await?;
        return Ok(user);
    }
    let password_hash = match &changes.password {
        Some(pw) if !passwords::is_valid_password(pw) => return Err(Error::InvalidPassword),
        Some(pw) => Some(passwords::hash_password(pw.clone()).await?),
        None => None,
    };
    let namespace = logs::Scope::namespace(user.id);
    let mut tx = app.db.begin().await?;
    if let Some(hash) = &password_hash {
        let metadata = json!({ "username": user.username, "superuser": actor.performer_name });
        logs::record(&mut tx, actor, "user_change_password", namespace, metadata).await?;
        // A new uuid ends every session of the user.
        db::accounts::update_password(&mut tx, user.id, hash, &uuid::Uuid::new_v4().to_string())
            .await?;
    }
    if let Some(email) = &changes.email {
        db::accounts::update_email(&mut tx, user.id, email)
            .await
            .map_err(|e| {
                if e.is_unique_on("email") {
                    Error::EmailInUse
                } else {
                    e.into()
                }
            })?;
        let metadata =
            json!({ "old_email": user.email, "email": email, "superuser": actor.performer_name });
        logs::record(&mut tx, actor, "user_change_email", namespace, metadata).await?;
    }
    if let Some(enabled) = changes.enabled {
        db::accounts::update_enabled(&mut tx, user.id, enabled).await?;
        let kind = if enabled {
            "user_enable"
        } else {
            "user_disable"
        };
        let metadata = json!({ "username": user.username, "superuser": actor.performer_name });
        logs::record(&mut tx, actor, kind, namespace, metadata).await?;
    }
    if changes.superuser == Some(true) {
        db::accounts::update_superuser(&mut tx, user.id, true).await?;
        let metadata = json!({ "username": user.username, "superuser": actor.performer_name });
        logs::record(&mut tx, actor, "promote_superuser", namespace, metadata).await?;
    }
    db::commit(tx).await?;
    Ok(user)
}

/// The one change a superuser accepts: `{"superuser": false}` alone, from another superuser,
/// or from itself while another superuser remains. Superusers named in `SUPER_USERS` stay
/// superusers until the configuration changes.
async fn demote_superuser(
    app: &App,
    actor: &Actor,
    user: &Account,
    changes: UserChanges,
) -> Result<()> {
    let demotion_only = changes.superuser == Some(false)
        && changes.password.is_none()
        && changes.email.is_none()
        && changes.enabled.is_none();
    if !demotion_only {
        return Err(Error::CannotUpdateSuperuser);
    }
    if app.config.super_users.contains(&user.username) {
        return Err(Error::SuperuserByConfig(user.username.clone()));
    }
    let mut tx = app.db.begin().await?;
    let others =
        db::accounts::count_other_superusers(&mut tx, user.id, &app.config.super_users).await?;
    if others == 0 {
        return Err(Error::LastSuperuser);
    }
    db::accounts::update_superuser(&mut tx, user.id, false).await?;
    let metadata = json!({ "username": user.username, "superuser": actor.performer_name });
    let scope = logs::Scope::namespace(user.id);
    logs::record(&mut tx, actor, "demote_superuser", scope, metadata).await?;
    db::commit(tx).await?;
    tracing::info!(user.name = %user.username, "superuser demoted");
    Ok(())
}

/// Deletes a user (superuser-api.md §5.5): the name is freed and the account disabled at once;
/// its repositories are purged by a background job.
pub async fn delete_user(app: &App, actor: &Actor, username: &str) -> Result<()> {
    let user = get_user(app, username).await?;
    if user.is_superuser(&app.config) {
        return Err(Error::CannotDeleteSuperuser);
    }
    let mut tx = app.db.begin().await?;
    let row = db::accounts::find_account_by_id(&mut tx, user.id)
        .await?
        .ok_or(Error::NotFound)?;
    let metadata = json!({ "username": user.username });
    logs::record(
        &mut tx,
        actor,
        "user_delete",
        logs::Scope::namespace(user.id),
        metadata,
    )
    .await?;
    let now = db::now_ms();
    db::accounts::mark_account_deleted(&mut tx, &row, &uuid::Uuid::new_v4().to_string(), now)
        .await?;
    jobs::enqueue(
        &mut tx,
        &jobs::PurgeNamespace {
            account_id: user.id,
        },
    )
    .await?;
    db::commit(tx).await?;
    tracing::info!(user.name = %user.username, "user deleted; purge queued");
    Ok(())
}

/// One page of users for the superuser list: `limit` rows from id `start_id`, plus the id
/// where the next page starts.
pub async fn list_users(
    app: &App,
    enabled_only: bool,
    start_id: i64,
    limit: Option<i64>,
) -> Result<(Vec<Account>, Option<i64>)> {
    let mut conn = app.db.reader().await?;
    let mut rows = db::accounts::list_users_page(&mut conn, enabled_only, start_id, limit).await?;
    let next = crate::paging::split_next(&mut rows, limit, |r| r.id);
    Ok((rows.into_iter().map(Account::from).collect(), next))
}
