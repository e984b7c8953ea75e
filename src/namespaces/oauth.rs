//! The OAuth implicit grant (core-api.md §1.8 (a)): an organization admin authorizes one of
//! its applications and receives an access token in the redirect's fragment.

use super::{is_org_admin, Error, Result};
use crate::accounts::{tokens, Account, Scopes};
use crate::app::App;
use crate::db::{self, accounts::ApplicationRow};
use crate::namespaces::applications::MAX_TOKEN_LIFETIME_S;

/// What an authorization request asks for.
pub struct AuthorizationRequest<'a> {
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub state: Option<&'a str>,
}

/// The application named by the request, when `user` administers the organization owning it.
pub async fn authorizable_application(
    app: &App,
    user: &Account,
    client_id: &str,
) -> Result<ApplicationRow> {
    let mut conn = app.db.reader().await?;
    let application = db::accounts::find_application_by_client_id(&mut conn, client_id)
        .await?
        .ok_or(Error::NotFound)?;
    let owner = db::accounts::find_account_by_id(&mut conn, application.owner_id)
        .await?
        .ok_or(Error::NotFound)?;
    drop(conn);
    if !is_org_admin(app, &Account::from(owner), user, Scopes::DIRECT_LOGIN).await? {
        return Err(Error::Unauthorized);
    }
    Ok(application)
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

/// True when `user` already holds unexpired tokens of this application covering `requested`.
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
    Ok(union.contains(requested))
}

/// Issues a token for the approved request; returns the redirect `Location` carrying it.
pub async fn grant_implicit(
    app: &App,
    application: &ApplicationRow,
    user: &Account,
    request: &AuthorizationRequest<'_>,
) -> Result<String> {
    let requested = Scopes::parse(request.scope);
    if requested == Scopes::default()
        || (requested.contains(Scopes::SUPER_USER) && !app.config.features.super_users)
    {
        return Err(Error::InvalidScope(request.scope.to_owned()));
    }
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
    db::commit(tx).await?;
    let mut query = vec![format!("scope={}", encode(request.scope))];
    if let Some(state) = request.state {
        query.push(format!("state={}", encode(state)));
    }
    let separator = if request.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    Ok(format!(
        "{}{separator}{}#access_token={}&token_type=Bearer&expires_in={MAX_TOKEN_LIFETIME_S}",
        request.redirect_uri,
        query.join("&"),
        issued.token
    ))
}

/// The redirect telling the application the user said no.
pub fn denial(redirect_uri: &str, error: &str) -> String {
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{separator}error={error}")
}

/// Percent-encoding for query values.
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
}
