//! Quay as an OAuth authorization server (core-api.md §1.8): `/oauth/authorize`,
//! `/oauth/authorizeapp`, `/oauth/denyapp`, `/oauth/localapp`, `/oauth/access_token` and
//! `/oauth/authorize/assignuser`. The user is the session's, or (where Quay accepts it) a
//! basic-auth password login for scripts.

use std::collections::HashMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::accounts::sessions::Session;
use crate::accounts::{login, Account, Scopes};
use crate::app::{App, AppState};
use crate::http::api_v1::authorization::{scope_views, ApplicationView, ScopeView};
use crate::http::error::ApiError;
use crate::http::json::Jsonify;
use crate::http::pipeline::{client_ip, session_from_headers};
use crate::logs::Actor;
use crate::namespaces::oauth::assignments::{self, AssignError, Assignment};
use crate::namespaces::oauth::code_grant::{self, TokenRequest};
use crate::namespaces::oauth::{self, Approval, AuthorizationRequest, ResponseType};
use crate::pyjson::restful_bytes;

type Params = HashMap<String, String>;

const CSRF_INVALID: &str = "CSRF token was invalid or missing.";

/// How the user authenticated, which decides whether a CSRF token is needed.
enum Signed {
    Session { user: Account, session: Session },
    Basic(Account),
}

impl Signed {
    fn user(&self) -> &Account {
        match self {
            Signed::Session { user, .. } | Signed::Basic(user) => user,
        }
    }

    fn session(&self) -> Option<&Session> {
        match self {
            Signed::Session { session, .. } => Some(session),
            Signed::Basic(_) => None,
        }
    }
}

/// `user:password` of a basic `Authorization` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let raw = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| STANDARD.decode(v.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok())?;
    let (user, password) = raw.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// The user of a basic-auth password login, else of the session.
async fn signed_in_user(app: &App, headers: &HeaderMap) -> Result<Option<Signed>, ApiError> {
    if let Some((username, password)) = basic_credentials(headers) {
        let attempt = login::Attempt {
            source: "quayauth",
            user_agent: headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
            ip: None,
        };
        return match login::authenticate_basic(app, &username, &password, &attempt).await {
            Ok(found) if found.scopes.contains(Scopes::DIRECT_LOGIN) => {
                Ok(Some(Signed::Basic(found.account)))
            }
            _ => Ok(None),
        };
    }
    session_user(app, headers).await
}

/// The signed-in user of the session the request carries (Flask-Login's `current_user`).
async fn session_user(app: &App, headers: &HeaderMap) -> Result<Option<Signed>, ApiError> {
    let Some(session) = session_from_headers(app, headers) else {
        return Ok(None);
    };
    let Some(uuid) = session.user_uuid.as_deref() else {
        return Ok(None);
    };
    let user = login::session_user(app, uuid)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(user.map(|user| Signed::Session { user, session }))
}

/// Quay's `verify_csrf`: the session's token, echoed as `_csrf_token` in the parameters or
/// in the `X-CSRF-Token` header.
fn csrf_valid(session: Option<&Session>, params: &Params, headers: &HeaderMap) -> bool {
    let Some(expected) = session.map(|s| s.csrf_token.as_bytes()) else {
        return false;
    };
    let given = params
        .get("_csrf_token")
        .map(|v| v.as_bytes())
        .filter(|v| !v.is_empty())
        .or_else(|| headers.get("X-CSRF-Token").map(|v| v.as_bytes()));
    given.is_some_and(|given| bool::from(given.ct_eq(expected)))
}

fn csrf_failure() -> ApiError {
    ApiError::abort(StatusCode::FORBIDDEN, CSRF_INVALID)
}

/// A form body's fields; a missing or unreadable body has none, as Flask's `request.form`.
fn form_fields(form: Result<Form<Params>, FormRejection>) -> Params {
    form.map(|Form(fields)| fields).unwrap_or_default()
}

/// 302 Found, as Quay answers OAuth redirects (not axum's 303).
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => oauth_error("invalid_request"),
    }
}

/// The OAuth library's JSON answers: `json.dumps` text without a newline, never cached.
fn oauth_json(status: StatusCode, body: &impl Serialize) -> Response {
    let mut text = restful_bytes(body);
    text.pop();
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json;charset=UTF-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        text,
    )
        .into_response()
}

/// `{"error": "<code>"}` with 400, the OAuth library's refusals.
fn oauth_error(error: &str) -> Response {
    oauth_json(StatusCode::BAD_REQUEST, &json!({ "error": error }))
}

/// Quay's `param_required`: 400 `Required param: <name>` when absent.
fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, ApiError> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::abort(StatusCode::BAD_REQUEST, format!("Required param: {name}")))
}

/// An authorization request from `/oauth/authorize` or `/oauth/authorizeapp` parameters.
fn authorization_request(params: &Params) -> Result<AuthorizationRequest<'_>, ApiError> {
    let request = AuthorizationRequest {
        client_id: required(params, "client_id")?,
        redirect_uri: required(params, "redirect_uri")?,
        scope: required(params, "scope")?,
        response_type: params.get("response_type").map_or("code", String::as_str),
        state: params.get("state").map(String::as_str),
        assignment_uuid: params.get("assignment_uuid").map(String::as_str),
    };
    Ok(request)
}

/// Assignments exist with `FEATURE_ASSIGN_OAUTH_TOKEN`, and only for the implicit grant.
fn check_assignment(app: &App, request: &AuthorizationRequest<'_>) -> Result<(), ApiError> {
    let wrong = !app.config.features.assign_oauth_token
        || ResponseType::parse(request.response_type) != Some(ResponseType::Token);
    if request.assignment_uuid.is_some() && wrong {
        return Err(ApiError::abort(StatusCode::BAD_REQUEST, "Invalid Request"));
    }
    Ok(())
}

fn approval_response(approval: Approval) -> Response {
    match approval {
        Approval::Redirect(location) => found(&location),
        Approval::InvalidRedirect => oauth_error("invalid_request"),
        Approval::UnknownClient => ApiError::not_found().into_response(),
    }
}

/// The consent document (`format=json`), keys sorted as `jsonify` writes them.
#[derive(Serialize)]
struct ConsentView<'a> {
    scopes: Vec<ScopeView>,
    has_dangerous_scopes: bool,
    application: ApplicationView<String>,
    response_type: &'a str,
    client_id: &'a str,
    redirect_uri: &'a str,
    scope: &'a str,
    csrf_token_val: &'a str,
    state: Option<&'a str>,
    assignment_uuid: Option<&'a str>,
}

/// An avatar as the consent document carries it: its JSON text.
fn avatar_text(avatar: crate::http::views::Avatar) -> String {
    let mut text = restful_bytes(&avatar);
    text.pop();
    String::from_utf8(text).unwrap_or_default()
}

/// GET /oauth/authorize: the consent page (or its JSON), or the grant at once when the user
/// already authorized these scopes for this application.
pub async fn authorize(
    State(app): State<AppState>,
    Query(params): Query<Params>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let request = authorization_request(&params)?;
    let Some(signed) = signed_in_user(&app, &headers).await? else {
        return Err(ApiError::unauthorized(true));
    };
    check_assignment(&app, &request)?;
    let user = signed.user();
    let found_app = oauth::authorizable_application(&app, user, &request).await?;
    let application = &found_app.application;
    if !oauth::redirect_allowed(
        &app.config.app_url(),
        &application.redirect_uri,
        request.redirect_uri,
    ) {
        let denial = oauth::denial(&application.redirect_uri, "redirect_uri_mismatch");
        return Ok(found(&denial));
    }
    if oauth::already_authorized(&app, application, user, request.scopes()).await? {
        return Ok(approval_response(
            oauth::approve(&app, user, &request).await?,
        ));
    }
    let scopes = scope_views(request.scope);
    if scopes.is_empty() {
        return Err(ApiError::not_found());
    }
    let csrf_token = signed.session().map_or("", |s| s.csrf_token.as_str());
    if params
        .get("format")
        .is_some_and(|f| f.eq_ignore_ascii_case("json"))
    {
        let view = ConsentView {
            has_dangerous_scopes: scopes.iter().any(ScopeView::is_dangerous),
            scopes,
            application: ApplicationView::new(&found_app.summary(), false, avatar_text),
            response_type: request.response_type,
            client_id: request.client_id,
            redirect_uri: request.redirect_uri,
            scope: request.scope,
            csrf_token_val: csrf_token,
            state: request.state,
            assignment_uuid: request.assignment_uuid,
        };
        return Ok(Jsonify(StatusCode::OK, view).into_response());
    }
    let page = consent_page(&application.name, &request, csrf_token);
    Ok(no_store(Html(page).into_response()))
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
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
    let mut fields = vec![
        hidden("client_id", request.client_id),
        hidden("redirect_uri", request.redirect_uri),
        hidden("scope", request.scope),
        hidden("state", request.state.unwrap_or("")),
        hidden("response_type", request.response_type),
        hidden("_csrf_token", csrf_token),
    ];
    fields.extend(
        request
            .assignment_uuid
            .map(|uuid| hidden("assignment_uuid", uuid)),
    );
    let fields = fields.join("");
    format!(
        "<!doctype html><title>Authorize {app}</title><h1>Authorize {app}</h1>\
         <p>The application asks for: <code>{scope}</code></p>\
         <form method=\"post\" action=\"/oauth/authorizeapp\">{fields}<button>Authorize</button></form>\
         <form method=\"post\" action=\"/oauth/denyapp\">{fields}<button>Deny</button></form>",
        app = escape(application),
        scope = escape(request.scope),
    )
}

fn message_page(message: &str) -> Response {
    let page = format!(
        "<!doctype html><title>{m}</title><h1>{m}</h1>",
        m = escape(message)
    );
    no_store(Html(page).into_response())
}

/// POST /oauth/authorizeapp: the user approves; 302 to the redirect URI with the token in the
/// fragment or a code in the query. A session needs its CSRF token; basic auth only for
/// applications in `DIRECT_OAUTH_CLIENTID_WHITELIST`.
pub async fn authorize_app(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Params>, FormRejection>,
) -> Result<Response, ApiError> {
    let params = form_fields(form);
    let Some(signed) = signed_in_user(&app, &headers).await? else {
        return Err(ApiError::unauthorized(true));
    };
    let direct = matches!(signed, Signed::Basic(_))
        && params.get("client_id").is_some_and(|id| {
            app.config
                .direct_oauth_clientid_whitelist
                .iter()
                .any(|c| c == id)
        });
    if !direct && !csrf_valid(signed.session(), &params, &headers) {
        return Err(csrf_failure());
    }
    let request = authorization_request(&params)?;
    check_assignment(&app, &request)?;
    let approval = oauth::approve(&app, signed.user(), &request).await?;
    Ok(approval_response(approval))
}

/// POST /oauth/denyapp: 302 back to the application with `error=authorization_denied`.
pub async fn deny_app(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Params>, FormRejection>,
) -> Result<Response, ApiError> {
    let params = form_fields(form);
    if !csrf_valid(
        session_from_headers(&app, &headers).as_ref(),
        &params,
        &headers,
    ) {
        return Err(csrf_failure());
    }
    if session_user(&app, &headers).await?.is_none() {
        return Err(ApiError::unauthorized(true));
    }
    let request = authorization_request(&params)?;
    Ok(approval_response(oauth::deny(&app, &request).await?))
}

/// GET /oauth/localapp: the built-in redirect target, showing the token of the fragment;
/// `?format=json&access_token=` echoes it.
pub async fn local_app(
    State(app): State<AppState>,
    Query(params): Query<Params>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if session_user(&app, &headers).await?.is_none() {
        return Err(ApiError::unauthorized(true));
    }
    if params.get("scope").is_none_or(String::is_empty) {
        return Ok(message_page("Authorization canceled"));
    }
    if params
        .get("format")
        .is_some_and(|f| f.eq_ignore_ascii_case("json"))
    {
        let token = params.get("access_token").cloned();
        return Ok(Jsonify(StatusCode::OK, json!({ "access_token": token })).into_response());
    }
    Ok(no_store(
        Html(
            "<!doctype html><title>Access token</title><h1>Your access token</h1><pre id=\"token\"></pre>\
             <script>const p=new URLSearchParams(location.hash.slice(1));\
             document.getElementById('token').textContent=p.get('access_token')||'';</script>",
        )
        .into_response(),
    ))
}

/// POST /oauth/access_token: exchanges an authorization code for a token. Parameters come
/// from the query or the form (the query wins, as in Flask's `request.values`); the client
/// may authenticate with HTTP basic auth instead of `client_secret`.
pub async fn access_token(
    State(app): State<AppState>,
    Query(query): Query<Params>,
    headers: HeaderMap,
    form: Result<Form<Params>, FormRejection>,
) -> Result<Response, ApiError> {
    let mut values = form_fields(form);
    values.extend(query);
    for name in ["grant_type", "client_id", "redirect_uri", "code", "scope"] {
        required(&values, name)?;
    }
    let basic = basic_credentials(&headers);
    let pick = |from_basic: Option<&str>, name: &str| {
        from_basic
            .filter(|v| !v.is_empty())
            .or(values.get(name).map(String::as_str))
            .unwrap_or("")
            .to_owned()
    };
    let client_id = pick(basic.as_ref().map(|(id, _)| id.as_str()), "client_id");
    let client_secret = pick(basic.as_ref().map(|(_, s)| s.as_str()), "client_secret");
    let request = TokenRequest {
        grant_type: &values["grant_type"],
        client_id: &client_id,
        client_secret: &client_secret,
        redirect_uri: &values["redirect_uri"],
        code: &values["code"],
        scope: &values["scope"],
    };
    match code_grant::exchange(&app, &request).await {
        Ok(issued) => Ok(oauth_json(
            StatusCode::OK,
            &json!({
                "access_token": issued.token, "token_type": "Bearer",
                "expires_in": issued.expires_in_s, "refresh_token": null,
            }),
        )),
        Err(code_grant::ExchangeError::Db(e)) => Err(e.into()),
        Err(refusal) => Ok(oauth_error(&refusal.to_string())),
    }
}

/// POST /oauth/authorize/assignuser: an organization admin assigns a token of one of the
/// organization's applications to a user, who completes it later (`oauth_token_assigned`).
/// Parameters come from the query; the CSRF token from the query, the form or the header.
pub async fn assign_user(
    State(app): State<AppState>,
    request: Request,
) -> Result<Response, ApiError> {
    let params = Query::<Params>::try_from_uri(request.uri())
        .map(|Query(params)| params)
        .unwrap_or_default();
    let headers = request.headers().clone();
    let ip = client_ip(&request);
    for name in ["client_id", "redirect_uri", "scope", "username"] {
        required(&params, name)?;
    }
    let mut values = form_fields(Form::<Params>::from_request(request, &()).await);
    values.extend(params.clone());
    if !csrf_valid(
        session_from_headers(&app, &headers).as_ref(),
        &values,
        &headers,
    ) {
        return Err(csrf_failure());
    }
    if !app.config.features.assign_oauth_token {
        return Err(ApiError::not_found());
    }
    let Some(signed) = session_user(&app, &headers).await? else {
        return Err(ApiError::unauthorized(true));
    };
    let admin = signed.user();
    let actor = Actor {
        performer_id: Some(admin.id),
        performer_name: Some(admin.username.clone()),
        ip,
        oauth: None,
    };
    let assignment = Assignment {
        client_id: &params["client_id"],
        redirect_uri: &params["redirect_uri"],
        scope: &params["scope"],
        response_type: params.get("response_type").map_or("code", String::as_str),
        username: &params["username"],
    };
    match assignments::assign(&app, &actor, admin, &assignment).await {
        Ok(()) => {}
        Err(AssignError::Namespace(e)) => return Err(e.into()),
        Err(refusal) => return Ok(oauth_error(&refusal.to_string())),
    }
    const ASSIGNED: &str = "Token assigned successfully";
    if params
        .get("format")
        .is_some_and(|f| f.eq_ignore_ascii_case("json"))
    {
        return Ok(Jsonify(StatusCode::OK, json!({ "message": ASSIGNED })).into_response());
    }
    Ok(message_page(ASSIGNED))
}

/// GET /oauth2/federation/robot/token: a workload presents `<robot>:<OIDC token>` in basic
/// auth and gets `{"token"}`, a credential that logs in as the robot for an hour. Malformed
/// credentials are 401 `{"error"}`, refusals 400 `{"message"}`, as in Quay.
pub async fn federated_robot_token(State(app): State<AppState>, request: Request) -> Response {
    use crate::namespaces::federation::{self, ExchangeError};
    let unauthorized =
        |error: &str| Jsonify(StatusCode::UNAUTHORIZED, json!({ "error": error })).into_response();
    let Some(header) = request.headers().get(header::AUTHORIZATION) else {
        return unauthorized("No auth header");
    };
    let Some(encoded) = header.to_str().ok().and_then(|h| h.strip_prefix("Basic ")) else {
        return unauthorized("Invalid basic auth header");
    };
    let Some(decoded) = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
    else {
        return unauthorized("Could not parse basic auth header");
    };
    let Some((robot, token)) = decoded.split_once(':') else {
        return unauthorized("Unexpected number of credentials found in basic auth header");
    };
    match federation::exchange(&app, robot, token, client_ip(&request)).await {
        Ok(credential) => Jsonify(StatusCode::OK, json!({ "token": credential })).into_response(),
        Err(ExchangeError::NotARobot) => unauthorized("Invalid robot"),
        Err(ExchangeError::Db(err)) => ApiError::Internal(err.into()).into_response(),
        Err(refused) => ApiError::DataModel(refused.to_string()).into_response(),
    }
}
