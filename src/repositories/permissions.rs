//! What an account may do on a repository (core-api.md §1.3). One decision, `effective_role`,
//! for users and robots alike: own and team grants, namespace and organization rights.

use super::Repository;
use crate::accounts::{superuser_override, Account, Role, Scopes, TeamRole};
use crate::config::Config;
use crate::db::{self, DbConn};
use crate::namespaces;

/// The role `account` (None: anonymous) holds on `repo` through a credential with `scopes`:
/// namespace owner, organization admin, full-access superuser, its own or its teams' grants,
/// global read-only superuser, or a public repository's read; then capped by the scopes.
pub async fn effective_role(
    conn: &mut DbConn,
    config: &Config,
    account: Option<&Account>,
    scopes: Scopes,
    repo: &Repository,
) -> db::Result<Option<Role>> {
    let public_read = repo.public.then_some(Role::Read);
    let Some(account) = account else {
        return Ok(public_read);
    };
    let owned = account.id == repo.namespace_id;
    let held = if owned
        || superuser_override(config, account, scopes)
        || org_role(conn, repo.namespace_id, account).await? == Some(TeamRole::Admin)
    {
        Some(Role::Admin)
    } else {
        let granted = db::grants::list_account_roles(conn, repo.id, account.id).await?;
        let global_read = account
            .is_global_readonly_superuser(config)
            .then_some(Role::Read);
        granted
            .iter()
            .filter_map(|r| Role::parse(r))
            .max()
            .max(global_read)
    };
    // A public repository stays readable whatever the token's scopes.
    Ok(held.min(Role::cap(scopes)).max(public_read))
}

/// The team role `account` holds in the organization `namespace_id`; None for user namespaces.
async fn org_role(
    conn: &mut DbConn,
    namespace_id: i64,
    account: &Account,
) -> db::Result<Option<TeamRole>> {
    match db::accounts::find_account_by_id(conn, namespace_id)
        .await?
        .map(Account::from)
    {
        Some(namespace) if namespace.organization => {
            namespaces::team_role(conn, &namespace, account).await
        }
        _ => Ok(None),
    }
}

/// Whether `account` may create repositories in `namespace` with `scopes`: its own namespace,
/// or an organization where one of its teams has the `creator` or `admin` role. Tokens need
/// `repo:create` or `org:admin` (team roles capped at creator or admin, core-api.md §1.3).
pub async fn can_create_in(
    conn: &mut DbConn,
    account: &Account,
    namespace: &Account,
    scopes: Scopes,
) -> db::Result<bool> {
    if TeamRole::cap(scopes) < Some(TeamRole::Creator) || account.organization {
        return Ok(false);
    }
    if account.id == namespace.id {
        return Ok(!account.robot);
    }
    Ok(namespace.organization
        && namespaces::team_role(conn, namespace, account).await? >= Some(TeamRole::Creator))
}
