//! Teams of an organization and their members (core-api.md §3.6), and the organization-level
//! checks that teams, default permissions and organization robots share (§1.3).

use serde_json::json;

use crate::accounts::{robots, superuser_override, Account, Principal, TeamRole};
use crate::app::App;
use crate::config::Config;
use crate::db::{self, grants::RepositoryGrantRow, namespaces::MemberRow, namespaces::TeamRow};
use crate::db::{DbConn, DbTx};
use crate::logs::{self, Actor};

/// Outcomes of team and prototype operations; the texts are Quay's.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    InvalidTeamName(String),
    #[error("Team '{team}' is not a team in org '{org}'")]
    UnknownTeam { team: String, org: String },
    #[error("Organization does not exist: {0}")]
    UnknownOrganization(String),
    #[error("Cannot remove admin from team '{team}' because calling user would no longer have admin on org '{org}'")]
    LastAdminRole { team: String, org: String },
    #[error("Deleting team '{team}' would remove admin ability for user '{user}' in organization '{org}'")]
    LastAdminTeam {
        team: String,
        user: String,
        org: String,
    },
    #[error("User cannot remove themselves from their only admin team.")]
    LastAdminMembership,
    #[error("Unknown user")]
    UnknownUser,
    #[error(
        "Cannot add the specified robot to this team, as it is not a member of the organization"
    )]
    ForeignRobot,
    #[error("User {user} is already a member of team {team}")]
    AlreadyMember { user: String, team: String },
    #[error("User {user} does not belong to team {team}")]
    NotMember { user: String, team: String },
    #[error("Unknown activating user")]
    UnknownActivatingUser,
    #[error("Missing delegate user or team")]
    MissingDelegate,
    #[error("Not Found")]
    NotFound,
    #[error("Unauthorized")]
    Unauthorized,
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// What a caller may do in an organization, its credential's scopes applied.
pub struct OrgAccess {
    organization: Option<Account>,
    /// The caller's teams there, when its credential lets it act as a member at all.
    teams: Vec<TeamRow>,
    /// The strongest role among those teams, capped by the credential's scopes; on the
    /// caller's own namespace, admin capped likewise.
    role: Option<TeamRole>,
    /// A full-access superuser, who passes every check.
    superuser: bool,
    /// A global read-only superuser, who passes the reading checks.
    reader: bool,
}

impl OrgAccess {
    pub async fn load(
        conn: &mut DbConn,
        config: &Config,
        caller: &Principal<'_>,
        org_name: &str,
    ) -> db::Result<OrgAccess> {
        let (scopes, caller) = (caller.scopes, caller.account);
        let mut access = OrgAccess::anonymous(conn, org_name).await?;
        let cap = TeamRole::cap(scopes);
        if let (Some(org), Some(_)) = (&access.organization, cap) {
            access.teams = db::namespaces::list_teams_of_member(conn, org.id, caller.id).await?;
        }
        access.role = access
            .teams
            .iter()
            .filter_map(|t| TeamRole::parse(&t.role))
            .max()
            .min(cap);
        // Quay makes every user the admin of its own namespace as if it were an organization
        // (the `_OrganizationNeed` of `auth/permissions.py`), so on organization paths named
        // after itself a user passes the rights checks and then finds no organization there.
        if access.organization.is_none() && caller.username == org_name {
            access.role = cap;
        }
        access.superuser = superuser_override(config, caller, scopes);
        access.reader = caller.is_global_readonly_superuser(config);
        Ok(access)
    }

    /// What an anonymous caller may do: read what is public.
    pub async fn anonymous(conn: &mut DbConn, org_name: &str) -> db::Result<OrgAccess> {
        let organization = db::accounts::find_account_by_name(conn, org_name)
            .await?
            .map(Account::from)
            .filter(|a| a.organization);
        Ok(OrgAccess {
            organization,
            teams: Vec::new(),
            role: None,
            superuser: false,
            reader: false,
        })
    }

    /// The organization, whoever asks; None when the name is unknown or not an organization.
    pub fn organization(&self) -> Option<&Account> {
        self.organization.as_ref()
    }

    /// The caller's role through its teams (Quay's `AdministerOrganizationPermission` and
    /// `OrganizationMemberPermission`, which superusers do not pass).
    pub fn role(&self) -> Option<TeamRole> {
        self.role
    }

    /// Whether the caller administers the organization (or passes as a superuser).
    pub fn is_admin(&self) -> bool {
        self.role == Some(TeamRole::Admin) || self.superuser
    }

    /// Superusers with full access and global read-only superusers see every organization as
    /// its admins do.
    pub fn oversees(&self) -> bool {
        self.superuser || self.reader
    }

    pub fn is_team_member(&self, team_id: i64) -> bool {
        self.teams.iter().any(|t| t.id == team_id)
    }

    /// The caller's admin teams there.
    fn admin_teams(&self) -> Vec<&str> {
        self.teams
            .iter()
            .filter(|t| t.role == TeamRole::Admin.as_str())
            .map(|t| t.name.as_str())
            .collect()
    }

    /// The organization when `allowed`; a missing one is 404 only for callers who pass the
    /// check (Quay checks the permission first, so everyone else gets 403): superusers, and a
    /// user on its own namespace.
    fn gate(&self, allowed: bool, reading: bool) -> Result<&Account> {
        let privileged = self.superuser || (reading && self.reader);
        match &self.organization {
            Some(org) if allowed || privileged => Ok(org),
            None if allowed || privileged => Err(Error::NotFound),
            _ => Err(Error::Unauthorized),
        }
    }

    /// For changes: organization admins and full-access superusers.
    pub fn administer(&self) -> Result<&Account> {
        self.gate(self.role == Some(TeamRole::Admin), false)
    }

    /// For reads of admin-only data: also global read-only superusers.
    pub fn read(&self) -> Result<&Account> {
        self.gate(self.role == Some(TeamRole::Admin), true)
    }

    /// For reads open to every member (robot lists): any team of the organization.
    pub fn read_as_member(&self) -> Result<&Account> {
        self.gate(self.role.is_some(), true)
    }
}

/// What `caller` may do in the organization `org`.
pub async fn org_access(app: &App, caller: &Principal<'_>, org: &str) -> Result<OrgAccess> {
    let mut conn = app.db.reader().await?;
    Ok(OrgAccess::load(&mut conn, &app.config, caller, org).await?)
}

#[derive(Debug, Clone)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub role: TeamRole,
}

impl From<TeamRow> for Team {
    fn from(row: TeamRow) -> Self {
        Team {
            id: row.id,
            role: TeamRole::parse(&row.role).unwrap_or(TeamRole::Member),
            name: row.name,
            description: row.description,
        }
    }
}

/// A team after `PUT`: whether it was created, and whether the caller may view it now.
pub struct SavedTeam {
    pub team: Team,
    pub created: bool,
    pub can_view: bool,
}

/// Creates the team, or changes its role and description (core-api.md §3.6). Demoting the
/// caller's only admin team is refused, so an organization never loses its last admin.
#[allow(clippy::too_many_arguments)]
pub async fn set_team(
    app: &App,
    caller: &Principal<'_>,
    org_name: &str,
    team_name: &str,
    role: TeamRole,
    description: Option<String>,
) -> Result<SavedTeam> {
    let access = org_access(app, caller, org_name).await?;
    // Quay looks for the team, then for the organization to create it in: callers who pass
    // the rights check on a name that is no organization learn that as a data-model error.
    let org = access.administer().map_err(|e| match e {
        Error::NotFound => Error::UnknownOrganization(org_name.to_owned()),
        other => other,
    })?;
    let scope = logs::Scope::namespace(org.id);
    let mut tx = app.db.begin().await?;
    let existing = db::namespaces::find_team(&mut tx, org.id, team_name).await?;
    let created = existing.is_none();
    let team = match existing {
        None => {
            if let Some(problem) = robots::name_problem(team_name) {
                return Err(Error::InvalidTeamName(problem));
            }
            let description = description.unwrap_or_default();
            let id = db::namespaces::insert_team(&mut tx, org.id, team_name, role.as_str()).await?;
            db::namespaces::update_team(&mut tx, id, role.as_str(), &description).await?;
            let metadata = json!({ "team": team_name });
            logs::record(&mut tx, &caller.actor, "org_create_team", scope, metadata).await?;
            Team {
                id,
                name: team_name.to_owned(),
                description,
                role,
            }
        }
        Some(row) => {
            let mut team = Team::from(row);
            if let Some(description) = description.filter(|d| *d != team.description) {
                let metadata = json!({ "team": team_name, "description": description });
                logs::record(
                    &mut tx,
                    &caller.actor,
                    "org_set_team_description",
                    scope,
                    metadata,
                )
                .await?;
                team.description = description;
            }
            if role != team.role {
                if team.role == TeamRole::Admin && access.admin_teams() == [team_name] {
                    return Err(Error::LastAdminRole {
                        team: team_name.to_owned(),
                        org: org.username.clone(),
                    });
                }
                let metadata = json!({ "team": team_name, "role": role.as_str() });
                logs::record(&mut tx, &caller.actor, "org_set_team_role", scope, metadata).await?;
                team.role = role;
            }
            db::namespaces::update_team(&mut tx, team.id, team.role.as_str(), &team.description)
                .await?;
            team
        }
    };
    let can_view = is_org_admin_after_change(&mut tx, org, caller).await?
        || db::namespaces::is_team_member(&mut tx, team.id, caller.account.id).await?;
    db::commit(tx).await?;
    Ok(SavedTeam {
        team,
        created,
        can_view,
    })
}

/// Quay's `ViewTeamPermission` after the change: admin through a team, not as a superuser.
async fn is_org_admin_after_change(
    conn: &mut DbConn,
    org: &Account,
    caller: &Principal<'_>,
) -> db::Result<bool> {
    let admin = Some(TeamRole::Admin);
    Ok(TeamRole::cap(caller.scopes) == admin
        && super::team_role(conn, org, caller.account).await? == admin)
}

/// Deletes a team with its memberships, grants and prototypes. The caller's only admin team
/// cannot go.
pub async fn delete_team(
    app: &App,
    caller: &Principal<'_>,
    org_name: &str,
    team_name: &str,
) -> Result<()> {
    let access = org_access(app, caller, org_name).await?;
    // Quay looks the team up by organization and team name at once: on a name that is no
    // organization, callers who pass the rights check learn that the team is not there.
    let org = access.administer().map_err(|e| match e {
        Error::NotFound => Error::UnknownTeam {
            team: team_name.to_owned(),
            org: org_name.to_owned(),
        },
        other => other,
    })?;
    let mut tx = app.db.begin().await?;
    let team = db::namespaces::find_team(&mut tx, org.id, team_name)
        .await?
        .map(Team::from)
        .ok_or_else(|| Error::UnknownTeam {
            team: team_name.to_owned(),
            org: org.username.clone(),
        })?;
    if team.role == TeamRole::Admin && access.admin_teams() == [team_name] {
        return Err(Error::LastAdminTeam {
            team: team_name.to_owned(),
            user: caller.account.username.clone(),
            org: org.username.clone(),
        });
    }
    db::namespaces::delete_team(&mut tx, team.id).await?;
    let metadata = json!({ "team": team_name });
    let scope = logs::Scope::namespace(org.id);
    logs::record(&mut tx, &caller.actor, "org_delete_team", scope, metadata).await?;
    db::commit(tx).await?;
    Ok(())
}

/// A team's members, and whether the caller may change them.
pub struct TeamMembers {
    pub members: Vec<MemberRow>,
    pub can_edit: bool,
}

/// The team for its members, organization admins and read-only superusers; 404 only for
/// those who could see it.
async fn viewable_team(
    conn: &mut DbConn,
    access: &OrgAccess,
    team_name: &str,
) -> Result<(Account, Team)> {
    let org = access.read_as_member()?.clone();
    let team = db::namespaces::find_team(conn, org.id, team_name)
        .await?
        .map(Team::from);
    match team {
        Some(team) if access.read().is_ok() || access.is_team_member(team.id) => Ok((org, team)),
        None if access.read().is_ok() => Err(Error::NotFound),
        _ => Err(Error::Unauthorized),
    }
}

pub async fn list_team_members(
    app: &App,
    caller: &Principal<'_>,
    org_name: &str,
    team_name: &str,
) -> Result<TeamMembers> {
    let mut conn = app.db.reader().await?;
    let access = OrgAccess::load(&mut conn, &app.config, caller, org_name).await?;
    let (_, team) = viewable_team(&mut conn, &access, team_name).await?;
    Ok(TeamMembers {
        members: db::namespaces::list_team_members(&mut conn, team.id).await?,
        can_edit: access.is_admin(),
    })
}

/// A change of a team's members under way: its transaction, the caller's rights there, the
/// organization and the team.
struct MembershipChange {
    tx: DbTx,
    access: OrgAccess,
    org: Account,
    team: Team,
}

impl MembershipChange {
    /// Opens the change of a team of an organization the caller administers; 404 when the team
    /// does not exist.
    async fn begin(
        app: &App,
        caller: &Principal<'_>,
        org_name: &str,
        team_name: &str,
    ) -> Result<MembershipChange> {
        let mut tx = app.db.begin().await?;
        let access = OrgAccess::load(&mut tx, &app.config, caller, org_name).await?;
        let org = access.administer()?.clone();
        let team = db::namespaces::find_team(&mut tx, org.id, team_name)
            .await?
            .map(Team::from)
            .ok_or(Error::NotFound)?;
        Ok(MembershipChange {
            tx,
            access,
            org,
            team,
        })
    }

    /// Logs the change of `member_name` as `kind` and commits it.
    async fn commit(mut self, actor: &Actor, kind: &str, member_name: &str) -> Result<()> {
        let metadata = json!({ "member": member_name, "team": self.team.name });
        let scope = logs::Scope::namespace(self.org.id);
        logs::record(&mut self.tx, actor, kind, scope, metadata).await?;
        db::commit(self.tx).await?;
        Ok(())
    }
}

/// Adds a user or one of the organization's robots to a team. Berth runs without mail, so
/// the member is added at once (Quay's behaviour without `FEATURE_MAILING`).
pub async fn add_team_member(
    app: &App,
    caller: &Principal<'_>,
    org_name: &str,
    team_name: &str,
    member_name: &str,
) -> Result<MemberRow> {
    let mut change = MembershipChange::begin(app, caller, org_name, team_name).await?;
    let member = db::accounts::find_account_by_name(&mut change.tx, member_name)
        .await?
        .map(Account::from)
        .filter(|a| !a.organization)
        .ok_or(Error::UnknownUser)?;
    if member.robot && robots::owner_name(&member.username) != Some(change.org.username.as_str()) {
        return Err(Error::ForeignRobot);
    }
    if db::namespaces::is_team_member(&mut change.tx, change.team.id, member.id).await? {
        return Err(Error::AlreadyMember {
            user: member.username,
            team: change.team.name,
        });
    }
    db::namespaces::insert_team_member(&mut change.tx, change.team.id, member.id).await?;
    change
        .commit(&caller.actor, "org_add_team_member", member_name)
        .await?;
    Ok(MemberRow {
        id: member.id,
        username: member.username,
        email: member.email,
        robot: member.robot as i64,
    })
}

/// Removes a member; callers cannot leave their only admin team.
pub async fn remove_team_member(
    app: &App,
    caller: &Principal<'_>,
    org_name: &str,
    team_name: &str,
    member_name: &str,
) -> Result<()> {
    let mut change = MembershipChange::begin(app, caller, org_name, team_name).await?;
    let member = db::accounts::find_account_by_name(&mut change.tx, member_name)
        .await?
        .filter(|a| a.organization == 0)
        .ok_or(Error::NotFound)?;
    if member.id == caller.account.id && change.access.admin_teams() == [team_name] {
        return Err(Error::LastAdminMembership);
    }
    if !db::namespaces::delete_team_member(&mut change.tx, change.team.id, member.id).await? {
        return Err(Error::NotMember {
            user: member.username,
            team: change.team.name,
        });
    }
    change
        .commit(&caller.actor, "org_remove_team_member", member_name)
        .await
}

/// The repositories a team holds roles on, for organization admins and read-only superusers.
pub async fn list_team_permissions(
    app: &App,
    caller: &Principal<'_>,
    org_name: &str,
    team_name: &str,
) -> Result<Vec<RepositoryGrantRow>> {
    let mut conn = app.db.reader().await?;
    let access = OrgAccess::load(&mut conn, &app.config, caller, org_name).await?;
    let org = access.read()?;
    let team = db::namespaces::find_team(&mut conn, org.id, team_name)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(db::grants::list_team_grants(&mut conn, team.id).await?)
}
