//! OAuth applications of an organization, and access tokens minted through them
//! (core-api.md §1.7, §1.8 (c)).

use serde_json::{json, Map, Value};

use super::organizations::{self, OrganizationDetails};
use super::teams::{org_access, OrgAccess};
use super::{oauth, Error, Result};
use crate::accounts::passwords::{self, new_client_secret, CLIENT_SECRET_LEN};
use crate::accounts::{superuser_override, tokens, Account, Principal, Scopes, TeamRole};
use crate::app::App;
use crate::db::{self, applications::ApplicationRow, applications::ApplicationTokenRow};
use crate::logs;
use crate::random::random_code;

/// Ten years (of 365.25 days), the default and the longest lifetime of a minted token.
pub const MAX_TOKEN_LIFETIME_S: i64 = 315_576_000;

/// Quay keeps this name for the application its programmatic bootstrap creates.
const BOOTSTRAP_APPLICATION_NAME: &str = "__quay_bootstrap_app";

/// The application's client secret; None when the database key cannot read it.
pub fn client_secret(app: &App, application: &ApplicationRow) -> Option<String> {
    let stored = &application.client_secret;
    if is_plain_client_secret(stored) {
        Some(stored.clone())
    } else {
        passwords::decrypt_stored(app, stored)
    }
}

/// Rows written before client secrets were encrypted hold the plain secret. An encrypted one
/// is base64 with `=` padding and much longer, so the two cannot be taken for each other.
fn is_plain_client_secret(stored: &str) -> bool {
    stored.len() == CLIENT_SECRET_LEN
        && stored
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// An application's settings as a request gives them. A field left out (None) is stored
/// empty, or without an avatar e-mail, and left out of the log entry, which repeats the
/// request as Quay's does.
pub struct ApplicationFields {
    pub name: String,
    pub description: Option<String>,
    pub application_uri: Option<String>,
    pub redirect_uri: Option<String>,
    pub avatar_email: Option<String>,
}

impl ApplicationFields {
    fn details(&self) -> db::applications::ApplicationDetails<'_> {
        db::applications::ApplicationDetails {
            name: &self.name,
            description: self.description.as_deref().unwrap_or_default(),
            application_uri: self.application_uri.as_deref().unwrap_or_default(),
            redirect_uri: self.redirect_uri.as_deref().unwrap_or_default(),
            avatar_email: self.avatar_email.as_deref(),
        }
    }

    /// The metadata of `create_application` and `update_application`: the fields given, then
    /// the application's name and client id.
    fn metadata(&self, client_id: &str) -> Value {
        let mut metadata = Map::new();
        metadata.insert("name".into(), self.name.clone().into());
        let optional = [
            ("redirect_uri", &self.redirect_uri),
            ("application_uri", &self.application_uri),
            ("description", &self.description),
            ("avatar_email", &self.avatar_email),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                metadata.insert(key.into(), value.clone().into());
            }
        }
        metadata.insert("application_name".into(), self.name.clone().into());
        metadata.insert("client_id".into(), client_id.into());
        Value::Object(metadata)
    }

    fn check_name(&self) -> Result<()> {
        if self.name == BOOTSTRAP_APPLICATION_NAME {
            return Err(Error::ReservedApplicationName);
        }
        Ok(())
    }
}

/// An application as one caller sees it.
pub struct Application {
    pub row: ApplicationRow,
    /// Its client secret, for those it is shown to: its organization's admins (full-access
    /// superusers too), who also see its redirect URI and avatar e-mail; global read-only
    /// superusers do not.
    pub client_secret: Option<String>,
}

impl Application {
    fn new(app: &App, row: ApplicationRow, shows_secrets: bool) -> Result<Application> {
        let unreadable = || {
            anyhow::anyhow!(
                "application {} has a secret the key cannot read",
                row.client_id
            )
        };
        let client_secret = shows_secrets
            .then(|| client_secret(app, &row).ok_or_else(unreadable))
            .transpose()?;
        Ok(Application { row, client_secret })
    }
}

/// Someone acting in an organization: the signed-in caller, and the organization's name as the
/// request gives it.
pub struct OrganizationCaller<'a> {
    pub caller: Principal<'a>,
    pub org_name: &'a str,
}

impl OrganizationCaller<'_> {
    async fn access(&self, app: &App) -> Result<OrgAccess> {
        Ok(org_access(app, &self.caller, self.org_name).await?)
    }
}

/// What a caller wants to do with an application or its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// Look: global read-only superusers may too.
    View,
    /// Change it, or mint and revoke its tokens.
    Manage,
}

/// The application `client_id` of the organization `org_name`, for organization admins and
/// full-access superusers (and, to view, global read-only superusers). Rights are checked
/// before existence, so that nobody else learns which organizations or applications exist.
async fn organization_application(
    app: &App,
    who: &OrganizationCaller<'_>,
    client_id: &str,
    purpose: Purpose,
) -> Result<(Account, Application)> {
    let access = who.access(app).await?;
    let org = match purpose {
        Purpose::View => access.read()?,
        Purpose::Manage => access.administer()?,
    };
    let mut conn = app.db.reader().await?;
    let row = db::applications::find_application(&mut conn, org.id, client_id)
        .await?
        .ok_or(Error::NotFound)?;
    let application = Application::new(app, row, access.is_admin())?;
    Ok((org.clone(), application))
}

/// The organization's applications, oldest first.
pub async fn list_applications(
    app: &App,
    who: &OrganizationCaller<'_>,
) -> Result<Vec<Application>> {
    let access = who.access(app).await?;
    let org = access.read()?;
    let mut conn = app.db.reader().await?;
    let rows = db::applications::list_applications(&mut conn, org.id).await?;
    let shows_secrets = access.is_admin();
    rows.into_iter()
        .map(|row| Application::new(app, row, shows_secrets))
        .collect()
}

pub async fn get_application(
    app: &App,
    who: &OrganizationCaller<'_>,
    client_id: &str,
) -> Result<Application> {
    let (_, application) = organization_application(app, who, client_id, Purpose::View).await?;
    Ok(application)
}

pub async fn create_application(
    app: &App,
    who: &OrganizationCaller<'_>,
    fields: ApplicationFields,
) -> Result<Application> {
    let access = who.access(app).await?;
    let org = access.administer()?;
    fields.check_name()?;
    let client_id = random_code(20);
    let mut tx = app.db.begin().await?;
    let row = db::applications::insert_application(
        &mut tx,
        org.id,
        &client_id,
        &new_client_secret(app),
        &fields.details(),
    )
    .await?;
    let metadata = fields.metadata(&client_id);
    let scope = logs::Scope::namespace(org.id);
    logs::record(
        &mut tx,
        &who.caller.actor,
        "create_application",
        scope,
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Application::new(app, row, access.is_admin())
}

/// Replaces the application's settings; a description or avatar e-mail left out is cleared.
pub async fn update_application(
    app: &App,
    who: &OrganizationCaller<'_>,
    client_id: &str,
    fields: ApplicationFields,
) -> Result<Application> {
    let (org, application) = organization_application(app, who, client_id, Purpose::Manage).await?;
    fields.check_name()?;
    let mut tx = app.db.begin().await?;
    let row = db::applications::update_application(&mut tx, application.row.id, &fields.details())
        .await?
        .ok_or(Error::NotFound)?;
    let metadata = fields.metadata(client_id);
    let scope = logs::Scope::namespace(org.id);
    logs::record(
        &mut tx,
        &who.caller.actor,
        "update_application",
        scope,
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(Application { row, ..application })
}

/// Deletes the application; its tokens stop working at once.
pub async fn delete_application(
    app: &App,
    who: &OrganizationCaller<'_>,
    client_id: &str,
) -> Result<()> {
    let (org, application) = organization_application(app, who, client_id, Purpose::Manage).await?;
    let mut tx = app.db.begin().await?;
    if !db::applications::delete_application(&mut tx, application.row.id).await? {
        return Err(Error::NotFound);
    }
    let metadata = named(&application.row);
    let scope = logs::Scope::namespace(org.id);
    logs::record(
        &mut tx,
        &who.caller.actor,
        "delete_application",
        scope,
        metadata,
    )
    .await?;
    Ok(db::commit(tx).await?)
}

/// Gives the application a new client secret; the old one stops working at once.
pub async fn reset_client_secret(
    app: &App,
    who: &OrganizationCaller<'_>,
    client_id: &str,
) -> Result<Application> {
    let (org, application) = organization_application(app, who, client_id, Purpose::Manage).await?;
    let mut tx = app.db.begin().await?;
    let secret = random_code(CLIENT_SECRET_LEN);
    let stored = passwords::encrypt_stored(app, &secret);
    let row = db::applications::update_client_secret(&mut tx, application.row.id, &stored)
        .await?
        .ok_or(Error::NotFound)?;
    let metadata = named(&row);
    let scope = logs::Scope::namespace(org.id);
    logs::record(
        &mut tx,
        &who.caller.actor,
        "reset_application_client_secret",
        scope,
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(Application {
        row,
        client_secret: application.client_secret.map(|_| secret),
    })
}

/// The metadata that names an application in its log entries.
fn named(row: &ApplicationRow) -> Value {
    json!({ "application_name": row.name, "client_id": row.client_id })
}

/// What anyone may learn of an application: its public settings, and the namespace owning it
/// as the caller sees that namespace, without its teams (as Quay shows it).
pub struct PublicApplication {
    pub application: ApplicationRow,
    pub owner: OrganizationDetails,
}

/// The public view of the application `client_id`, for anyone (`caller` None when anonymous).
pub async fn public_application(
    app: &App,
    caller: Option<&Principal<'_>>,
    client_id: &str,
) -> Result<PublicApplication> {
    let found = oauth::find_application(app, client_id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut owner = if found.owner.organization {
        organizations::get_organization_details(app, caller, &found.owner.username).await?
    } else {
        describe_user_namespace(app, caller, found.owner).await?
    };
    owner.teams = Some(Vec::new());
    Ok(PublicApplication {
        application: found.application,
        owner,
    })
}

/// A user's namespace (which owns the application `initialize` creates) described as an
/// organization: the user administers it, and superusers oversee it.
async fn describe_user_namespace(
    app: &App,
    caller: Option<&Principal<'_>>,
    owner: Account,
) -> Result<OrganizationDetails> {
    let role = caller
        .filter(|caller| caller.account.id == owner.id)
        .and_then(|caller| TeamRole::cap(caller.scopes));
    let is_admin = role == Some(TeamRole::Admin);
    let oversees = caller.is_some_and(|caller| {
        superuser_override(&app.config, caller.account, caller.scopes)
            || caller.account.is_global_readonly_superuser(&app.config)
    });
    let invoicing = if is_admin {
        let mut conn = app.db.reader().await?;
        Some(organizations::find_invoicing(&mut conn, &owner).await?)
    } else {
        None
    };
    Ok(OrganizationDetails {
        organization: owner,
        is_admin,
        is_member: role.is_some(),
        shows_email: is_admin || oversees,
        teams: None,
        invoicing,
    })
}

/// What a token request asks for: its display name, its scope string and, in seconds, its
/// lifetime (ten years when not given, and never more).
pub struct TokenRequest<'a> {
    pub name: &'a str,
    pub scope: &'a str,
    pub lifetime_s: Option<i64>,
}

/// A minted token and what the answer shows of it.
pub struct MintedToken {
    pub issued: tokens::IssuedToken,
    pub name: String,
    pub scope: String,
}

/// Mints a token for the caller through an organization's application. Every requested scope
/// must be one the caller holds now, and a caller using a token can only narrow its scopes.
/// With `OAUTH_APPLICATION_MAXIMUM_TOKEN_COUNT` set, the application's unexpired tokens (all
/// its users' together) may not exceed it; as in Quay, only this way of minting is limited.
pub async fn mint_token(
    app: &App,
    who: &OrganizationCaller<'_>,
    client_id: &str,
    request: TokenRequest<'_>,
) -> Result<MintedToken> {
    let (org, application) = token_application(app, who, client_id, Purpose::Manage).await?;
    let TokenRequest {
        name,
        scope,
        lifetime_s,
    } = request;
    let requested = Scopes::parse(scope);
    if requested == Scopes::default() {
        return Err(Error::InvalidScope(scope.to_owned()));
    }
    // An organization admin holds every repository and organization right there; super:user
    // needs a superuser; and a token caller cannot widen its own scopes.
    if requested.contains(Scopes::SUPER_USER)
        && !(who.caller.account.is_superuser(&app.config) && who.caller.scopes.allows_superuser())
    {
        return Err(Error::Unauthorized);
    }
    if !who.caller.scopes.contains(Scopes::DIRECT_LOGIN) && !who.caller.scopes.covers(requested) {
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
    if let Some(limit) = app.config.oauth_application_maximum_token_count {
        db::applications::lock_application(&mut tx, app.db.backend(), application.id).await?;
        let count =
            db::applications::count_unexpired_tokens(&mut tx, application.id, db::now_ms()).await?;
        if count >= limit {
            return Err(Error::TokenLimitReached(limit));
        }
    }
    let issued = tokens::issue_named_token(
        &mut tx,
        application.id,
        who.caller.account,
        scope,
        Some(name),
        lifetime_s * 1000,
    )
    .await?;
    let metadata = json!({
        "oauth_token_uuid": issued.uuid, "scope": scope, "token_display_name": name,
        "application_name": application.name, "auth_method": "OAuth", "client_id": client_id,
    });
    let log_scope = logs::Scope::namespace(org.id);
    logs::record(
        &mut tx,
        &who.caller.actor,
        "create_oauth_api_token",
        log_scope,
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

/// An organization's application whose tokens the caller may see or manage: beyond the
/// rights of [`organization_application`], the credential must carry `org:admin`.
async fn token_application(
    app: &App,
    who: &OrganizationCaller<'_>,
    client_id: &str,
    purpose: Purpose,
) -> Result<(Account, ApplicationRow)> {
    if !who.caller.scopes.contains(Scopes::ORG_ADMIN)
        && !who.caller.scopes.contains(Scopes::DIRECT_LOGIN)
    {
        return Err(Error::Unauthorized);
    }
    let (org, application) = organization_application(app, who, client_id, purpose).await?;
    Ok((org, application.row))
}

/// Tokens listed per page.
pub const TOKEN_PAGE_SIZE: i64 = 50;

/// One page of an application's unexpired tokens, newest first, from id `before_id` down;
/// also the id the next page starts at, if there is one.
pub async fn list_tokens(
    app: &App,
    who: &OrganizationCaller<'_>,
    client_id: &str,
    before_id: i64,
) -> Result<(Vec<ApplicationTokenRow>, Option<i64>)> {
    let (_, application) = token_application(app, who, client_id, Purpose::View).await?;
    let mut conn = app.db.reader().await?;
    let mut rows = db::applications::list_application_tokens_page(
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
    who: &OrganizationCaller<'_>,
    client_id: &str,
    token_uuid: &str,
) -> Result<()> {
    let (org, application) = token_application(app, who, client_id, Purpose::Manage).await?;
    let mut tx = app.db.begin().await?;
    if !db::applications::delete_application_token(&mut tx, application.id, token_uuid).await? {
        return Err(Error::NotFound);
    }
    let metadata = json!({
        "oauth_token_uuid": token_uuid, "application_name": application.name,
        "client_id": application.client_id,
    });
    let scope = logs::Scope::namespace(org.id);
    logs::record(
        &mut tx,
        &who.caller.actor,
        "revoke_oauth_api_token",
        scope,
        metadata,
    )
    .await?;
    Ok(db::commit(tx).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_encrypted_client_secrets_are_told_apart() {
        let secret = random_code(CLIENT_SECRET_LEN);
        assert!(is_plain_client_secret(&secret));
        let encrypted = passwords::encrypt_password("some-key", &secret);
        assert!(!is_plain_client_secret(&encrypted));
        assert!(!is_plain_client_secret(&secret.to_lowercase()));
        assert!(!is_plain_client_secret(&secret[1..]));
    }
}
