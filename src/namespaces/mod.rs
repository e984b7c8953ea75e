//! Organizations and what hangs off them: teams, OAuth applications and the tokens minted
//! through those applications.

pub mod applications;
pub mod entities;
pub mod federation;
pub mod oauth;
pub mod organizations;
pub mod prototypes;
pub mod proxy_cache;
pub mod robots;
pub mod superuser;
pub mod teams;

use serde_json::json;

use crate::accounts::{self, Account, Scopes, TeamRole};
use crate::app::App;
use crate::db::{self, accounts::NewAccount, DbConn};
use crate::logs::{self, Actor};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("A user or organization with this name already exists")]
    NameTaken,
    #[error(transparent)]
    InvalidName(accounts::Error),
    #[error("Invalid email address")]
    InvalidEmail,
    #[error("Invalid scope: {0}")]
    InvalidScope(String),
    #[error("Application name is reserved for bootstrap token provisioning")]
    ReservedApplicationName,
    #[error("Token name must be between 1 and 255 characters")]
    InvalidTokenName,
    /// `OAUTH_APPLICATION_MAXIMUM_TOKEN_COUNT` unexpired tokens exist already.
    #[error("Token limit reached: maximum {0} non-expired tokens per application")]
    TokenLimitReached(i64),
    #[error("{0}")]
    InvalidNewName(String),
    #[error("Invalid tag expiration option")]
    InvalidTagExpiration,
    #[error("E-mail address already used")]
    EmailInUse,
    #[error("Cannot remove user as they are the only organization admin")]
    LastAdmin,
    #[error("Cannot take ownership of a superuser")]
    CannotTakeOwnershipOfSuperuser,
    #[error("Not Found")]
    NotFound,
    #[error("Unauthorized")]
    Unauthorized,
    /// The organization is missing or not the caller's to reach.
    #[error(transparent)]
    Access(#[from] teams::Error),
    #[error(transparent)]
    Db(#[from] db::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<accounts::Error> for Error {
    fn from(err: accounts::Error) -> Self {
        match err {
            accounts::Error::UsernameTakenByUser(_)
            | accounts::Error::UsernameTakenByOrganization(_)
            | accounts::Error::UsernameUnavailable => Error::NameTaken,
            accounts::Error::Db(e) => Error::Db(e),
            accounts::Error::Internal(e) => Error::Internal(e),
            other => Error::InvalidName(other),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// The strongest team role `account` holds in `organization`, if any.
pub async fn team_role(
    conn: &mut DbConn,
    organization: &Account,
    account: &Account,
) -> db::Result<Option<TeamRole>> {
    let roles = db::namespaces::list_team_roles(conn, organization.id, account.id).await?;
    Ok(roles.iter().filter_map(|r| TeamRole::parse(r)).max())
}

/// An organization by name.
pub async fn get_organization(app: &App, name: &str) -> Result<Account> {
    accounts::find_account(app, name)
        .await?
        .filter(|a| a.organization)
        .ok_or(Error::NotFound)
}

/// True when `account`, with the rights `scopes` leave it, administers `organization`.
pub async fn is_org_admin(
    app: &App,
    organization: &Account,
    account: &Account,
    scopes: Scopes,
) -> Result<bool> {
    if TeamRole::cap(scopes) != Some(TeamRole::Admin) {
        return Ok(false);
    }
    let mut conn = app.db.reader().await?;
    Ok(team_role(&mut conn, organization, account).await? == Some(TeamRole::Admin))
}

/// Creates an organization whose `owners` team (role admin) holds its creator.
pub async fn create_organization(
    app: &App,
    actor: &Actor,
    creator: &Account,
    name: &str,
    email: Option<&str>,
) -> Result<Account> {
    if app.config.features.mailing {
        accounts::validate_email(email).map_err(|_| Error::InvalidEmail)?;
    }
    let mut tx = app.db.begin().await?;
    accounts::check_name_available(&mut tx, name).await?;
    let stored_email = email
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let row = db::accounts::insert_account(
        &mut tx,
        &NewAccount {
            uuid: &uuid::Uuid::new_v4().to_string(),
            username: name,
            email: &stored_email,
            password_hash: None,
            verified: true,
            organization: true,
            robot: false,
            superuser: false,
            tag_expiration_s: app.config.default_tag_expiration_s,
            created_ms: db::now_ms(),
        },
    )
    .await?;
    let owners = db::namespaces::insert_team(&mut tx, row.id, "owners", "admin").await?;
    db::namespaces::insert_team_member(&mut tx, owners, creator.id).await?;
    let metadata = json!({ "email": email, "namespace": name });
    let scope = logs::Scope::namespace(row.id);
    logs::record(&mut tx, actor, "org_create", scope, metadata).await?;
    db::commit(tx).await?;
    tracing::info!(org.name = %name, "organization created");
    Ok(row.into())
}
