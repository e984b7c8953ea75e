//! Robot accounts of users and organizations (core-api.md §1.11): creation, token display and
//! regeneration, deletion, and their repository grants. Robot logins are `accounts::robots`.

use serde_json::{json, Value};

use super::teams::{self, OrgAccess};
use crate::accounts::robots::name_problem;
use crate::accounts::{passwords, Account, Principal};
use crate::app::App;
use crate::db::{self, accounts::NewAccount, grants::RepositoryGrantRow, robots::RobotRow};
use crate::logs;
use crate::random::random_code;

/// Robot tokens: 64 characters from `[A-Z0-9]`.
const TOKEN_LENGTH: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("The name for the robot '{short}' is invalid: {reason}")]
    InvalidName { short: String, reason: String },
    #[error("Existing robot with name: {0}")]
    Exists(String),
    #[error("Could not find robot with username: {0}")]
    NotFound(String),
    /// The owner cannot be reached: not found, or not the caller's to manage.
    #[error(transparent)]
    Owner(#[from] teams::Error),
    #[error(transparent)]
    Db(#[from] db::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Whose robots a request is about.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    /// The calling user's own robots (`/user/robots`), which need `user:admin`.
    CallingUser,
    Organization(&'a str),
}

/// What a request may do with the robots of a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Need {
    /// Listing: any organization member, tokens for admins only.
    List,
    /// Reading one robot or its permissions.
    Read,
    Change,
}

/// The owner account, and whether the caller may see tokens.
async fn authorize(
    app: &App,
    caller: &Principal<'_>,
    owner: Owner<'_>,
    need: Need,
) -> Result<(Account, bool)> {
    match owner {
        Owner::CallingUser
            if caller.account.is_plain_user() && caller.scopes.contains_user_admin() =>
        {
            Ok((caller.account.clone(), true))
        }
        Owner::CallingUser => Err(teams::Error::Unauthorized.into()),
        Owner::Organization(name) => {
            let mut conn = app.db.reader().await?;
            let access = OrgAccess::load(&mut conn, &app.config, caller, name).await?;
            let org = match need {
                Need::List => access.read_as_member()?,
                Need::Read => access.read()?,
                Need::Change => access.administer()?,
            };
            // Quay shows a single robot's token to every reader, list tokens only to admins.
            let tokens = need != Need::List || access.is_admin();
            Ok((org.clone(), tokens))
        }
    }
}

/// A robot as the API shows it.
#[derive(Debug, Clone)]
pub struct Robot {
    pub name: String,
    pub created_ms: i64,
    pub description: String,
    pub unstructured_metadata: Value,
    pub token: Option<String>,
    pub last_accessed_ms: Option<i64>,
}

/// A listed robot, with its teams and directly granted repositories when asked for.
pub struct ListedRobot {
    pub robot: Robot,
    pub permissions: Option<(Vec<String>, Vec<String>)>,
}

/// Robot tokens are stored encrypted, so that they can be shown again.
fn decrypt_token(app: &App, row: &RobotRow) -> Result<String> {
    passwords::decrypt_stored(app, &row.token).ok_or_else(|| {
        anyhow::anyhow!("robot {} has a token the key cannot read", row.username).into()
    })
}

fn robot_view(app: &App, row: &RobotRow, with_token: bool) -> Result<Robot> {
    Ok(Robot {
        name: row.username.clone(),
        created_ms: row.created_ms,
        description: row.description.clone(),
        unstructured_metadata: serde_json::from_str(&row.unstructured_metadata)
            .unwrap_or_else(|_| json!({})),
        token: with_token.then(|| decrypt_token(app, row)).transpose()?,
        last_accessed_ms: row.last_accessed_ms,
    })
}

/// The owner and its robot `short`, when the caller may do `need` with the owner's robots.
pub(super) async fn find_owned(
    app: &App,
    caller: &Principal<'_>,
    owner: Owner<'_>,
    short: &str,
    need: Need,
) -> Result<(Account, RobotRow)> {
    let (owner, _) = authorize(app, caller, owner, need).await?;
    let name = format!("{}+{short}", owner.username);
    let mut conn = app.db.reader().await?;
    let row = db::robots::find_robot(&mut conn, &name)
        .await?
        .filter(|r| r.owner_id == owner.id)
        .ok_or(Error::NotFound(name))?;
    Ok((owner, row))
}

pub struct ListOptions {
    pub permissions: bool,
    pub token: bool,
    pub limit: Option<i64>,
}

pub async fn list_robots(
    app: &App,
    caller: &Principal<'_>,
    owner: Owner<'_>,
    options: ListOptions,
) -> Result<Vec<ListedRobot>> {
    let (owner, may_see_tokens) = authorize(app, caller, owner, Need::List).await?;
    let mut conn = app.db.reader().await?;
    let limit = options.limit.unwrap_or(i64::MAX).max(0);
    let rows = db::robots::list_robots(&mut conn, owner.id, limit).await?;
    // Teams and grants come in two queries for the whole page, not one per robot.
    let permissions = if options.permissions && may_see_tokens {
        Some((
            db::robots::list_robot_teams(&mut conn, owner.id).await?,
            db::robots::list_robot_repositories(&mut conn, owner.id).await?,
        ))
    } else {
        None
    };
    rows.iter()
        .map(|row| {
            Ok(ListedRobot {
                robot: robot_view(app, row, options.token && may_see_tokens)?,
                permissions: permissions.as_ref().map(|(teams, repositories)| {
                    let teams = teams.iter().filter(|t| t.robot_id == row.id);
                    let repositories = repositories.iter().filter(|r| r.robot_id == row.id);
                    (
                        teams.map(|t| t.team_name.clone()).collect(),
                        repositories.map(|r| r.repository_name.clone()).collect(),
                    )
                }),
            })
        })
        .collect()
}

pub async fn get_robot(
    app: &App,
    caller: &Principal<'_>,
    owner: Owner<'_>,
    short: &str,
) -> Result<Robot> {
    let (_, row) = find_owned(app, caller, owner, short, Need::Read).await?;
    robot_view(app, &row, true)
}

/// The optional details of a new robot.
#[derive(Debug, Default)]
pub struct RobotDetails {
    pub description: Option<String>,
    pub unstructured_metadata: Option<Value>,
}

/// Creates `owner+short` with a new token (core-api.md §1.11).
pub async fn create_robot(
    app: &App,
    caller: &Principal<'_>,
    owner: Owner<'_>,
    short: &str,
    details: RobotDetails,
) -> Result<Robot> {
    let RobotDetails {
        description,
        unstructured_metadata,
    } = details;
    let (owner, _) = authorize(app, caller, owner, Need::Change).await?;
    if let Some(reason) = name_problem(short) {
        return Err(Error::InvalidName {
            short: short.to_owned(),
            reason,
        });
    }
    let name = format!("{}+{short}", owner.username);
    let token = random_code(TOKEN_LENGTH);
    let metadata_text = unstructured_metadata
        .clone()
        .unwrap_or_else(|| json!({}))
        .to_string();
    let mut tx = app.db.begin().await?;
    match db::robots::find_robot_name(&mut tx, &name).await? {
        Some(existing) if existing.owner_id == Some(owner.id) => return Err(Error::Exists(name)),
        // Left behind by a deleted namespace whose name has been taken again.
        Some(stale) => db::robots::delete_robot(&mut tx, stale.id).await?,
        None => {}
    }
    let uuid = uuid::Uuid::new_v4().to_string();
    let account = db::accounts::insert_account(
        &mut tx,
        &NewAccount {
            uuid: &uuid,
            username: &name,
            // Robots have no address; a unique placeholder keeps the e-mail index happy.
            email: &uuid::Uuid::new_v4().to_string(),
            password_hash: None,
            verified: true,
            organization: false,
            robot: true,
            superuser: false,
            tag_expiration_s: app.config.default_tag_expiration_s,
            created_ms: db::now_ms(),
        },
    )
    .await?;
    let stored_description: String = description.clone().unwrap_or_default();
    db::robots::insert_robot(
        &mut tx,
        &db::robots::NewRobot {
            account_id: account.id,
            owner_id: owner.id,
            token: &passwords::encrypt_stored(app, &token),
            description: &stored_description,
            unstructured_metadata: &metadata_text,
        },
    )
    .await?;
    let metadata = json!({
        "robot": short, "description": description, "unstructured_metadata": unstructured_metadata,
    });
    logs::record(
        &mut tx,
        &caller.actor,
        "create_robot",
        logs::Scope::namespace(owner.id),
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    tracing::info!(robot.name = %name, "robot created");
    Ok(Robot {
        name,
        created_ms: account.created_ms,
        description: stored_description,
        unstructured_metadata: serde_json::from_str(&metadata_text).unwrap_or_else(|_| json!({})),
        token: Some(token),
        last_accessed_ms: None,
    })
}

pub async fn delete_robot(
    app: &App,
    caller: &Principal<'_>,
    owner: Owner<'_>,
    short: &str,
) -> Result<()> {
    let (owner, row) = find_owned(app, caller, owner, short, Need::Change).await?;
    let mut tx = app.db.begin().await?;
    db::robots::delete_robot(&mut tx, row.id).await?;
    let scope = logs::Scope::namespace(owner.id);
    let metadata = json!({ "robot": short });
    logs::record(&mut tx, &caller.actor, "delete_robot", scope, metadata).await?;
    db::commit(tx).await?;
    tracing::info!(robot.name = %row.username, "robot deleted");
    Ok(())
}

/// Replaces the token; the old one stops working at once.
pub async fn regenerate_token(
    app: &App,
    caller: &Principal<'_>,
    owner: Owner<'_>,
    short: &str,
) -> Result<Robot> {
    let (owner, mut row) = find_owned(app, caller, owner, short, Need::Change).await?;
    let token = random_code(TOKEN_LENGTH);
    row.token = passwords::encrypt_stored(app, &token);
    let mut tx = app.db.begin().await?;
    db::robots::update_robot_token(&mut tx, row.id, &row.token).await?;
    let scope = logs::Scope::namespace(owner.id);
    let metadata = json!({ "robot": short });
    logs::record(
        &mut tx,
        &caller.actor,
        "regenerate_robot_token",
        scope,
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    robot_view(app, &row, true)
}

/// The repositories granted directly to the robot.
pub async fn list_robot_permissions(
    app: &App,
    caller: &Principal<'_>,
    owner: Owner<'_>,
    short: &str,
) -> Result<Vec<RepositoryGrantRow>> {
    let (_, row) = find_owned(app, caller, owner, short, Need::Read).await?;
    let mut conn = app.db.reader().await?;
    Ok(db::grants::list_account_grants(&mut conn, row.id).await?)
}
