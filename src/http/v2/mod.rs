//! The OCI / Docker v2 registry protocol (core-api.md §2): the token endpoint, the ping, the
//! catalog, and one catch-all route whose path is parsed once into a `RegistryPath` and
//! dispatched to the handler of its resource.

mod auth;
pub(crate) mod blobs;
mod catalog;
mod errors;
mod manifests;
mod path;
mod ping;
mod referrers;
mod tags;
pub(crate) mod uploads;

use axum::body::Body;
use axum::extract::{FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use serde_json::json;

use crate::app::{App, AppState};
use crate::config::Config;
use crate::http::error::RegistryError;
use crate::http::metrics::RouteLabel;
use crate::repositories::{self, NamingRules, RegistryCaller, RepoName, Repository};
use crate::service_keys::registry_token;
use path::{RegistryPath, ResourceKind};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/", get(ping::ping))
        .route("/v2/auth", get(auth::get_token))
        .route("/v2/_catalog", get(catalog::list_repositories))
        .route("/v2/{*path}", any(dispatch))
        .layer(middleware::map_response(
            |mut response: Response| async move {
                response.headers_mut().insert(
                    "Docker-Distribution-API-Version",
                    HeaderValue::from_static("registry/2.0"),
                );
                response
            },
        ))
}

/// `* /v2/<name>/{manifests,blobs,tags,referrers}/...`: one route for every repository
/// resource, since names contain slashes.
async fn dispatch(
    State(app): State<AppState>,
    caller: RegistryCaller,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(path) = uri
        .path()
        .strip_prefix("/v2/")
        .and_then(RegistryPath::parse)
    else {
        return RegistryError::new(
            StatusCode::NOT_FOUND,
            "UNSUPPORTED",
            "unknown registry endpoint",
        )
        .into_response();
    };
    let route_label = RouteLabel(path.kind.route_template());
    let mut response = route(&app, &caller, &method, path, &uri, &headers, body)
        .await
        .unwrap_or_else(IntoResponse::into_response);
    response.extensions_mut().insert(route_label);
    response
}

async fn route(
    app: &AppState,
    caller: &RegistryCaller,
    method: &Method,
    path: RegistryPath,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, RegistryError> {
    let name = RepoName::parse(&path.repo, NamingRules::from_config(&app.config))
        .map_err(|e| RegistryError::new(StatusCode::BAD_REQUEST, "NAME_INVALID", e.to_string()))?;
    let query = RegistryQuery::from_uri(uri)?;
    let head = *method == Method::HEAD;
    let request = RepoRequest {
        app,
        caller,
        name: &name,
    };
    match (method.clone(), path.kind) {
        (Method::GET | Method::HEAD, ResourceKind::Manifest(reference)) => {
            manifests::get_manifest(request, &reference, headers, head).await
        }
        (Method::PUT, ResourceKind::Manifest(reference)) => {
            manifests::put_manifest(request, &reference, &query, headers, body).await
        }
        (Method::DELETE, ResourceKind::Manifest(reference)) => {
            manifests::delete_manifest(request, &reference).await
        }
        (Method::GET | Method::HEAD, ResourceKind::Blob(digest)) => {
            blobs::get_blob(request, &digest, headers, head).await
        }
        (Method::DELETE, ResourceKind::Blob(digest)) => blobs::delete_blob(request, &digest).await,
        (Method::POST, ResourceKind::Uploads) => uploads::start_upload(request, &query, body).await,
        (Method::PATCH, ResourceKind::Upload(uuid)) => {
            uploads::patch_upload(request, &uuid, headers, body).await
        }
        (Method::PUT, ResourceKind::Upload(uuid)) => {
            uploads::put_upload(request, &uuid, &query, headers, body).await
        }
        (Method::GET, ResourceKind::Upload(uuid)) => {
            uploads::get_upload_status(request, &uuid).await
        }
        (Method::DELETE, ResourceKind::Upload(uuid)) => {
            uploads::cancel_upload(request, &uuid).await
        }
        (Method::GET, ResourceKind::TagsList) => tags::list_tags(request, &query).await,
        (Method::GET, ResourceKind::Referrers(digest)) => {
            referrers::list_referrers(request, &digest, &query).await
        }
        _ => Err(RegistryError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "UNSUPPORTED",
            "The operation is unsupported.",
        )),
    }
}

/// The repository a request names and who asks: what every repository handler starts from.
#[derive(Clone, Copy)]
pub struct RepoRequest<'a> {
    pub app: &'a AppState,
    pub caller: &'a RegistryCaller,
    pub name: &'a RepoName,
}

/// The query string as name/value pairs (`scope` may repeat).
pub struct RegistryQuery(Vec<(String, String)>);

impl RegistryQuery {
    fn from_uri(uri: &Uri) -> Result<RegistryQuery, RegistryError> {
        Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map(|Query(pairs)| RegistryQuery(pairs))
            .map_err(|_| {
                RegistryError::new(
                    StatusCode::BAD_REQUEST,
                    "INVALID_REQUEST",
                    "invalid query string",
                )
            })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// `n`: absent or unreadable means `default`; negative means 0; at most `max`.
    pub fn page_size(&self, default: i64, max: i64) -> i64 {
        self.get("n")
            .and_then(|n| n.trim().parse::<i64>().ok())
            .unwrap_or(default)
            .clamp(0, max)
    }
}

/// The page size of tag lists and the catalog: `max(V2_PAGINATION_SIZE, 100)`.
pub const PAGE_SIZE: i64 = 100;

/// `Bearer realm="<app url>/v2/auth",service="<host>"[,scope="repository:<name>:<actions>"]`
fn challenge(config: &Config, scope: Option<(&str, bool)>) -> String {
    let mut text = format!(
        r#"Bearer realm="{}/v2/auth",service="{}""#,
        config.app_url(),
        config.server_hostname
    );
    if let Some((name, push)) = scope {
        let actions = if push { "pull,push" } else { "pull" };
        text.push_str(&format!(r#",scope="repository:{name}:{actions}""#));
    }
    text
}

/// A 401 outside the `errors` format (ping, bad tokens): `body` plus the challenge.
fn unauthorized_response(
    config: &Config,
    scope: Option<(&str, bool)>,
    body: serde_json::Value,
) -> Response {
    let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge(config, scope)) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// What a request needs on its repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Pull,
    Push,
}

/// The repository `name` if the caller's token grants `need` on it (`check_grants`); with
/// the grant, a missing repository is 404 NAME_UNKNOWN.
async fn authorize(
    app: &App,
    caller: &RegistryCaller,
    name: &RepoName,
    need: Need,
) -> Result<Repository, RegistryError> {
    check_grants(app, caller, name, need)?;
    repositories::find_repository(app, name)
        .await?
        .ok_or_else(|| {
            RegistryError::new(
                StatusCode::NOT_FOUND,
                "NAME_UNKNOWN",
                "repository name not known to registry",
            )
        })
}

/// Whether the caller's token grants `need` on `name`. Without the grant the answer is 401
/// whether or not the repository exists (existence is never revealed).
///
/// One exception to the 401: a token that never asked for `need` on this repository gets 403
/// with an `insufficient_scope` challenge naming the scope to ask for (RFC 6750 §3.1, the
/// docker token spec's challenge). Clients that keep one token for every request, such as
/// oras-py, fetch a new token only after a 403. podman and skopeo always ask for what they
/// use, so they never see it and keep getting Quay's 401 when access is refused.
fn check_grants(
    app: &App,
    caller: &RegistryCaller,
    name: &RepoName,
    need: Need,
) -> Result<(), RegistryError> {
    let covers = |grants: repositories::access::Grants| match need {
        Need::Pull => grants.pull,
        Need::Push => grants.push,
    };
    if !covers(caller.grants(name, &app.config)) {
        let full_name = name.to_string();
        let challenge = challenge(&app.config, Some((&full_name, need == Need::Push)));
        if caller
            .requested(name, &app.config)
            .is_some_and(|r| !covers(r))
        {
            return Err(RegistryError {
                challenge: Some(format!(r#"{challenge},error="insufficient_scope""#)),
                ..RegistryError::new(
                    StatusCode::FORBIDDEN,
                    "DENIED",
                    "requested access to the resource is denied",
                )
            });
        }
        return Err(RegistryError::unauthorized(challenge));
    }
    Ok(())
}

/// Reads the registry token. No `Authorization` header means anonymous; a header that is not
/// a valid registry JWT is refused here with 401 `{"error": ...}` (core-api.md §2.11).
impl FromRequestParts<AppState> for RegistryCaller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let request = Request::from_parts(parts.clone(), Body::empty());
        let ip = crate::http::pipeline::client_ip(&request);
        let user_agent = header_text(&parts.headers, header::USER_AGENT).map(str::to_owned);
        let Some(authorization) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(RegistryCaller {
                ip,
                user_agent,
                ..RegistryCaller::default()
            });
        };
        let token = authorization
            .to_str()
            .ok()
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
            })
            .map(str::trim);
        let verified = match token {
            Some(token) => {
                registry_token::verify(&app.signer, &app.db, &app.config.server_hostname, token)
                    .await
                    .map_err(|e| e.to_string())
            }
            None => Err(registry_token::TokenError::Malformed.to_string()),
        };
        match verified {
            Ok(claims) => Ok(RegistryCaller::from_claims(claims, ip, user_agent)),
            Err(reason) => {
                let path = parts
                    .uri
                    .path()
                    .strip_prefix("/v2/")
                    .and_then(RegistryPath::parse);
                let push = !matches!(parts.method, Method::GET | Method::HEAD);
                let scope = path.as_ref().map(|p| (p.repo.as_str(), push));
                Err(unauthorized_response(
                    &app.config,
                    scope,
                    json!({ "error": reason }),
                ))
            }
        }
    }
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Location`-style absolute URL of a registry path.
fn registry_url(config: &Config, path: &str) -> String {
    format!("{}/v2/{path}", config.app_url())
}

/// Response headers given as pairs; values that are not valid header text are left out. A
/// name's first pair replaces what the response had, later pairs add values (`OCI-Tag`).
fn with_headers(mut response: Response, pairs: &[(&'static str, String)]) -> Response {
    for (i, (name, value)) in pairs.iter().enumerate() {
        let Ok(value) = HeaderValue::from_str(value) else {
            continue;
        };
        if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
            response.headers_mut().append(*name, value);
        } else {
            response.headers_mut().insert(*name, value);
        }
    }
    response
}

/// A response with an explicit `Content-Length` (HEAD responses carry the length of the body
/// they leave out).
fn sized_response(status: StatusCode, length: u64, body: Body) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}
