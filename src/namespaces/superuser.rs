//! What a superuser does to namespaces (superuser-api.md §5.7, §6): list, change and delete
//! organizations, and take ownership of any namespace.

use serde_json::json;

use super::organizations::{self, OrganizationChanges};
use super::{get_organization, Error, Result};
use crate::accounts::{self, Account};
use crate::app::App;
use crate::db;
use crate::logs::{self, Actor};

/// One page of organizations, optionally only the one called `name` (Berth's decision 2).
pub async fn list_organizations(
    app: &App,
    name: Option<&str>,
    start_id: i64,
    limit: Option<i64>,
) -> Result<(Vec<Account>, Option<i64>)> {
    let mut conn = app.db.reader().await?;
    let mut rows = db::accounts::list_organizations_page(&mut conn, name, start_id, limit).await?;
    let next = crate::paging::split_next(&mut rows, limit, |r| r.id);
    Ok((rows.into_iter().map(Account::from).collect(), next))
}

/// `PUT /superuser/organizations/{name}`: the organization's settings as its admins change
/// them, and its name (Berth's decision 1).
pub async fn update_organization(
    app: &App,
    actor: &Actor,
    name: &str,
    changes: OrganizationChanges,
) -> Result<Account> {
    let org = get_organization(app, name).await?;
    organizations::apply_changes(app, actor, &org, changes).await
}

/// Deletes an organization as its admins do.
pub async fn delete_organization(app: &App, actor: &Actor, name: &str) -> Result<()> {
    let org = get_organization(app, name).await?;
    organizations::mark_deleted(app, actor, &org).await
}

/// Makes `superuser` an admin of `namespace`: added to an organization's `owners` team, or a
/// user converted into an organization owned by the superuser (superuser-api.md §5.7).
pub async fn take_ownership(
    app: &App,
    actor: &Actor,
    superuser: &Account,
    namespace: &str,
) -> Result<()> {
    let target = accounts::find_account(app, namespace)
        .await?
        .filter(|a| !a.robot)
        .ok_or(Error::NotFound)?;
    if target.is_superuser(&app.config) {
        return Err(Error::CannotTakeOwnershipOfSuperuser);
    }
    let was_user = !target.organization;
    let mut tx = app.db.begin().await?;
    if was_user {
        db::accounts::convert_to_organization(&mut tx, target.id).await?;
    }
    let owners = match db::namespaces::find_team_id(&mut tx, target.id, "owners").await? {
        Some(id) => id,
        None => db::namespaces::insert_team(&mut tx, target.id, "owners", "admin").await?,
    };
    db::namespaces::insert_team_member(&mut tx, owners, superuser.id).await?;
    let metadata = json!({
        "entity_id": target.id, "namespace": namespace, "was_user": was_user,
        "superuser": superuser.username,
    });
    let scope = logs::Scope::namespace(superuser.id);
    logs::record(&mut tx, actor, "take_ownership", scope, metadata).await?;
    db::commit(tx).await?;
    Ok(())
}
