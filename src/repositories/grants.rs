//! Repository permissions of users, robots and teams (core-api.md §3.7): listed, set and
//! removed by repository admins, each change logged with the repository.

use serde_json::json;

use super::names::RepoName;
use super::permissions::effective_role;
use super::{find_repository, Repository, STATE_NORMAL};
use crate::accounts::{robots, Principal, Role};
use crate::app::App;
use crate::db::{self, grants::TeamGrantRow, grants::UserGrantRow, DbConn};
use crate::logs;

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
pub async fn administered(
    app: &App,
    caller: &Principal<'_>,
    name: &RepoName,
    need: Need,
) -> Result<Repository> {
    let reader = need == Need::Read && caller.account.is_global_readonly_superuser(&app.config);
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
                Some(caller.account),
                caller.scopes,
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
    let role = effective_role(
        &mut conn,
        &app.config,
        Some(caller.account),
        caller.scopes,
        &target,
    )
    .await?;
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

/// Whom a repository permission is granted to: a user or robot, or a team of the
/// repository's organization.
#[derive(Debug, Clone, Copy)]
pub enum Grantee<'a> {
    User(&'a str),
    Team(&'a str),
}

/// Which kind of grantee a permission list is about.
#[derive(Debug, Clone, Copy)]
pub enum GranteeKind {
    User,
    Team,
}

/// One permission on a repository.
pub enum Grant {
    User(UserGrant),
    Team(TeamGrantRow),
}

impl Grant {
    /// The grantee's name: the user, robot or team.
    pub fn name(&self) -> &str {
        match self {
            Grant::User(user) => &user.grant.username,
            Grant::Team(team) => &team.name,
        }
    }
}

/// The grants of one kind on the repository.
pub async fn list_permissions(
    app: &App,
    caller: &Principal<'_>,
    name: &RepoName,
    kind: GranteeKind,
) -> Result<Vec<Grant>> {
    let repo = administered(app, caller, name, Need::Read).await?;
    let mut conn = app.db.reader().await?;
    find_grants(&mut conn, &repo, kind, None).await
}

/// The grantee's own grant.
pub async fn get_permission(
    app: &App,
    caller: &Principal<'_>,
    name: &RepoName,
    grantee: Grantee<'_>,
) -> Result<Grant> {
    let repo = administered(app, caller, name, Need::Read).await?;
    let mut conn = app.db.reader().await?;
    let (kind, grantee_name) = grantee.split();
    let mut found = find_grants(&mut conn, &repo, kind, Some(grantee_name)).await?;
    found.pop().ok_or(grantee.no_permission())
}

async fn find_grants(
    conn: &mut DbConn,
    repo: &Repository,
    kind: GranteeKind,
    grantee_name: Option<&str>,
) -> Result<Vec<Grant>> {
    Ok(match kind {
        GranteeKind::User => {
            let grants = db::grants::list_user_grants(conn, repo.id, grantee_name).await?;
            let grants = with_membership(conn, repo, grants).await?;
            grants.into_iter().map(Grant::User).collect()
        }
        GranteeKind::Team => {
            db::grants::list_team_grants_of_repository(conn, repo.id, grantee_name)
                .await?
                .into_iter()
                .map(Grant::Team)
                .collect()
        }
    })
}

impl<'a> Grantee<'a> {
    fn split(self) -> (GranteeKind, &'a str) {
        match self {
            Grantee::User(name) => (GranteeKind::User, name),
            Grantee::Team(name) => (GranteeKind::Team, name),
        }
    }

    fn no_permission(self) -> Error {
        match self {
            Grantee::User(_) => Error::NoUserPermission,
            Grantee::Team(_) => Error::NoTeamPermission,
        }
    }
}

/// Every role the user holds on the repository: its own grant, then its teams'.
pub async fn list_transitive_roles(
    app: &App,
    caller: &Principal<'_>,
    name: &RepoName,
    username: &str,
) -> Result<Vec<String>> {
    let repo = administered(app, caller, name, Need::Read).await?;
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

/// Grants `role`: to a user or to a robot of the repository's namespace (the namespace owner
/// stays admin), or to a team of its organization. Logged as `change_repo_permission`.
pub async fn set_permission(
    app: &App,
    caller: &Principal<'_>,
    name: &RepoName,
    grantee: Grantee<'_>,
    role: Role,
) -> Result<Grant> {
    let repo = administered(app, caller, name, Need::Change).await?;
    let mut tx = app.db.begin().await?;
    let (grant, metadata) = match grantee {
        Grantee::User(username) => {
            if username == repo.namespace {
                return Err(Error::OwnerMustBeAdmin);
            }
            let user = db::accounts::find_account_by_name(&mut tx, username)
                .await?
                .filter(|a| a.organization == 0)
                .ok_or_else(|| Error::InvalidUsername(username.to_owned()))?;
            if user.robot != 0 && robots::owner_name(&user.username) != Some(&repo.namespace) {
                return Err(Error::ForeignRobot {
                    robot: user.username,
                    namespace: repo.namespace,
                });
            }
            db::registry::upsert_repository_permission(&mut tx, repo.id, user.id, role.as_str())
                .await?;
            let grant = UserGrantRow {
                id: user.id,
                username: user.username,
                email: user.email,
                robot: user.robot,
                role: role.as_str().to_owned(),
            };
            let mut saved = with_membership(&mut tx, &repo, vec![grant]).await?;
            let saved = saved.pop().ok_or(Error::NoUserPermission)?;
            let metadata = json!({
                "username": username, "repo": repo.name, "namespace": repo.namespace,
                "role": role.as_str(),
            });
            (Grant::User(saved), metadata)
        }
        Grantee::Team(team_name) => {
            let team_id = find_team(&mut tx, &repo, team_name).await?;
            db::grants::upsert_team_permission(&mut tx, repo.id, team_id, role.as_str()).await?;
            let grant = TeamGrantRow {
                name: team_name.to_owned(),
                role: role.as_str().to_owned(),
            };
            let metadata = json!({ "team": team_name, "repo": repo.name, "role": role.as_str() });
            (Grant::Team(grant), metadata)
        }
    };
    let scope = logs::Scope::repository(repo.namespace_id, repo.id);
    logs::record(
        &mut tx,
        &caller.actor,
        "change_repo_permission",
        scope,
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(grant)
}

/// Removes the grantee's own grant. Logged as `delete_repo_permission`.
pub async fn delete_permission(
    app: &App,
    caller: &Principal<'_>,
    name: &RepoName,
    grantee: Grantee<'_>,
) -> Result<()> {
    let repo = administered(app, caller, name, Need::Change).await?;
    let mut tx = app.db.begin().await?;
    let (deleted, metadata) = match grantee {
        Grantee::User(username) => {
            if username == repo.namespace {
                return Err(Error::OwnerMustBeAdmin);
            }
            let user = db::accounts::find_account_by_name(&mut tx, username)
                .await?
                .ok_or(Error::NoUserPermission)?;
            let deleted = db::grants::delete_user_permission(&mut tx, repo.id, user.id).await?;
            let metadata =
                json!({ "username": username, "repo": repo.name, "namespace": repo.namespace });
            (deleted, metadata)
        }
        Grantee::Team(team_name) => {
            let team = db::namespaces::find_team(&mut tx, repo.namespace_id, team_name)
                .await?
                .ok_or(Error::NoTeamPermission)?;
            let deleted = db::grants::delete_team_permission(&mut tx, repo.id, team.id).await?;
            (deleted, json!({ "team": team_name, "repo": repo.name }))
        }
    };
    if !deleted {
        return Err(grantee.no_permission());
    }
    let scope = logs::Scope::repository(repo.namespace_id, repo.id);
    logs::record(
        &mut tx,
        &caller.actor,
        "delete_repo_permission",
        scope,
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(())
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
