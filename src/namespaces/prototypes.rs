//! Default permissions (permission prototypes) of an organization (core-api.md §3.8): "when
//! this user (or anyone) creates a repository here, grant that user, robot or team a role".

use std::collections::BTreeMap;

use serde_json::json;

use super::teams::{Error, OrgAccess, Result};
use crate::accounts::{Account, Principal, Role};
use crate::app::App;
use crate::db::{self, namespaces::PrototypeRow, DbConn, DbTx};
use crate::logs::{self, Actor};

/// Who a prototype grants the role to.
#[derive(Debug, Clone)]
pub enum Delegate {
    User(String),
    Team(String),
}

/// Prototypes with what their views need: which accounts are members of the organization.
pub struct PrototypeList {
    pub prototypes: Vec<PrototypeRow>,
    pub member_ids: Vec<i64>,
}

async fn load_list(
    conn: &mut DbConn,
    organization_id: i64,
    prototypes: Vec<PrototypeRow>,
) -> Result<PrototypeList> {
    Ok(PrototypeList {
        member_ids: db::namespaces::list_organization_member_ids(conn, organization_id).await?,
        prototypes,
    })
}

pub async fn list_prototypes(
    app: &App,
    caller: &Principal<'_>,
    org_name: &str,
) -> Result<PrototypeList> {
    let mut conn = app.db.reader().await?;
    let access = OrgAccess::load(&mut conn, &app.config, caller, org_name).await?;
    let org = access.read()?;
    let prototypes = db::namespaces::list_prototypes(&mut conn, org.id).await?;
    load_list(&mut conn, org.id, prototypes).await
}

/// Quay's prototype log metadata; `original_role` is added for changes.
fn log_metadata(prototype: &PrototypeRow, actor: &Actor) -> serde_json::Value {
    let mut metadata = json!({
        "prototypeid": prototype.uuid,
        "username": actor.performer_name,
        "activating_username": prototype.activating_name,
        "role": prototype.role,
    });
    match (&prototype.delegate_user_name, &prototype.delegate_team_name) {
        (Some(user), _) => metadata["delegate_user"] = json!(user),
        (None, Some(team)) => metadata["delegate_team"] = json!(team),
        (None, None) => {}
    }
    metadata
}

/// A non-organization account (user or robot) by name.
async fn find_user(conn: &mut DbConn, name: &str) -> Result<Option<i64>> {
    Ok(db::accounts::find_account_by_name(conn, name)
        .await?
        .filter(|a| a.organization == 0)
        .map(|a| a.id))
}

#[allow(clippy::too_many_arguments)]
pub async fn create_prototype(
    app: &App,
    caller: &Principal<'_>,
    org_name: &str,
    role: Role,
    delegate: Delegate,
    activating_user: Option<&str>,
) -> Result<PrototypeList> {
    let mut tx = app.db.begin().await?;
    let access = OrgAccess::load(&mut tx, &app.config, caller, org_name).await?;
    let org = access.administer()?;
    let activating_user_id = match activating_user {
        Some(name) => Some(
            find_user(&mut tx, name)
                .await?
                .ok_or(Error::UnknownActivatingUser)?,
        ),
        None => None,
    };
    let (delegate_user_id, delegate_team_id) = match &delegate {
        Delegate::User(name) => (find_user(&mut tx, name).await?, None),
        Delegate::Team(name) => (
            None,
            db::namespaces::find_team(&mut tx, org.id, name)
                .await?
                .map(|t| t.id),
        ),
    };
    if delegate_user_id.is_none() && delegate_team_id.is_none() {
        return Err(Error::MissingDelegate);
    }
    let uuid = uuid::Uuid::new_v4().to_string();
    db::namespaces::insert_prototype(
        &mut tx,
        &db::namespaces::NewPrototype {
            uuid: &uuid,
            organization_id: org.id,
            activating_user_id,
            delegate_user_id,
            delegate_team_id,
            role: role.as_str(),
        },
    )
    .await?;
    let prototype = db::namespaces::find_prototype(&mut tx, org.id, &uuid)
        .await?
        .ok_or(Error::NotFound)?;
    let metadata = log_metadata(&prototype, &caller.actor);
    let (kind, scope) = (
        "create_prototype_permission",
        logs::Scope::namespace(org.id),
    );
    logs::record(&mut tx, &caller.actor, kind, scope, metadata).await?;
    let list = load_list(&mut tx, org.id, vec![prototype]).await?;
    db::commit(tx).await?;
    Ok(list)
}

/// Opens a change of prototype `id` of an organization the caller administers: the
/// transaction, the organization and the prototype (404 when it does not exist).
async fn begin_prototype_change(
    app: &App,
    caller: &Principal<'_>,
    org_name: &str,
    id: &str,
) -> Result<(DbTx, Account, PrototypeRow)> {
    let mut tx = app.db.begin().await?;
    let access = OrgAccess::load(&mut tx, &app.config, caller, org_name).await?;
    let org = access.administer()?.clone();
    let prototype = db::namespaces::find_prototype(&mut tx, org.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((tx, org, prototype))
}

pub async fn update_prototype(
    app: &App,
    caller: &Principal<'_>,
    org_name: &str,
    id: &str,
    role: Role,
) -> Result<PrototypeList> {
    let (mut tx, org, mut prototype) = begin_prototype_change(app, caller, org_name, id).await?;
    db::namespaces::update_prototype_role(&mut tx, org.id, id, role.as_str()).await?;
    let original_role = std::mem::replace(&mut prototype.role, role.as_str().to_owned());
    let mut metadata = log_metadata(&prototype, &caller.actor);
    metadata["original_role"] = json!(original_role);
    let (kind, scope) = (
        "modify_prototype_permission",
        logs::Scope::namespace(org.id),
    );
    logs::record(&mut tx, &caller.actor, kind, scope, metadata).await?;
    let list = load_list(&mut tx, org.id, vec![prototype]).await?;
    db::commit(tx).await?;
    Ok(list)
}

pub async fn delete_prototype(
    app: &App,
    caller: &Principal<'_>,
    org_name: &str,
    id: &str,
) -> Result<()> {
    let (mut tx, org, prototype) = begin_prototype_change(app, caller, org_name, id).await?;
    db::namespaces::delete_prototype(&mut tx, org.id, id).await?;
    let metadata = log_metadata(&prototype, &caller.actor);
    let (kind, scope) = (
        "delete_prototype_permission",
        logs::Scope::namespace(org.id),
    );
    logs::record(&mut tx, &caller.actor, kind, scope, metadata).await?;
    db::commit(tx).await?;
    Ok(())
}

/// Applies the organization's prototypes to a repository `creator` has just created in
/// `namespace`, inside the creating transaction. Per delegate, a prototype naming this creator
/// wins over one for anyone (as in Quay); among equals the strongest role wins. The creator
/// already holds admin, so prototypes naming it change nothing. User namespaces have none.
pub async fn apply(
    conn: &mut DbConn,
    namespace: &Account,
    creator: &Account,
    repository_id: i64,
) -> db::Result<()> {
    if !namespace.organization || creator.id == namespace.id {
        return Ok(());
    }
    let rules = db::namespaces::list_prototype_rules(conn, namespace.id, creator.id).await?;
    // Keyed by (is a team, id); valued by (names this creator, role), which orders as wanted.
    let mut chosen: BTreeMap<(bool, i64), (bool, Role)> = BTreeMap::new();
    for rule in rules {
        let key = match (rule.delegate_user_id, rule.delegate_team_id) {
            (Some(user), _) => (false, user),
            (None, Some(team)) => (true, team),
            (None, None) => continue,
        };
        let Some(role) = Role::parse(&rule.role) else {
            continue;
        };
        let rank = (rule.activating_user_id.is_some(), role);
        let best = chosen.entry(key).or_insert(rank);
        *best = (*best).max(rank);
    }
    for ((is_team, id), (_, role)) in chosen {
        if is_team {
            db::grants::upsert_team_permission(conn, repository_id, id, role.as_str()).await?;
        } else if id != creator.id {
            db::registry::upsert_repository_permission(conn, repository_id, id, role.as_str())
                .await?;
        }
    }
    Ok(())
}
