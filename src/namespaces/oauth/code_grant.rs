//! The authorization-code grant (core-api.md §1.8 (b)): an approved request gets a code in
//! its redirect; the application exchanges the code, with its client secret, for a token at
//! `/oauth/access_token`. A code is 40 characters: a 20-character lookup prefix and a secret
//! of which only the SHA-256 is kept. It is good once, for ten minutes, for the scope and
//! redirect it was issued with.

use subtle::ConstantTimeEq;

use super::{granted_query, redirect_allowed, with_query, AuthorizationRequest};
use crate::accounts::passwords::secret_digest;
use crate::accounts::{passwords, tokens, Account, Scopes};
use crate::app::App;
use crate::db::{self, applications::ApplicationRow, oauth::AuthorizationCodeRow};
use crate::namespaces::applications::{client_secret, MAX_TOKEN_LIFETIME_S};
use crate::random::random_code;

const CODE_LEN: usize = 40;
const PREFIX_LEN: usize = 20;
/// RFC 6749 §4.1.2 recommends at most ten minutes.
const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;

/// Stores a code for the approved request; returns the redirect `Location` carrying it.
pub(super) async fn grant_code(
    app: &App,
    application: &ApplicationRow,
    user: &Account,
    request: &AuthorizationRequest<'_>,
) -> db::Result<String> {
    let code = random_code(CODE_LEN);
    let (prefix, secret) = code.split_at(PREFIX_LEN);
    let now = db::now_ms();
    let mut tx = app.db.begin().await?;
    db::oauth::delete_expired_authorization_codes(&mut tx, now).await?;
    db::oauth::insert_authorization_code(
        &mut tx,
        &db::oauth::NewAuthorizationCode {
            application_id: application.id,
            authorized_user_id: user.id,
            scope: request.scope,
            redirect_uri: request.redirect_uri,
            code_prefix: prefix,
            code_digest: &secret_digest(secret),
            created_ms: now,
            expires_ms: now + CODE_LIFETIME_MS,
        },
    )
    .await?;
    db::commit(tx).await?;
    Ok(with_query(
        request.redirect_uri,
        &granted_query(request, Some(&code)),
    ))
}

/// The parameters of `POST /oauth/access_token`, client credentials already merged from the
/// form and HTTP basic auth.
pub struct TokenRequest<'a> {
    pub grant_type: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub redirect_uri: &'a str,
    pub code: &'a str,
    pub scope: &'a str,
}

/// The refusals of the token endpoint, named as the application reads them.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_scope")]
    InvalidScope,
    #[error("invalid_grant")]
    InvalidGrant,
    #[error(transparent)]
    Db(#[from] db::Error),
}

/// A token issued for a code.
pub struct ExchangedToken {
    pub token: String,
    pub expires_in_s: i64,
}

/// Exchanges a code for a token, consuming the code. Checks run in Quay's order (grant type,
/// client, grant), except that an unknown scope name is `invalid_scope` before the code is
/// looked at: Quay compares the scope with the code's first, which leaves its
/// `invalid_scope` unreachable.
pub async fn exchange(
    app: &App,
    request: &TokenRequest<'_>,
) -> Result<ExchangedToken, ExchangeError> {
    if request.grant_type != "authorization_code" {
        return Err(ExchangeError::UnsupportedGrantType);
    }
    let mut conn = app.db.reader().await?;
    let application =
        db::applications::find_application_by_client_id(&mut conn, request.client_id).await?;
    drop(conn);
    let application = application
        .filter(|a| {
            let secret = client_secret(app, a).unwrap_or_default();
            passwords::secret_matches(&secret, request.client_secret)
        })
        .ok_or(ExchangeError::InvalidClient)?;
    if Scopes::parse(request.scope) == Scopes::default() {
        return Err(ExchangeError::InvalidScope);
    }
    if request.code.len() != CODE_LEN || !request.code.is_ascii() {
        return Err(ExchangeError::InvalidGrant);
    }
    let (prefix, secret) = request.code.split_at(PREFIX_LEN);
    let now = db::now_ms();
    let mut tx = app.db.begin().await?;
    let code = db::oauth::find_authorization_code(&mut tx, application.id, prefix)
        .await?
        .filter(|code| redeemable(code, secret, request, now))
        .ok_or(ExchangeError::InvalidGrant)?;
    let user = db::accounts::find_account_by_id(&mut tx, code.authorized_user_id)
        .await?
        .map(Account::from)
        .filter(|user| user.enabled)
        .ok_or(ExchangeError::InvalidGrant)?;
    if !redirect_allowed(
        &app.config.app_url(),
        &application.redirect_uri,
        request.redirect_uri,
    ) || !db::oauth::delete_authorization_code(&mut tx, code.id).await?
    {
        return Err(ExchangeError::InvalidGrant);
    }
    let issued = tokens::issue_named_token(
        &mut tx,
        application.id,
        &user,
        &code.scope,
        None,
        MAX_TOKEN_LIFETIME_S * 1000,
    )
    .await?;
    db::commit(tx).await?;
    Ok(ExchangedToken {
        token: issued.token,
        expires_in_s: MAX_TOKEN_LIFETIME_S,
    })
}

/// The code's secret matches, it has not expired, and it is presented with the scope and
/// redirect it was issued for.
fn redeemable(
    code: &AuthorizationCodeRow,
    secret: &str,
    request: &TokenRequest,
    now_ms: i64,
) -> bool {
    let matches: bool = secret_digest(secret)
        .as_bytes()
        .ct_eq(code.code_digest.as_bytes())
        .into();
    matches
        && code.expires_ms > now_ms
        && code.scope == request.scope
        && code.redirect_uri == request.redirect_uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_redeemable_only_as_issued_and_in_time() {
        let request = TokenRequest {
            grant_type: "authorization_code",
            client_id: "c",
            client_secret: "s",
            redirect_uri: "https://ci.example.com/cb",
            code: "",
            scope: "repo:read",
        };
        let code = AuthorizationCodeRow {
            id: 1,
            authorized_user_id: 1,
            scope: "repo:read".into(),
            redirect_uri: "https://ci.example.com/cb".into(),
            code_digest: secret_digest("secret"),
            expires_ms: 1000 + CODE_LIFETIME_MS,
        };
        assert!(redeemable(&code, "secret", &request, 1000));
        assert!(!redeemable(&code, "secreT", &request, 1000));
        assert!(!redeemable(
            &code,
            "secret",
            &request,
            1000 + CODE_LIFETIME_MS
        ));
        let other_scope = TokenRequest {
            scope: "repo:write",
            ..request
        };
        assert!(!redeemable(&code, "secret", &other_scope, 1000));
        let other_redirect = TokenRequest {
            redirect_uri: "https://ci.example.com/cb/x",
            scope: "repo:read",
            ..other_scope
        };
        assert!(!redeemable(&code, "secret", &other_redirect, 1000));
    }
}
