//! The checks every `/api/v1` request passes before its handler, in Quay's order
//! (superuser-api.md §3.1): browser XHR check, authentication, CSRF, anonymous protection.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::extract::{authenticate, Caller};
use crate::accounts::sessions::{self, Session};
use crate::app::App;
use crate::app::AppState;
use crate::db;

const XHR_REQUIRED: &str =
    "API calls must be invoked with an X-Requested-With header if called from a browser";
const CSRF_INVALID: &str = "CSRF token was invalid or missing.";

pub async fn api_v1(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    match check(&app, &mut request).await {
        Ok(()) => next.run(request).await,
        Err(err) => err.into_response(),
    }
}

async fn check(app: &AppState, request: &mut Request) -> Result<(), ApiError> {
    let config = &app.config;
    let headers = request.headers();
    if config.browser_api_calls_xhr_only
        && !config.debugging
        && request.method() == Method::GET
        && headers
            .get("X-Requested-With")
            .is_none_or(|v| v != "XMLHttpRequest")
        && headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_checked_browser)
    {
        return Err(ApiError::abort(StatusCode::BAD_REQUEST, XHR_REQUIRED));
    }

    let session = request_session(app, request);
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let identity = authenticate(app, authorization, session.as_ref()).await?;

    // Token clients never need CSRF; every other write must echo the session's CSRF token.
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let via_token = identity.as_ref().is_some_and(|i| i.via_token());
    if !safe && !via_token && !csrf_matches(request, session.as_ref()) {
        return Err(ApiError::abort(StatusCode::FORBIDDEN, CSRF_INVALID));
    }
    let caller = Caller {
        identity,
        ip: client_ip(request),
        session,
    };
    if !config.features.anonymous_access && caller.is_anonymous() {
        return Err(ApiError::abort(
            StatusCode::UNAUTHORIZED,
            "Anonymous access is not allowed",
        ));
    }
    request.extensions_mut().insert(caller);
    Ok(())
}

/// The session in the request's cookie, if it carries a valid one.
pub fn request_session(app: &App, request: &Request) -> Option<Session> {
    session_from_headers(app, request.headers())
}

pub fn session_from_headers(app: &App, headers: &axum::http::HeaderMap) -> Option<Session> {
    let now = db::now_ms();
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == sessions::COOKIE_NAME)
        .find_map(|(_, value)| sessions::decode(&app.secrets.secret_key, value, now))
}

/// The `X-CSRF-Token` header or `_csrf_token` query value equals the session's token.
fn csrf_matches(request: &Request, session: Option<&Session>) -> bool {
    let Some(expected) = session.map(|s| s.csrf_token.as_bytes()) else {
        return false;
    };
    let from_header = request.headers().get("X-CSRF-Token").map(|v| v.as_bytes());
    let from_query = request.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|pair| pair.strip_prefix("_csrf_token="))
            .map(str::as_bytes)
    });
    [from_header, from_query]
        .into_iter()
        .flatten()
        .any(|given| bool::from(given.ct_eq(expected)))
}

/// The client address: the first `X-Forwarded-For` hop when a proxy set one, else the peer.
pub fn client_ip(request: &Request) -> Option<String> {
    let forwarded = request
        .headers()
        .get("X-Forwarded-For")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    forwarded.or_else(|| {
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
    })
}

/// True when ua-parser would name the agent's family one of the desktop browsers Quay checks
/// (Chrome, Firefox, Safari, Opera, Konqueror, ...). Mobile variants and Edge are other
/// families and pass, as they do in Quay.
pub fn is_checked_browser(user_agent: &str) -> bool {
    let ua = user_agent;
    if ua.contains("Edg/") || ua.contains("Edge/") || ua.contains("Mobile") {
        return false;
    }
    const MARKERS: &[&str] = &[
        "Firefox/",
        "Chrome/",
        "OPR/",
        "Opera",
        "Konqueror",
        "SeaMonkey",
        "Camino",
        "Galeon",
        "K-Meleon",
        "Netscape",
        "Lynx/",
        "Links",
    ];
    MARKERS.iter().any(|m| ua.contains(m)) || (ua.contains("Safari/") && ua.contains("Version/"))
}

#[cfg(test)]
mod tests {
    use super::is_checked_browser;

    #[test]
    fn browser_families() {
        assert!(is_checked_browser(
            "Mozilla/5.0 (X11; Linux x86_64; rv:134.0) Gecko/20100101 Firefox/134.0"
        ));
        assert!(is_checked_browser(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
        ));
        assert!(!is_checked_browser("curl/8.5.0"));
        assert!(!is_checked_browser(
            "containers/5.32 (github.com/containers/image)"
        ));
        assert!(!is_checked_browser(
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
        ));
        assert!(!is_checked_browser(
            "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0 Safari/537.36 Edg/131.0"
        ));
    }
}
