//! What a superuser does to namespaces (superuser-api.md §5.7, §6): list, change and delete
//! organizations, and take ownership of any namespace.

use serde_json::json;

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

/// What `PUT /superuser/organizations/{name}` may change (Berth's decision 1).
#[derive(Debug, Default)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub invoice_email: Option<bool>,
    pub invoice_email_address: Option<String>,
    pub tag_expiration_s: Option<i64>,
}

/// Applies `changes` in one transaction, each change with its usage log, and returns the
/// organization as it is afterwards.
pub async fn update_organization(
    app: &App,
    actor: &Actor,
    name: &str,
    changes: OrganizationChanges,
) -> Result<Account> {
    let org = get_organization(app, name).await?;
    if changes.tag_expiration_s.is_some_and(|s| s < 0) {
        return Err(Error::InvalidTagExpiration);
    }
    let namespace = logs::Scope::namespace(org.id);
    let superuser = actor.performer_name.clone();
    let mut tx = app.db.begin().await?;
    let mut current_name = org.username.clone();
    if let Some(new_name) = changes.name.as_deref().filter(|n| *n != org.username) {
        accounts::check_name_available(&mut tx, new_name)
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
        db::accounts::rename_account(&mut tx, org.id, &org.username, new_name).await?;
        let metadata =
            json!({ "old_name": org.username, "new_name": new_name, "superuser": superuser });
        logs::record(&mut tx, actor, "org_change_name", namespace, metadata).await?;
        current_name = new_name.to_owned();
    }
    let invoice = db::accounts::find_invoice_settings(&mut tx, org.id).await?;
    let email = changes.email.clone().unwrap_or_else(|| org.email.clone());
    let invoice_email = changes.invoice_email.unwrap_or(invoice.invoice_email != 0);
    let invoice_address = changes
        .invoice_email_address
        .clone()
        .or(invoice.invoice_email_address);
    let tag_expiration_s = changes.tag_expiration_s.unwrap_or(org.tag_expiration_s);
    db::accounts::update_organization_settings(
        &mut tx,
        org.id,
        &email,
        invoice_email,
        invoice_address.as_deref(),
        tag_expiration_s,
    )
    .await?;
    if email != org.email {
        let metadata = json!({ "email": email, "namespace": current_name, "old_email": org.email });
        logs::record(&mut tx, actor, "org_change_email", namespace, metadata).await?;
    }
    if let Some(on) = changes.invoice_email {
        let metadata = json!({ "invoice_email": on, "namespace": current_name });
        logs::record(&mut tx, actor, "org_change_invoicing", namespace, metadata).await?;
    }
    if let Some(address) = &changes.invoice_email_address {
        let metadata = json!({ "invoice_email_address": address, "namespace": current_name });
        logs::record(&mut tx, actor, "org_change_invoicing", namespace, metadata).await?;
    }
    if tag_expiration_s != org.tag_expiration_s {
        let metadata = json!({ "tag_expiration": tag_expiration_s, "namespace": current_name });
        logs::record(
            &mut tx,
            actor,
            "org_change_tag_expiration",
            namespace,
            metadata,
        )
        .await?;
    }
    let updated = db::accounts::find_account_by_id(&mut tx, org.id)
        .await?
        .ok_or(Error::NotFound)?;
    db::commit(tx).await?;
    Ok(updated.into())
}

/// Deletes an organization: its name is free at once; repositories and blobs are purged by a
/// background job.
pub async fn delete_organization(app: &App, actor: &Actor, name: &str) -> Result<()> {
    let org = get_organization(app, name).await?;
    let mut tx = app.db.begin().await?;
    let row = db::accounts::find_account_by_id(&mut tx, org.id)
        .await?
        .ok_or(Error::NotFound)?;
    let metadata = json!({ "namespace": org.username });
    logs::record(
        &mut tx,
        actor,
        "org_delete",
        logs::Scope::namespace(org.id),
        metadata,
    )
    .await?;
    let placeholder = uuid::Uuid::new_v4().to_string();
    db::accounts::mark_account_deleted(&mut tx, &row, &placeholder, db::now_ms()).await?;
    crate::workers::enqueue_purge_namespace(&mut tx, org.id).await?;
    db::commit(tx).await?;
    tracing::info!(org.name = %org.username, "organization deleted; purge queued");
    Ok(())
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
    logs::record(
        &mut tx,
        actor,
        "take_ownership",
        logs::Scope::namespace(superuser.id),
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(())
}
