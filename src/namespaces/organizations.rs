//! An organization as its admins, members and everyone else see it (core-api.md §3.2): the
//! organization view, its settings, its deletion, its members and outside collaborators, and
//! the organizations a user belongs to (§3.1). The superuser panel makes its changes through
//! the same functions.

use serde_json::json;
use sqlx::pool::PoolConnection;
use sqlx::Any;

use super::teams::OrgAccess;
use super::{Error, Result};
use crate::accounts::{self, robots, Account, Principal, Scopes, TeamRole};
use crate::app::App;
use crate::db::{self, namespaces::DirectGrantRow, DbConn};
use crate::jobs;
use crate::logs::{self, Actor};

/// A team as the organization view lists it.
#[derive(Debug, Clone)]
pub struct TeamSummary {
    pub name: String,
    pub description: String,
    pub role: TeamRole,
    pub repo_count: i64,
    pub member_count: i64,
    /// Whether the caller may open the team: its members, admins and superusers.
    pub can_view: bool,
}

/// Settings only an organization's admins see.
#[derive(Debug, Clone)]
pub struct Invoicing {
    pub invoice_email: bool,
    pub invoice_email_address: Option<String>,
}

/// An organization and what the caller may see of it.
#[derive(Debug, Clone)]
pub struct OrganizationDetails {
    pub organization: Account,
    /// An admin through one of its teams (superusers are not, whatever they may do).
    pub is_admin: bool,
    /// A member of one of its teams.
    pub is_member: bool,
    /// Admins and overseeing superusers see the e-mail address.
    pub shows_email: bool,
    /// Members and overseeing superusers see the teams, in creation order.
    pub teams: Option<Vec<TeamSummary>>,
    /// For admins.
    pub invoicing: Option<Invoicing>,
}

/// What the caller sees of `org`, its rights taken from `access`.
async fn describe(
    conn: &mut DbConn,
    access: &OrgAccess,
    org: Account,
) -> Result<OrganizationDetails> {
    let is_admin = access.role() == Some(TeamRole::Admin);
    let is_member = access.role().is_some();
    let teams = if is_member || access.oversees() {
        let rows = db::namespaces::list_team_summaries(conn, org.id).await?;
        let all_visible = is_admin || access.oversees();
        let teams = rows.into_iter().map(|row| TeamSummary {
            can_view: all_visible || access.is_team_member(row.id),
            role: TeamRole::parse(&row.role).unwrap_or(TeamRole::Member),
            name: row.name,
            description: row.description,
            repo_count: row.repo_count,
            member_count: row.member_count,
        });
        Some(teams.collect())
    } else {
        None
    };
    let invoicing = if is_admin {
        Some(find_invoicing(conn, &org).await?)
    } else {
        None
    };
    Ok(OrganizationDetails {
        shows_email: is_admin || access.oversees(),
        organization: org,
        is_admin,
        is_member,
        teams,
        invoicing,
    })
}

/// The invoicing settings of a namespace, for its admins.
pub async fn find_invoicing(conn: &mut DbConn, namespace: &Account) -> Result<Invoicing> {
    let row = db::accounts::find_invoice_settings(conn, namespace.id).await?;
    Ok(Invoicing {
        invoice_email: row.invoice_email != 0,
        invoice_email_address: row.invoice_email_address,
    })
}

/// The organization view for anyone, anonymous callers included (`caller` None); 404 for an
/// unknown name or a user's namespace.
pub async fn get_organization_details(
    app: &App,
    caller: Option<&Principal<'_>>,
    name: &str,
) -> Result<OrganizationDetails> {
    let mut conn = app.db.reader().await?;
    let access = match caller {
        Some(caller) => OrgAccess::load(&mut conn, &app.config, caller, name).await?,
        None => OrgAccess::anonymous(&mut conn, name).await?,
    };
    let org = access.organization().cloned().ok_or(Error::NotFound)?;
    describe(&mut conn, &access, org).await
}

/// What may change in an organization: the settings of `PUT /organization/{name}`, and the
/// name, which only the superuser panel changes (superuser-api.md, Berth's decision 1).
#[derive(Debug, Default)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub invoice_email: Option<bool>,
    /// `Some(None)`: the address is removed.
    pub invoice_email_address: Option<Option<String>>,
    pub tag_expiration_s: Option<i64>,
}

/// Changes an organization the caller administers and describes it afterwards.
pub async fn update_organization(
    app: &App,
    caller: &Principal<'_>,
    name: &str,
    changes: OrganizationChanges,
) -> Result<OrganizationDetails> {
    let mut conn = app.db.reader().await?;
    let access = OrgAccess::load(&mut conn, &app.config, caller, name).await?;
    let org = access.administer()?.clone();
    let updated = apply_changes(app, &caller.actor, &org, changes).await?;
    describe(&mut conn, &access, updated).await
}

/// Applies `changes` in one transaction, each with the usage log Quay writes for it, and
/// returns the organization as it is afterwards. Everything is checked before anything is
/// written, so a refused request changes nothing.
pub(super) async fn apply_changes(
    app: &App,
    actor: &Actor,
    org: &Account,
    changes: OrganizationChanges,
) -> Result<Account> {
    let scope = logs::Scope::namespace(org.id);
    let mut tx = app.db.begin().await?;
    let invoice = db::accounts::find_invoice_settings(&mut tx, org.id).await?;
    let new_email = changes.email.filter(|email| *email != org.email);
    if let Some(email) = &new_email {
        if db::namespaces::is_email_in_use(&mut tx, email).await? {
            return Err(Error::EmailInUse);
        }
    }
    // Without FEATURE_CHANGE_TAG_EXPIRATION the field is ignored, as in Quay.
    let tag_expiration_s = changes
        .tag_expiration_s
        .filter(|_| app.config.features.change_tag_expiration);
    if tag_expiration_s.is_some_and(|s| !app.config.tag_expiration_options_s.contains(&s)) {
        return Err(Error::InvalidTagExpiration);
    }
    let mut current_name = org.username.clone();
    if let Some(new_name) = changes.name.as_deref().filter(|n| *n != org.username) {
        rename(&mut tx, actor, org, new_name).await?;
        current_name = new_name.to_owned();
    }

    if let Some(on) = changes.invoice_email {
        let metadata = json!({ "invoice_email": on, "namespace": current_name });
        logs::record(&mut tx, actor, "org_change_invoicing", scope, metadata).await?;
    }
    let mut invoice_address = invoice.invoice_email_address;
    if let Some(address) = changes
        .invoice_email_address
        .filter(|a| *a != invoice_address)
    {
        let metadata = json!({ "invoice_email_address": address, "namespace": current_name });
        logs::record(&mut tx, actor, "org_change_invoicing", scope, metadata).await?;
        // An empty address removes it, as in Quay.
        invoice_address = address.filter(|a| !a.is_empty());
    }
    if let Some(email) = &new_email {
        let metadata = json!({ "email": email, "namespace": current_name, "old_email": org.email });
        logs::record(&mut tx, actor, "org_change_email", scope, metadata).await?;
    }
    // Quay logs the window whenever it is given, changed or not.
    if let Some(seconds) = tag_expiration_s {
        let metadata = json!({ "tag_expiration": seconds, "namespace": current_name });
        let kind = "org_change_tag_expiration";
        logs::record(&mut tx, actor, kind, scope, metadata).await?;
    }
    db::accounts::update_organization_settings(
        &mut tx,
        org.id,
        new_email.as_deref().unwrap_or(&org.email),
        changes.invoice_email.unwrap_or(invoice.invoice_email != 0),
        invoice_address.as_deref(),
        tag_expiration_s.unwrap_or(org.tag_expiration_s),
    )
    .await?;
    let updated = db::accounts::find_account_by_id(&mut tx, org.id)
        .await?
        .ok_or(Error::NotFound)?;
    db::commit(tx).await?;
    Ok(updated.into())
}

/// Renames the organization and its robots inside the change's transaction.
async fn rename(tx: &mut DbConn, actor: &Actor, org: &Account, new_name: &str) -> Result<()> {
    accounts::check_name_available(tx, new_name)
        .await
        .map_err(|e| match e {
            accounts::Error::UsernameCharacters(_) | accounts::Error::UsernameLength(_) => {
                Error::InvalidNewName(e.to_string().replacen(
                    "Invalid namespace",
                    "Invalid username",
                    1,
                ))
            }
            other => other.into(),
        })?;
    db::accounts::rename_account(tx, org.id, &org.username, new_name).await?;
    let metadata = json!({
        "old_name": org.username, "new_name": new_name, "superuser": actor.performer_name,
    });
    let scope = logs::Scope::namespace(org.id);
    logs::record(tx, actor, "org_change_name", scope, metadata).await?;
    Ok(())
}

/// Deletes an organization the caller administers.
pub async fn delete_organization(app: &App, caller: &Principal<'_>, name: &str) -> Result<()> {
    let mut conn = app.db.reader().await?;
    let access = OrgAccess::load(&mut conn, &app.config, caller, name).await?;
    let org = access.administer()?.clone();
    mark_deleted(app, &caller.actor, &org).await
}

/// Deletes an organization: its name is free at once; repositories and blobs are purged by a
/// background job. `org_delete` is written first, while the organization still has its name.
pub(super) async fn mark_deleted(app: &App, actor: &Actor, org: &Account) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let row = db::accounts::find_account_by_id(&mut tx, org.id)
        .await?
        .ok_or(Error::NotFound)?;
    let metadata = json!({ "namespace": org.username });
    let scope = logs::Scope::namespace(org.id);
    logs::record(&mut tx, actor, "org_delete", scope, metadata).await?;
    let placeholder = uuid::Uuid::new_v4().to_string();
    db::accounts::mark_account_deleted(&mut tx, &row, &placeholder, db::now_ms()).await?;
    jobs::enqueue(&mut tx, &jobs::PurgeNamespace { account_id: org.id }).await?;
    db::commit(tx).await?;
    tracing::info!(org.name = %org.username, "organization deleted; purge queued");
    Ok(())
}

/// A member of an organization, or an outside collaborator (no teams).
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub email: String,
    pub robot: bool,
    pub teams: Vec<String>,
    /// The organization's repositories granted to the member directly.
    pub repositories: Vec<String>,
}

impl Member {
    /// A user, before its teams and repositories are added.
    fn user(name: &str, email: &str) -> Member {
        Member {
            name: name.to_owned(),
            email: email.to_owned(),
            robot: false,
            teams: Vec::new(),
            repositories: Vec::new(),
        }
    }
}

/// Folds rows sorted by account into one entry per account, made by `start` and added to by
/// `add`.
fn group_by_account<R, T>(
    rows: Vec<R>,
    account: impl Fn(&R) -> i64,
    start: impl Fn(&R) -> T,
    add: impl Fn(&mut T, R),
) -> Vec<(i64, T)> {
    let mut grouped: Vec<(i64, T)> = Vec::new();
    for row in rows {
        let id = account(&row);
        if grouped.last().is_none_or(|(last, _)| *last != id) {
            grouped.push((id, start(&row)));
        }
        if let Some((_, entry)) = grouped.last_mut() {
            add(entry, row);
        }
    }
    grouped
}

/// A reading connection and the organization, for callers who may read what only its admins
/// see: its admins, full-access superusers and global read-only superusers.
async fn read_as_admin(
    app: &App,
    caller: &Principal<'_>,
    name: &str,
) -> Result<(PoolConnection<Any>, Account)> {
    let mut conn = app.db.reader().await?;
    let access = OrgAccess::load(&mut conn, &app.config, caller, name).await?;
    let org = access.read()?.clone();
    Ok((conn, org))
}

/// The users in the organization's teams (robots left out), by name, each with its teams and
/// the repositories granted to it directly; for admins and superusers.
pub async fn list_members(app: &App, caller: &Principal<'_>, name: &str) -> Result<Vec<Member>> {
    let (mut conn, org) = read_as_admin(app, caller, name).await?;
    let memberships = db::namespaces::list_user_memberships(&mut conn, org.id).await?;
    let mut members = group_by_account(
        memberships,
        |m| m.account_id,
        |m| Member::user(&m.username, &m.email),
        |member, m| member.teams.push(m.team_name),
    );
    for grant in db::namespaces::list_user_direct_grants(&mut conn, org.id).await? {
        if let Some((_, member)) = members.iter_mut().find(|(id, _)| *id == grant.account_id) {
            member.repositories.push(grant.repository);
        }
    }
    Ok(members.into_iter().map(|(_, member)| member).collect())
}

/// One user, or one of the organization's robots, with its teams there; 404 for anyone else.
pub async fn get_member(
    app: &App,
    caller: &Principal<'_>,
    name: &str,
    member_name: &str,
) -> Result<Member> {
    let (mut conn, org) = read_as_admin(app, caller, name).await?;
    let member = db::accounts::find_account_by_name(&mut conn, member_name)
        .await?
        .map(Account::from)
        .filter(|a| !a.organization)
        .ok_or(Error::NotFound)?;
    let teams = db::namespaces::list_teams_of_member(&mut conn, org.id, member.id).await?;
    // A robot of the organization is a member even when no team holds it.
    let own_robot = member.robot && robots::owner_name(&member.username) == Some(&org.username);
    if teams.is_empty() && !own_robot {
        return Err(Error::NotFound);
    }
    let grants = db::namespaces::list_account_direct_grants(&mut conn, org.id, member.id).await?;
    Ok(Member {
        name: member.username,
        email: member.email,
        robot: member.robot,
        teams: teams.into_iter().map(|t| t.name).collect(),
        repositories: grants.into_iter().map(|g| g.repository).collect(),
    })
}

/// Takes a user out of every team of the organization and drops its direct grants there.
/// Quay writes no usage log for this. The only admin cannot be removed.
pub async fn remove_member(
    app: &App,
    caller: &Principal<'_>,
    name: &str,
    member_name: &str,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let access = OrgAccess::load(&mut tx, &app.config, caller, name).await?;
    let org = access.administer()?.clone();
    let member = db::accounts::find_account_by_name(&mut tx, member_name)
        .await?
        .map(Account::from)
        .filter(Account::is_plain_user)
        .ok_or(Error::NotFound)?;
    if db::namespaces::list_admin_user_ids(&mut tx, org.id).await? == [member.id] {
        return Err(Error::LastAdmin);
    }
    db::namespaces::delete_organization_member(&mut tx, org.id, member.id).await?;
    db::commit(tx).await?;
    tracing::info!(org.name = %org.username, user.name = %member.username, "member removed");
    Ok(())
}

/// Users with direct grants on the organization's repositories who are in none of its teams;
/// for admins and superusers.
pub async fn list_collaborators(
    app: &App,
    caller: &Principal<'_>,
    name: &str,
) -> Result<Vec<Member>> {
    let (mut conn, org) = read_as_admin(app, caller, name).await?;
    let members = db::namespaces::list_organization_member_ids(&mut conn, org.id).await?;
    let grants: Vec<DirectGrantRow> = db::namespaces::list_user_direct_grants(&mut conn, org.id)
        .await?
        .into_iter()
        .filter(|g| !members.contains(&g.account_id))
        .collect();
    let collaborators = group_by_account(
        grants,
        |g| g.account_id,
        |g| Member::user(&g.username, &g.email),
        |collaborator, g| collaborator.repositories.push(g.repository),
    );
    Ok(collaborators.into_iter().map(|(_, c)| c).collect())
}

/// An organization in the caller's own user view.
#[derive(Debug, Clone)]
pub struct UserOrganization {
    pub name: String,
    pub email: String,
    pub can_create_repo: bool,
    pub is_org_admin: bool,
}

/// The organizations whose teams hold `account`, by name, with what its credential (`scopes`)
/// lets it do there.
pub async fn list_user_organizations(
    app: &App,
    account: &Account,
    scopes: Scopes,
) -> Result<Vec<UserOrganization>> {
    let mut conn = app.db.reader().await?;
    let rows = db::namespaces::list_organization_roles_of_member(&mut conn, account.id).await?;
    let organizations = group_by_account(
        rows,
        |r| r.id,
        |r| (r.username.clone(), r.email.clone(), None),
        |(_, _, role), r| *role = (*role).max(TeamRole::parse(&r.role)),
    );
    let cap = TeamRole::cap(scopes);
    Ok(organizations
        .into_iter()
        .map(|(_, (name, email, role))| {
            let role: Option<TeamRole> = role.min(cap);
            UserOrganization {
                name,
                email,
                can_create_repo: role >= Some(TeamRole::Creator),
                is_org_admin: role == Some(TeamRole::Admin),
            }
        })
        .collect())
}
