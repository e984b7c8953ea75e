//! Quay as an OAuth authorization server (core-api.md §1.8): the implicit grant (a), the
//! authorization-code grant (b) and token assignment (d). An application is authorized by the
//! admins of the organization owning it, or by a user it was assigned to.

pub mod assignments;
pub mod authorizations;
pub mod code_grant;

use super::{is_org_admin, Error, Result};
use crate::accounts::{tokens, Account, Scopes};
use crate::app::App;
use crate::db::{self, applications::ApplicationRow, oauth::ApplicationSummaryRow};
use crate::namespaces::applications::MAX_TOKEN_LIFETIME_S;

/// What the application wants back: a token in the fragment, or a code to exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Token,
    Code,
}

impl ResponseType {
    pub fn parse(text: &str) -> Option<ResponseType> {
        match text {
            "token" => Some(ResponseType::Token),
            "code" => Some(ResponseType::Code),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Token => "token",
            ResponseType::Code => "code",
        }
    }
}

/// What an authorization request asks for.
pub struct AuthorizationRequest<'a> {
    /// As given; Quay's default is `code`. Anything else is refused at approval.
    pub response_type: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub state: Option<&'a str>,
    /// A token assignment the user completes (implicit grant only).
    pub assignment_uuid: Option<&'a str>,
}

impl AuthorizationRequest<'_> {
    pub fn scopes(&self) -> Scopes {
        Scopes::parse(self.scope)
    }
}

/// An application and the namespace (normally an organization) owning it.
pub struct OwnedApplication {
    pub application: ApplicationRow,
    pub owner: Account,
}

impl OwnedApplication {
    /// The application as authorization views show it.
    pub fn summary(&self) -> ApplicationSummaryRow {
        ApplicationSummaryRow {
            client_id: self.application.client_id.clone(),
            application_name: self.application.name.clone(),
            application_description: self.application.description.clone(),
            application_uri: self.application.application_uri.clone(),
            avatar_email: self.application.avatar_email.clone(),
            owner_name: self.owner.username.clone(),
            owner_email: self.owner.email.clone(),
        }
    }
}

/// The application `client_id` and the namespace owning it, whoever asks.
pub async fn find_application(app: &App, client_id: &str) -> Result<Option<OwnedApplication>> {
    let mut conn = app.db.reader().await?;
    let Some(application) =
        db::applications::find_application_by_client_id(&mut conn, client_id).await?
    else {
        return Ok(None);
    };
    let owner = db::accounts::find_account_by_id(&mut conn, application.owner_id)
        .await?
        .map(Account::from)
        .ok_or(Error::NotFound)?;
    Ok(Some(OwnedApplication { application, owner }))
}

/// The application named by the request, when `user` administers the organization owning it
/// or holds a pending assignment of it covering the request.
pub async fn authorizable_application(
    app: &App,
    user: &Account,
    request: &AuthorizationRequest<'_>,
) -> Result<OwnedApplication> {
    let found = find_application(app, request.client_id)
        .await?
        .ok_or(Error::NotFound)?;
    if !may_authorize(app, user, &found, request).await? {
        return Err(Error::Unauthorized);
    }
    Ok(found)
}

async fn may_authorize(
    app: &App,
    user: &Account,
    found: &OwnedApplication,
    request: &AuthorizationRequest<'_>,
) -> Result<bool> {
    if is_org_admin(app, &found.owner, user, Scopes::DIRECT_LOGIN).await? {
        return Ok(true);
    }
    let assignment = assignments::matching(app, user, &found.application, request).await?;
    Ok(assignment.is_some())
}

/// The built-in page that shows a token, or the application's registered redirect: same
/// scheme and host, a path under the registered one, nothing smuggled in.
pub fn redirect_allowed(app_url: &str, registered: &str, requested: &str) -> bool {
    if requested == format!("{app_url}/oauth/localapp") {
        return true;
    }
    if registered.is_empty() || requested.contains("..") || requested.contains('@') {
        return false;
    }
    match requested.strip_prefix(registered) {
        Some(rest) => {
            !rest.contains('%')
                && (rest.is_empty()
                    || registered.ends_with('/')
                    || rest.starts_with(['/', '?', '#']))
        }
        None => false,
    }
}

/// True when `user` already holds unexpired tokens of this application covering `requested`:
/// then no consent is asked again.
pub async fn already_authorized(
    app: &App,
    application: &ApplicationRow,
    user: &Account,
    requested: Scopes,
) -> Result<bool> {
    let mut conn = app.db.reader().await?;
    let held =
        db::accounts::list_token_scopes(&mut conn, application.id, user.id, db::now_ms()).await?;
    let union = held
        .iter()
        .fold(Scopes::default(), |all, s| all.union(Scopes::parse(s)));
    Ok(union.covers(requested))
}

/// The outcome of an approved authorization request.
#[derive(Debug, PartialEq, Eq)]
pub enum Approval {
    /// Redirect here: with the token or code, or with an error the application reads.
    Redirect(String),
    /// The redirect URI is not one of the application's, so nothing may be sent there.
    InvalidRedirect,
    UnknownClient,
}

/// The application of a request whose redirect URI is one of the application's, or the
/// refusal when there is no such application or redirect.
async fn redirectable_application(
    app: &App,
    request: &AuthorizationRequest<'_>,
) -> Result<std::result::Result<OwnedApplication, Approval>> {
    let Some(found) = find_application(app, request.client_id).await? else {
        return Ok(Err(Approval::UnknownClient));
    };
    let registered = &found.application.redirect_uri;
    if !redirect_allowed(&app.config.app_url(), registered, request.redirect_uri) {
        return Ok(Err(Approval::InvalidRedirect));
    }
    Ok(Ok(found))
}

/// The user approved the request: issues the token (implicit grant) or code, in Quay's order
/// of checks; refusals after the redirect URI is known to be the application's go back to it.
pub async fn approve(
    app: &App,
    user: &Account,
    request: &AuthorizationRequest<'_>,
) -> Result<Approval> {
    let found = match redirectable_application(app, request).await? {
        Ok(found) => found,
        Err(refusal) => return Ok(refusal),
    };
    let refuse = |error| Ok(Approval::Redirect(denial(request.redirect_uri, error)));
    let Some(response_type) = ResponseType::parse(request.response_type) else {
        return refuse("unsupported_response_type");
    };
    if !may_authorize(app, user, &found, request).await? {
        return refuse("unauthorized_client");
    }
    let requested = request.scopes();
    if requested == Scopes::default()
        || (requested.contains(Scopes::SUPER_USER) && !app.config.features.super_users)
    {
        return refuse("invalid_scope");
    }
    let application = &found.application;
    let location = match response_type {
        ResponseType::Token => grant_implicit(app, application, user, request).await?,
        ResponseType::Code => code_grant::grant_code(app, application, user, request).await?,
    };
    Ok(Approval::Redirect(location))
}

/// The user said no: the application hears it at its redirect URI.
pub async fn deny(app: &App, request: &AuthorizationRequest<'_>) -> Result<Approval> {
    Ok(match redirectable_application(app, request).await? {
        Ok(_) => Approval::Redirect(denial(request.redirect_uri, "authorization_denied")),
        Err(refusal) => refusal,
    })
}

/// Issues a token for the approved request, consuming the assignment it completes; returns
/// the redirect `Location` carrying the token in its fragment.
async fn grant_implicit(
    app: &App,
    application: &ApplicationRow,
    user: &Account,
    request: &AuthorizationRequest<'_>,
) -> Result<String> {
    let assignment = assignments::matching(app, user, application, request).await?;
    let mut tx = app.db.begin().await?;
    let issued = tokens::issue_named_token(
        &mut tx,
        application.id,
        user,
        request.scope,
        None,
        MAX_TOKEN_LIFETIME_S * 1000,
    )
    .await?;
    if let Some(assignment) = assignment {
        db::oauth::delete_assigned_token(&mut tx, assignment.id).await?;
    }
    db::commit(tx).await?;
    let location = with_query(request.redirect_uri, &granted_query(request, None));
    Ok(format!(
        "{location}#access_token={}&token_type=Bearer&expires_in={MAX_TOKEN_LIFETIME_S}",
        issued.token
    ))
}

/// The query parameters a grant's redirect carries: the scope, the state if any, the code if
/// any.
fn granted_query<'a>(
    request: &AuthorizationRequest<'a>,
    code: Option<&'a str>,
) -> Vec<(&'static str, &'a str)> {
    let mut query = vec![("scope", request.scope)];
    query.extend(request.state.map(|state| ("state", state)));
    query.extend(code.map(|code| ("code", code)));
    query
}

/// The redirect telling the application the request was refused.
pub fn denial(redirect_uri: &str, error: &str) -> String {
    with_query(redirect_uri, &[("error", error)])
}

/// `uri` with `pairs` appended to whatever query it already has.
fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let separator = if uri.contains('?') { '&' } else { '?' };
    let query: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    format!("{uri}{separator}{}", query.join("&"))
}

/// Percent-encoding for query values, as Python's `urlencode` writes them.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects() {
        let app = "https://quay.example.com";
        assert!(redirect_allowed(
            app,
            "",
            "https://quay.example.com/oauth/localapp"
        ));
        assert!(redirect_allowed(
            app,
            "https://ci.example.com/cb",
            "https://ci.example.com/cb"
        ));
        assert!(redirect_allowed(
            app,
            "https://ci.example.com/cb",
            "https://ci.example.com/cb/x?y=1"
        ));
        assert!(!redirect_allowed(
            app,
            "https://ci.example.com/cb",
            "https://ci.example.com/cbx"
        ));
        assert!(!redirect_allowed(
            app,
            "https://ci.example.com/cb",
            "https://evil.example.com/cb"
        ));
        assert!(!redirect_allowed(
            app,
            "https://ci.example.com/cb",
            "https://ci.example.com/cb/../x"
        ));
        assert_eq!(encode("repo:read user:read"), "repo%3Aread+user%3Aread");
    }

    #[test]
    fn redirect_queries() {
        let request = AuthorizationRequest {
            response_type: "code",
            client_id: "c",
            redirect_uri: "https://ci.example.com/cb?x=1",
            scope: "repo:read user:read",
            state: Some("a b"),
            assignment_uuid: None,
        };
        assert_eq!(
            with_query(request.redirect_uri, &granted_query(&request, Some("C0DE"))),
            "https://ci.example.com/cb?x=1&scope=repo%3Aread+user%3Aread&state=a+b&code=C0DE"
        );
        assert_eq!(
            denial("https://ci.example.com/cb", "access_denied"),
            "https://ci.example.com/cb?error=access_denied"
        );
    }
}
