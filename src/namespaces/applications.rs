//! OAuth applications of an organization, and access tokens minted through them
//! (core-api.md §1.7, §1.8 (c)).

use serde_json::json;

use super::{get_organization, is_org_admin, Error, Result};
use crate::accounts::{self, passwords::random_code, tokens, Account, Scopes};
use crate::app::App;
use crate::db::{self, accounts::ApplicationRow, oauth::ApplicationTokenRow};
use crate::logs::{self, Actor};
use crate::repositories::permissions::superuser_override;

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
    let (org, application) = token_application(
        app,
        caller,
        caller_scopes,
        org_name,
        client_id,
        TokenAccess::Manage,
    )
    .await?;
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
    if !caller_scopes.contains(Scopes::DIRECT_LOGIN) && !caller_scopes.covers(requested) {
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

/// What a caller wants to do with an application's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenAccess {
    /// List them: global read-only superusers may too.
    View,
    /// Mint or revoke them.
    Manage,
}

/// An organization's application whose tokens the caller may see or manage: the credential
/// must carry `org:admin`, and the caller must administer the organization or be a
/// full-access superuser. Rights are checked before existence, so that nobody else learns
/// which organizations or applications exist.
async fn token_application(
    app: &App,
    caller: &Account,
    scopes: Scopes,
    org_name: &str,
    client_id: &str,
    access: TokenAccess,
) -> Result<(Account, ApplicationRow)> {
    if !scopes.contains(Scopes::ORG_ADMIN) && !scopes.contains(Scopes::DIRECT_LOGIN) {
        return Err(Error::Unauthorized);
    }
    let org = accounts::find_account(app, org_name)
        .await?
        .filter(|a| a.organization);
    let admin = match &org {
        Some(org) => is_org_admin(app, org, caller, scopes).await?,
        None => false,
    };
    let superuser = superuser_override(&app.config, caller, scopes)
        || (access == TokenAccess::View && caller.is_global_readonly_superuser(&app.config));
    if !admin && !superuser {
        return Err(Error::Unauthorized);
    }
    let org = org.ok_or(Error::NotFound)?;
    let mut conn = app.db.reader().await?;
    let application = db::accounts::find_application(&mut conn, org.id, client_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((org, application))
}

/// Tokens listed per page.
pub const TOKEN_PAGE_SIZE: i64 = 50;

/// One page of an application's unexpired tokens, newest first, from id `before_id` down;
/// also the id the next page starts at, if there is one.
pub async fn list_tokens(
    app: &App,
    caller: &Account,
    scopes: Scopes,
    org_name: &str,
    client_id: &str,
    before_id: i64,
) -> Result<(Vec<ApplicationTokenRow>, Option<i64>)> {
    let (_, application) =
        token_application(app, caller, scopes, org_name, client_id, TokenAccess::View).await?;
    let mut conn = app.db.reader().await?;
    let mut rows = db::oauth::list_application_tokens_page(
        &mut conn,
        application.id,
        db::now_ms(),
        before_id,
        TOKEN_PAGE_SIZE,
    )
    .await?;
    let next = crate::paging::split_next(&mut rows, Some(TOKEN_PAGE_SIZE), |row| row.id);
    Ok((rows, next))
}

/// Revokes one of an application's tokens, whoever it was issued to.
pub async fn revoke_token(
    app: &App,
    actor: &Actor,
    caller: &Account,
    scopes: Scopes,
    org_name: &str,
    client_id: &str,
    token_uuid: &str,
) -> Result<()> {
    let (org, application) = token_application(
        app,
        caller,
        scopes,
        org_name,
        client_id,
        TokenAccess::Manage,
    )
    .await?;
    let mut tx = app.db.begin().await?;
    if !db::oauth::delete_application_token(&mut tx, application.id, token_uuid).await? {
        return Err(Error::NotFound);
    }
    let metadata = json!({
        "oauth_token_uuid": token_uuid, "application_name": application.name,
        "client_id": application.client_id,
    });
    logs::record(
        &mut tx,
        actor,
        "revoke_oauth_api_token",
        logs::Scope::namespace(org.id),
        metadata,
    )
    .await?;
    Ok(db::commit(tx).await?)
}
