//! Repository permissions of users, robots and teams (core-api.md §3.7): listed, set and
//! removed by repository admins, each change logged with the repository.

use serde_json::json;

use super::names::RepoName;
use super::permissions::effective_role;
use super::{find_repository, Repository, STATE_NORMAL};
use crate::accounts::Role;
use crate::accounts::{robots, Account, Scopes};
use crate::app::App;
use crate::db::{self, grants::TeamGrantRow, grants::UserGrantRow, DbConn};
use crate::logs::{self, Actor};

/// Outcomes of permission operations; the texts are Quay's.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Namespace owner must always be admin.")]
    OwnerMustBeAdmin,
    #[error("Invalid username: {0}")]
    InvalidUsername(String),
    #[error("Cannot add robot {robot} under namespace {namespace}")]
    ForeignRobot { robot: String, namespace: String },
    #[error("No team {team} in organization {org}")]
    NoTeam { team: String, org: String },
    #[error("User does not have permission for repo.")]
    NoUserPermission,
    #[error("Team does not have permission for repo.")]
    NoTeamPermission,
    #[error("Not Found")]
    NotFound,
    #[error("Unauthorized")]
    Unauthorized,
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Reads are also open to global read-only superusers; changes only to repository admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Read,
    Change,
}

/// The repository when the caller administers it. Quay checks the permission before looking
/// the repository up, so a missing one is 404 only for callers with rights over the whole
/// namespace (owner, organization admin, superusers) and 401/403 for everyone else.
async fn administered(
    app: &App,
    caller: &Account,
    scopes: Scopes,
    name: &RepoName,
    need: Need,
) -> Result<Repository> {
    let reader = need == Need::Read && caller.is_global_readonly_superuser(&app.config);
    let repo = find_repository(app, name).await?;
    let mut conn = app.db.reader().await?;
    let target = match repo {
        Some(repo) => repo,
        None => {
            let namespace = db::accounts::find_account_by_name(&mut conn, &name.namespace).await?;
            let Some(namespace) = namespace else {
                return Err(Error::Unauthorized);
            };
            // What the caller holds on any repository of the namespace without own grants.
            let any_repository = Repository {
                id: -1,
                namespace_id: namespace.id,
                namespace: namespace.username,
                name: name.name.clone(),
                public: false,
                kind: "image".into(),
                state: STATE_NORMAL.into(),
            };
            let role = effective_role(
                &mut conn,
                &app.config,
                Some(caller),
                scopes,
                &any_repository,
            )
            .await?;
            return Err(if reader || role == Some(Role::Admin) {
                Error::NotFound
            } else {
                Error::Unauthorized
            });
        }
    };
    let role = effective_role(&mut conn, &app.config, Some(caller), scopes, &target).await?;
    if role == Some(Role::Admin) || reader {
        Ok(target)
    } else {
        Err(Error::Unauthorized)
    }
}

/// A user's or robot's grant, with organization membership when the repository is an
/// organization's (robots always count as members).
pub struct UserGrant {
    pub grant: UserGrantRow,
    pub is_org_member: Option<bool>,
}

/// Pairs grants with organization membership.
async fn with_membership(
    conn: &mut DbConn,
    repo: &Repository,
    grants: Vec<UserGrantRow>,
) -> Result<Vec<UserGrant>> {
    let organization = db::accounts::find_account_by_id(conn, repo.namespace_id)
        .await?
        .is_some_and(|a| a.organization != 0);
    let members = if organization {
        Some(db::namespaces::list_organization_member_ids(conn, repo.namespace_id).await?)
    } else {
        None
    };
    Ok(grants
        .into_iter()
        .map(|grant| UserGrant {
            is_org_member: members
                .as_ref()
                .map(|ids| grant.robot != 0 || ids.contains(&grant.id)),
            grant,
        })
        .collect())
}

pub async fn list_user_permissions(
    app: &App,
    caller: &Account,
    scopes: Scopes,
    name: &RepoName,
) -> Result<Vec<UserGrant>> {
    let repo = administered(app, caller, scopes, name, Need::Read).await?;
    let mut conn = app.db.reader().await?;
    let grants = db::grants::list_user_grants(&mut conn, repo.id, None).await?;
    with_membership(&mut conn, &repo, grants).await
}

/// One user's or robot's own grant.
pub async fn get_user_permission(
    app: &App,
    caller: &Account,
    scopes: Scopes,
    name: &RepoName,
    username: &str,
) -> Result<UserGrant> {
    let repo = administered(app, caller, scopes, name, Need::Read).await?;
    let mut conn = app.db.reader().await?;
    let grants = db::grants::list_user_grants(&mut conn, repo.id, Some(username)).await?;
    let mut found = with_membership(&mut conn, &repo, grants).await?;
    found.pop().ok_or(Error::NoUserPermission)
}

/// Every role the user holds on the repository: its own grant, then its teams'.
pub async fn list_transitive_roles(
    app: &App,
    caller: &Account,
    scopes: Scopes,
    name: &RepoName,
    username: &str,
) -> Result<Vec<String>> {
    let repo = administered(app, caller, scopes, name, Need::Read).await?;
    let mut conn = app.db.reader().await?;
    let user = db::accounts::find_account_by_name(&mut conn, username)
        .await?
        .filter(|a| a.organization == 0)
        .ok_or(Error::NotFound)?;
    let roles = db::grants::list_account_roles(&mut conn, repo.id, user.id).await?;
    if roles.is_empty() {
        return Err(Error::NotFound);
    }
    Ok(roles)
}

/// Grants `role` to a user or to a robot of the repository's namespace; the namespace owner
/// stays admin.
pub async fn set_user_permission(
    app: &App,
    actor: &Actor,
    caller: &Account,
    scopes: Scopes,
    name: &RepoName,
    username: &str,
    role: Role,
) -> Result<UserGrant> {
    let repo = administered(app, caller, scopes, name, Need::Change).await?;
    if username == repo.namespace {
        return Err(Error::OwnerMustBeAdmin);
    }
    let mut tx = app.db.begin().await?;
    let user = db::accounts::find_account_by_name(&mut tx, username)
        .await?
        .filter(|a| a.organization == 0)
        .ok_or_else(|| Error::InvalidUsername(username.to_owned()))?;
    if user.robot != 0 && robots::owner_name(&user.username) != Some(repo.namespace.as_str()) {
        return Err(Error::ForeignRobot {
            robot: user.username,
            namespace: repo.namespace,
        });
    }
    db::registry::upsert_repository_permission(&mut tx, repo.id, user.id, role.as_str()).await?;
    let metadata = json!({
        "username": username, "repo": repo.name, "namespace": repo.namespace, "role": role.as_str(),
    });
    let scope = logs::Scope::repository(repo.namespace_id, repo.id);
    logs::record(&mut tx, actor, "change_repo_permission", scope, metadata).await?;
    let grant = UserGrantRow {
        id: user.id,
        username: user.username,
        email: user.email,
        robot: user.robot,
        role: role.as_str().to_owned(),
    };
    let mut saved = with_membership(&mut tx, &repo, vec![grant]).await?;
    db::commit(tx).await?;
    saved.pop().ok_or(Error::NoUserPermission)
}

pub async fn delete_user_permission(
    app: &App,
    actor: &Actor,
    caller: &Account,
    scopes: Scopes,
    name: &RepoName,
    username: &str,
) -> Result<()> {
    let repo = administered(app, caller, scopes, name, Need::Change).await?;
    if username == repo.namespace {
        return Err(Error::OwnerMustBeAdmin);
    }
    let mut tx = app.db.begin().await?;
    let user = db::accounts::find_account_by_name(&mut tx, username)
        .await?
        .ok_or(Error::NoUserPermission)?;
    if !db::grants::delete_user_permission(&mut tx, repo.id, user.id).await? {
        return Err(Error::NoUserPermission);
    }
    let metadata = json!({ "username": username, "repo": repo.name, "namespace": repo.namespace });
    let scope = logs::Scope::repository(repo.namespace_id, repo.id);
    logs::record(&mut tx, actor, "delete_repo_permission", scope, metadata).await?;
    db::commit(tx).await?;
    Ok(())
}

pub async fn list_team_permissions(
    app: &App,
    caller: &Account,
    scopes: Scopes,
    name: &RepoName,
) -> Result<Vec<TeamGrantRow>> {
    let repo = administered(app, caller, scopes, name, Need::Read).await?;
    let mut conn = app.db.reader().await?;
    Ok(db::grants::list_team_grants_of_repository(&mut conn, repo.id, None).await?)
}

pub async fn get_team_permission(
    app: &App,
    caller: &Account,
    scopes: Scopes,
    name: &RepoName,
    team_name: &str,
) -> Result<TeamGrantRow> {
    let repo = administered(app, caller, scopes, name, Need::Read).await?;
    let mut conn = app.db.reader().await?;
    db::grants::list_team_grants_of_repository(&mut conn, repo.id, Some(team_name))
        .await?
        .pop()
        .ok_or(Error::NoTeamPermission)
}

/// The team `team_name` of the repository's organization.
async fn find_team(conn: &mut DbConn, repo: &Repository, team_name: &str) -> Result<i64> {
    db::namespaces::find_team(conn, repo.namespace_id, team_name)
        .await?
        .map(|t| t.id)
        .ok_or_else(|| Error::NoTeam {
            team: team_name.to_owned(),
            org: repo.namespace.clone(),
        })
}

pub async fn set_team_permission(
    app: &App,
    actor: &Actor,
    caller: &Account,
    scopes: Scopes,
    name: &RepoName,
    team_name: &str,
    role: Role,
) -> Result<TeamGrantRow> {
    let repo = administered(app, caller, scopes, name, Need::Change).await?;
    let mut tx = app.db.begin().await?;
    let team_id = find_team(&mut tx, &repo, team_name).await?;
    db::grants::upsert_team_permission(&mut tx, repo.id, team_id, role.as_str()).await?;
    let metadata = json!({ "team": team_name, "repo": repo.name, "role": role.as_str() });
    let scope = logs::Scope::repository(repo.namespace_id, repo.id);
    logs::record(&mut tx, actor, "change_repo_permission", scope, metadata).await?;
    db::commit(tx).await?;
    Ok(TeamGrantRow {
        name: team_name.to_owned(),
        role: role.as_str().to_owned(),
    })
}

pub async fn delete_team_permission(
    app: &App,
    actor: &Actor,
    caller: &Account,
    scopes: Scopes,
    name: &RepoName,
    team_name: &str,
) -> Result<()> {
    let repo = administered(app, caller, scopes, name, Need::Change).await?;
    let mut tx = app.db.begin().await?;
    let team_id = db::namespaces::find_team(&mut tx, repo.namespace_id, team_name)
        .await?
        .ok_or(Error::NoTeamPermission)?
        .id;
    if !db::grants::delete_team_permission(&mut tx, repo.id, team_id).await? {
        return Err(Error::NoTeamPermission);
    }
    let metadata = json!({ "team": team_name, "repo": repo.name });
    let scope = logs::Scope::repository(repo.namespace_id, repo.id);
    logs::record(&mut tx, actor, "delete_repo_permission", scope, metadata).await?;
    db::commit(tx).await?;
    Ok(())
}
