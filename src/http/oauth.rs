//! Quay as an OAuth authorization server, implicit grant (core-api.md §1.8 (a)):
//! `/oauth/authorize`, `/oauth/authorizeapp`, `/oauth/denyapp` and `/oauth/localapp`.
//! The user is the session's, or a basic-auth password login (scripts).

use std::collections::HashMap;

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

use crate::accounts::{login, Account, Scopes};
use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::json::Restful;
use crate::http::pipeline::request_session;
use crate::namespaces::oauth::{self, AuthorizationRequest};
use crate::namespaces::Error as NamespaceError;

type Params = HashMap<String, String>;

/// How the user authenticated, which decides whether a CSRF token is needed.
enum Signed {
    Session { user: Account, csrf_token: String },
    Basic(Account),
}

impl Signed {
    fn user(&self) -> &Account {
        match self {
            Signed::Session { user, .. } | Signed::Basic(user) => user,
        }
    }
}

async fn signed_in_user(
    app: &AppState,
    headers: &HeaderMap,
    request_session: Option<crate::accounts::sessions::Session>,
) -> Result<Option<Signed>, ApiError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| STANDARD.decode(v.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    if let Some((username, password)) = basic.as_deref().and_then(|b| b.split_once(':')) {
        let attempt = login::Attempt {
            source: "quayauth",
            user_agent: headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
            ip: None,
        };
        return match login::authenticate_basic(app, username, password, &attempt).await {
            Ok(found) if found.scopes.contains(Scopes::DIRECT_LOGIN) => {
                Ok(Some(Signed::Basic(found.account)))
            }
            _ => Ok(None),
        };
    }
    let Some(session) = request_session else {
        return Ok(None);
    };
    let Some(uuid) = session.user_uuid.as_deref() else {
        return Ok(None);
    };
    let user = login::session_user(app, uuid)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(user.map(|user| Signed::Session {
        user,
        csrf_token: session.csrf_token,
    }))
}

/// 302 Found, as Quay answers OAuth redirects (not axum's 303).
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => ApiError::abort(StatusCode::BAD_REQUEST, "invalid_request").into_response(),
    }
}

fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, ApiError> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::abort(StatusCode::BAD_REQUEST, "invalid_request"))
}

fn authorization<'a>(params: &'a Params) -> Result<AuthorizationRequest<'a>, ApiError> {
    Ok(AuthorizationRequest {
        client_id: required(params, "client_id")?,
        redirect_uri: required(params, "redirect_uri")?,
        scope: required(params, "scope")?,
        state: params.get("state").map(String::as_str),
    })
}

fn namespace_error(err: NamespaceError, user_known: bool) -> ApiError {
    match err {
        NamespaceError::Unauthorized => ApiError::unauthorized(!user_known),
        other => other.into(),
    }
}

/// GET /oauth/authorize: the consent page (or its JSON), or the token at once when the user
/// already authorized these scopes for this application.
pub async fn authorize(
    State(app): State<AppState>,
    Query(params): Query<Params>,
    request: Request,
) -> Result<Response, ApiError> {
    let request_auth = authorization(&params)?;
    if params.get("response_type").is_some_and(|t| t != "token") {
        return Ok(found(&oauth::denial(
            request_auth.redirect_uri,
            "unsupported_response_type",
        ))
        .into_response());
    }
    let session = request_session(&app, &request);
    let Some(signed) = signed_in_user(&app, request.headers(), session.clone()).await? else {
        return Err(ApiError::unauthorized(true));
    };
    let user = signed.user();
    let application = oauth::authorizable_application(&app, user, request_auth.client_id)
        .await
        .map_err(|e| namespace_error(e, true))?;
    if !oauth::redirect_allowed(
        &app.config.app_url(),
        &application.redirect_uri,
        request_auth.redirect_uri,
    ) {
        return Ok(found(&oauth::denial(
            &application.redirect_uri,
            "redirect_uri_mismatch",
        ))
        .into_response());
    }
    let requested = crate::accounts::Scopes::parse(request_auth.scope);
    if oauth::already_authorized(&app, &application, user, requested).await? {
        let location = oauth::grant_implicit(&app, &application, user, &request_auth).await?;
        return Ok(found(&location).into_response());
    }
    let csrf_token = match &signed {
        Signed::Session { csrf_token, .. } => csrf_token.clone(),
        Signed::Basic(_) => String::new(),
    };
    if params.get("format").is_some_and(|f| f == "json") {
        let scopes: Vec<&str> = request_auth
            .scope
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .collect();
        let body = json!({
            "scopes": scopes, "application": {"name": application.name, "clientId": application.client_id},
            "response_type": "token", "client_id": application.client_id, "redirect_uri": request_auth.redirect_uri,
            "scope": request_auth.scope, "csrf_token_val": csrf_token, "state": request_auth.state,
        });
        return Ok(Restful(StatusCode::OK, body).into_response());
    }
    Ok(Html(consent_page(&application.name, &request_auth, &csrf_token)).into_response())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn consent_page(application: &str, request: &AuthorizationRequest<'_>, csrf_token: &str) -> String {
    let hidden = |name: &str, value: &str| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    };
    let fields = [
        hidden("client_id", request.client_id),
        hidden("redirect_uri", request.redirect_uri),
        hidden("scope", request.scope),
        hidden("state", request.state.unwrap_or("")),
        hidden("response_type", "token"),
        hidden("_csrf_token", csrf_token),
    ]
    .join("");
    format!(
        "<!doctype html><title>Authorize {app}</title><h1>Authorize {app}</h1>\
         <p>The application asks for: <code>{scope}</code></p>\
         <form method=\"post\" action=\"/oauth/authorizeapp\">{fields}<button>Authorize</button></form>\
         <form method=\"post\" action=\"/oauth/denyapp\">{fields}<button>Deny</button></form>",
        app = escape(application),
        scope = escape(request.scope),
    )
}

/// POST /oauth/authorizeapp: the user approves; 302 to the redirect URI with the token in the
/// fragment. A session needs its CSRF token; basic auth only for whitelisted applications.
pub async fn authorize_app(
    State(app): State<AppState>,
    headers: HeaderMap,
    Form(params): Form<Params>,
) -> Result<Response, ApiError> {
    let request_auth = authorization(&params)?;
    let session = crate::http::pipeline::session_from_headers(&app, &headers);
    let Some(signed) = signed_in_user(&app, &headers, session).await? else {
        return Err(ApiError::unauthorized(true));
    };
    let trusted = match &signed {
        Signed::Session { csrf_token, .. } => params.get("_csrf_token") == Some(csrf_token),
        Signed::Basic(_) => app
            .config
            .direct_oauth_clientid_whitelist
            .iter()
            .any(|c| c == request_auth.client_id),
    };
    if !trusted {
        return Err(ApiError::abort(
            StatusCode::FORBIDDEN,
            "CSRF token was invalid or missing.",
        ));
    }
    let user = signed.user();
    let application = oauth::authorizable_application(&app, user, request_auth.client_id)
        .await
        .map_err(|e| namespace_error(e, true))?;
    if !oauth::redirect_allowed(
        &app.config.app_url(),
        &application.redirect_uri,
        request_auth.redirect_uri,
    ) {
        return Err(ApiError::abort(StatusCode::BAD_REQUEST, "invalid_request"));
    }
    let location = oauth::grant_implicit(&app, &application, user, &request_auth).await?;
    Ok(found(&location).into_response())
}

/// POST /oauth/denyapp: 302 back with `error=authorization_denied`.
pub async fn deny_app(Form(params): Form<Params>) -> Result<Response, ApiError> {
    let redirect = required(&params, "redirect_uri")?;
    Ok(found(&oauth::denial(redirect, "authorization_denied")).into_response())
}

/// GET /oauth/localapp: shows the token of the fragment; `?format=json&access_token=` echoes it.
pub async fn local_app(Query(params): Query<Params>) -> Response {
    if params.get("format").is_some_and(|f| f == "json") {
        let token = params.get("access_token").cloned().unwrap_or_default();
        return Restful(StatusCode::OK, json!({ "access_token": token })).into_response();
    }
    let mut page = Html(
        "<!doctype html><title>Access token</title><h1>Your access token</h1><pre id=\"token\"></pre>\
         <script>const p=new URLSearchParams(location.hash.slice(1));\
         document.getElementById('token').textContent=p.get('access_token')||'';</script>",
    )
    .into_response();
    page.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    page
}
