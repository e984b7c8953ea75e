//! OAuth applications of an organization, and access tokens minted through them
//! (core-api.md §1.7, §1.8 (c)).

use serde_json::json;

use super::{get_organization, is_org_admin, Error, Result};
use crate::accounts::{passwords::random_code, tokens, Account, Scopes};
use crate::app::App;
use crate::db::{self, accounts::ApplicationRow};
use crate::logs::{self, Actor};

/// Ten years (of 365.25 days), the default and the longest lifetime of a minted token.
pub const MAX_TOKEN_LIFETIME_S: i64 = 315_576_000;

pub struct NewApplication {
    pub name: String,
    pub description: String,
    pub application_uri: String,
    pub redirect_uri: String,
    pub avatar_email: Option<String>,
}

pub async fn create_application(
    app: &App,
    actor: &Actor,
    caller: &Account,
    scopes: Scopes,
    org_name: &str,
    new: NewApplication,
) -> Result<ApplicationRow> {
    let org = get_organization(app, org_name).await?;
    if !is_org_admin(app, &org, caller, scopes).await? {
        return Err(Error::Unauthorized);
    }
    let client_id = random_code(20);
    let mut tx = app.db.begin().await?;
    let id =
        db::accounts::insert_application(&mut tx, org.id, &client_id, &random_code(40), &new.name)
            .await?;
    db::accounts::update_application_details(
        &mut tx,
        id,
        &new.description,
        &new.application_uri,
        &new.redirect_uri,
        new.avatar_email.as_deref(),
    )
    .await?;
    let metadata = json!({
        "application_name": new.name, "client_id": client_id, "description": new.description,
        "application_uri": new.application_uri, "redirect_uri": new.redirect_uri,
    });
    logs::record(
        &mut tx,
        actor,
        "create_application",
        logs::Scope::namespace(org.id),
        metadata,
    )
    .await?;
    let row = db::accounts::find_application(&mut tx, org.id, &client_id)
        .await?
        .ok_or(Error::NotFound)?;
    db::commit(tx).await?;
    Ok(row)
}

/// A minted token and what the answer shows of it.
pub struct MintedToken {
    pub issued: tokens::IssuedToken,
    pub name: String,
    pub scope: String,
}

/// Mints a token for the caller through an organization's application. Every requested scope
/// must be one the caller holds now, and a caller using a token can only narrow its scopes.
#[allow(clippy::too_many_arguments)]
pub async fn mint_token(
    app: &App,
    actor: &Actor,
    caller: &Account,
    caller_scopes: Scopes,
    org_name: &str,
    client_id: &str,
    name: &str,
    scope: &str,
    lifetime_s: Option<i64>,
) -> Result<MintedToken> {
    let org = get_organization(app, org_name).await?;
    if !is_org_admin(app, &org, caller, caller_scopes).await? {
        return Err(Error::Unauthorized);
    }
    let mut conn = app.db.reader().await?;
    let application = db::accounts::find_application(&mut conn, org.id, client_id)
        .await?
        .ok_or(Error::NotFound)?;
    drop(conn);
    let requested = Scopes::parse(scope);
    if requested == Scopes::default() {
        return Err(Error::InvalidScope(scope.to_owned()));
    }
    // An organization admin holds every repository and organization right there; super:user
    // needs a superuser; and a token caller cannot widen its own scopes.
    if requested.contains(Scopes::SUPER_USER)
        && !(caller.is_superuser(&app.config) && caller_scopes.allows_superuser())
    {
        return Err(Error::Unauthorized);
    }
    if !caller_scopes.contains(Scopes::DIRECT_LOGIN) && !caller_scopes.contains(requested) {
        return Err(Error::Unauthorized);
    }
    let name = name.trim();
    if name.is_empty() || name.len() > 255 {
        return Err(Error::InvalidTokenName);
    }
    let lifetime_s = lifetime_s
        .unwrap_or(MAX_TOKEN_LIFETIME_S)
        .clamp(1, MAX_TOKEN_LIFETIME_S);
    let mut tx = app.db.begin().await?;
    let issued = tokens::issue_named_token(
        &mut tx,
        application.id,
        caller,
        scope,
        Some(name),
        lifetime_s * 1000,
    )
    .await?;
    let metadata = json!({
        "oauth_token_uuid": issued.uuid, "scope": scope, "token_display_name": name,
        "application_name": application.name, "auth_method": "OAuth", "client_id": client_id,
    });
    logs::record(
        &mut tx,
        actor,
        "create_oauth_api_token",
        logs::Scope::namespace(org.id),
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(MintedToken {
        issued,
        name: name.to_owned(),
        scope: scope.to_owned(),
    })
}
