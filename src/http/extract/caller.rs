//! The caller of an `/api/v1` request, resolved once by the pipeline middleware.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::accounts::{login, sessions::Session, tokens, Account, Principal, Scopes};
use crate::app::App;
use crate::config::Config;
use crate::db;
use crate::http::error::ApiError;
use crate::logs::{Actor, OAuthUse};
use crate::repositories::management::Requester;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Identity {
    pub account: Account,
    pub scopes: Scopes,
    /// The OAuth token used, if any; such callers are exempt from CSRF and fresh-login checks.
    pub oauth: Option<OAuthUse>,
}

impl Identity {
    pub fn via_token(&self) -> bool {
        self.oauth.is_some()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub identity: Option<Identity>,
    pub ip: Option<String>,
    /// The browser session the request carried, signed in or not.
    pub session: Option<Session>,
}

/// Authentication never rejects: a bad bearer token or session leaves the caller anonymous
/// (§3.1). A bearer header is tried first, then the session cookie.
pub async fn authenticate(
    app: &App,
    authorization: Option<&str>,
    session: Option<&Session>,
) -> Result<Option<Identity>, ApiError> {
    if let Some(token) = authorization.and_then(bearer_token) {
        return Ok(tokens::authenticate_token(app, token)
            .await?
            .map(|grant| Identity {
                account: grant.account,
                scopes: grant.scopes,
                oauth: Some(grant.oauth),
            }));
    }
    let Some(user_uuid) = session.and_then(|s| s.user_uuid.as_deref()) else {
        return Ok(None);
    };
    let account = login::session_user(app, user_uuid)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(account.map(|account| Identity {
        account,
        scopes: Scopes::DIRECT_LOGIN,
        oauth: None,
    }))
}

/// `Bearer <token>`: split on spaces, exactly two parts, the first `bearer` in any case.
fn bearer_token(header: &str) -> Option<&str> {
    let mut parts = header.split(' ').filter(|p| !p.is_empty());
    let (scheme, token) = (parts.next()?, parts.next()?);
    (scheme.eq_ignore_ascii_case("bearer") && parts.next().is_none()).then_some(token)
}

impl Caller {
    pub fn is_anonymous(&self) -> bool {
        self.identity.is_none()
    }

    pub fn actor(&self) -> Actor {
        Actor {
            performer_id: self.identity.as_ref().map(|i| i.account.id),
            performer_name: self.identity.as_ref().map(|i| i.account.username.clone()),
            ip: self.ip.clone(),
            oauth: self.identity.as_ref().and_then(|i| i.oauth.clone()),
        }
    }

    /// Who asks, as repository rules see it.
    pub fn requester(&self) -> Requester<'_> {
        match &self.identity {
            Some(id) => Requester {
                account: Some(&id.account),
                scopes: id.scopes,
            },
            None => Requester {
                account: None,
                scopes: Scopes::default(),
            },
        }
    }

    /// Unauthorized for this caller: 401 when anonymous, 403 otherwise.
    pub fn unauthorized(&self) -> ApiError {
        ApiError::unauthorized(self.is_anonymous())
    }

    /// The authenticated caller, or 401.
    pub fn require_identity(&self) -> Result<&Identity, ApiError> {
        self.identity.as_ref().ok_or_else(|| self.unauthorized())
    }

    /// The authenticated caller as domain rules see it, or 401.
    pub fn principal(&self) -> Result<Principal<'_>, ApiError> {
        let identity = self.require_identity()?;
        Ok(Principal {
            account: &identity.account,
            scopes: identity.scopes,
            actor: self.actor(),
        })
    }

    /// Quay's `SuperUserPermission`: a regular superuser whose credential carries `super:user`
    /// (or is a direct login).
    pub fn require_superuser(&self, config: &Config) -> Result<&Identity, ApiError> {
        match &self.identity {
            Some(id) if id.account.is_superuser(config) && id.scopes.allows_superuser() => Ok(id),
            _ => Err(self.unauthorized()),
        }
    }

    /// Superuser read endpoints: `SuperUserPermission`, or a global read-only superuser with
    /// any valid credential.
    pub fn require_any_superuser(&self, config: &Config) -> Result<&Identity, ApiError> {
        match &self.identity {
            Some(id) if id.account.is_global_readonly_superuser(config) => Ok(id),
            _ => self.require_superuser(config),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_default())
    }
}

/// A caller that passed Quay's `require_fresh_login`: OAuth tokens always do, sessions within
/// `FRESH_LOGIN_TIMEOUT` of signing in; anonymous callers get 401 and robots 403.
pub struct FreshCaller(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for FreshCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        match &caller.identity {
            None => Err(ApiError::unauthorized(true)),
            Some(id) if id.account.robot => Err(ApiError::unauthorized(false)),
            Some(id)
                if !id.via_token()
                    && !caller
                        .session
                        .as_ref()
                        .is_some_and(|s| s.is_fresh(db::now_ms())) =>
            {
                Err(ApiError::fresh_login_required())
            }
            Some(_) => Ok(FreshCaller(caller)),
        }
    }
}

impl std::ops::Deref for FreshCaller {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_header_forms() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer   abc"), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer a b"), None);
        assert_eq!(bearer_token("Bearer"), None);
    }
}
