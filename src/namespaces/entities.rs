//! Entity search (`GET /api/v1/entities/{prefix}`): the users, robots, teams and organization
//! whose names start with a prefix, as permission dialogs and Quay clients look accounts up.
//! Robots and teams of `namespace` show only to who may see them there.

use super::teams::OrgAccess;
use crate::accounts::{Account, Principal};
use crate::app::App;
use crate::db::{self, namespaces::TeamRow};

/// Quay lists at most this many users (with robots) and teams.
const LIMIT: i64 = 10;

/// What a search asks.
pub struct EntityQuery<'a> {
    pub prefix: &'a str,
    /// The namespace whose robots, teams and membership count.
    pub namespace: &'a str,
    pub include_teams: bool,
    pub include_orgs: bool,
}

#[derive(Debug, Clone)]
pub struct MatchingAccount {
    pub username: String,
    pub email: String,
    pub robot: bool,
    /// Set when `namespace` is an organization: whether the account is in one of its teams
    /// (its robots always are).
    pub org_member: Option<bool>,
}

/// What a search found, in Quay's order: teams, users and robots, the organization.
#[derive(Debug, Clone, Default)]
pub struct Entities {
    pub teams: Vec<TeamRow>,
    pub accounts: Vec<MatchingAccount>,
    pub organization: Option<Account>,
}

/// Searches as `caller` (None: anonymous). The prefix is compared without spaces and in
/// lower case, as Quay does.
pub async fn search(
    app: &App,
    caller: Option<&Principal<'_>>,
    query: &EntityQuery<'_>,
) -> db::Result<Entities> {
    let prefix: String = query
        .prefix
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let mut conn = app.db.reader().await?;
    let access = match caller {
        Some(caller) => OrgAccess::load(&mut conn, &app.config, caller, query.namespace).await?,
        None => OrgAccess::anonymous(&mut conn, query.namespace).await?,
    };
    let mut found = Entities::default();
    let mut robot_namespace = None;
    let organization = access.organization().cloned();
    match &organization {
        Some(org) if access.role().is_some() || access.is_admin() => {
            robot_namespace = Some(org.username.clone());
            if query.include_teams {
                found.teams =
                    db::namespaces::list_matching_teams(&mut conn, org.id, &prefix, LIMIT).await?;
            }
            // Quay tests the admin permission object itself, not whether it holds: members
            // see the organization too.
            if query.include_orgs && org.username.starts_with(&prefix) {
                found.organization = Some(org.clone());
            }
        }
        Some(_) => {}
        None => {
            // A user's own namespace: its robots, for a login that may administer the user.
            if let Some(caller) = caller {
                if caller.account.username == query.namespace && caller.scopes.contains_user_admin()
                {
                    robot_namespace = Some(caller.account.username.clone());
                }
            }
        }
    }
    let robot_prefix = robot_namespace.map(|ns| format!("{ns}+{prefix}"));
    let rows = db::namespaces::list_matching_accounts(
        &mut conn,
        &prefix,
        robot_prefix.as_deref(),
        organization.as_ref().map(|o| o.id),
        LIMIT,
    )
    .await?;
    found.accounts = rows
        .into_iter()
        .map(|row| MatchingAccount {
            username: row.username,
            email: row.email,
            robot: row.robot != 0,
            org_member: organization.as_ref().map(|_| row.org_member != 0),
        })
        .collect();
    Ok(found)
}
