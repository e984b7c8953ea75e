//! Repositories (core-api.md §3.3). Repository names may contain `/`, so everything under
//! `/api/v1/repository/...` comes through one route and is dispatched on the method and the
//! resource named after the repository.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{logs, manifest, tag};
use crate::accounts::Scopes;
use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson, QueryParams, RepositoryPath};
use crate::http::json::Restful;
use crate::http::views::rfc2822;
use crate::paging::IdCursor;
use crate::repositories::management::{self, ListRequest, NewRepository, Requester};
use crate::repositories::{Repository, Role};

fn requester(caller: &Caller) -> Requester<'_> {
    match &caller.identity {
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

fn resolve_error(caller: &Caller, err: management::Error) -> ApiError {
    match err {
        management::Error::Unauthorized => caller.unauthorized(),
        other => other.into(),
    }
}

pub(crate) async fn resolve(
    app: &AppState,
    caller: &Caller,
    path: &RepositoryPath,
    needed: Role,
) -> Result<(Repository, Option<Role>), ApiError> {
    management::resolve(app, requester(caller), &path.repo, needed)
        .await
        .map_err(|e| resolve_error(caller, e))
}

async fn json_body<T: serde::de::DeserializeOwned>(
    request: Request,
    app: &AppState,
) -> Result<T, ApiError> {
    let QuayJson(body) = QuayJson::<T>::from_request(request, app).await?;
    Ok(body)
}

/// Every `/api/v1/repository/{repository}[/<resource>]` request.
pub async fn dispatch(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    query: QueryParams,
    request: Request,
) -> Result<Response, ApiError> {
    let method = request.method().clone();
    let state = State(app.clone());
    let response = match (method, path.resource.as_str()) {
        (Method::GET, "") => get_repository(&app, &caller, &path, &query)
            .await?
            .into_response(),
        (Method::PUT, "") => {
            let body: UpdateRepositoryBody = json_body(request, &app).await?;
            update_repository(&app, &caller, &path, body)
                .await?
                .into_response()
        }
        (Method::DELETE, "") => delete_repository(&app, &caller, &path)
            .await?
            .into_response(),
        (Method::POST, "changevisibility") => {
            let body: VisibilityBody = json_body(request, &app).await?;
            change_visibility(&app, &caller, &path, body)
                .await?
                .into_response()
        }
        (Method::GET, "logs") => logs::list_repository_logs(state, caller, path, query)
            .await?
            .into_response(),
        (Method::GET, "aggregatelogs") => {
            logs::aggregate_repository_logs(state, caller, path, query)
                .await?
                .into_response()
        }
        (Method::POST, "exportlogs") => {
            let body = json_body(request, &app).await?;
            logs::export_repository_logs(state, caller, path, query, QuayJson(body))
                .await?
                .into_response()
        }
        (method, resource) if resource.starts_with("manifest/") => {
            dispatch_manifest(&app, &caller, &path, &query, method, request).await?
        }
        (method, resource) if resource == "tag" || resource.starts_with("tag/") => {
            dispatch_tag(&app, &caller, &path, &query, method, request).await?
        }
        (_, resource) if resource.starts_with("permissions") => {
            super::permission::dispatch(&app, &caller, &path, request).await?
        }
        _ => return Err(ApiError::not_found()),
    };
    Ok(response)
}

/// `manifest/{digest}`, `manifest/{digest}/labels` and `manifest/{digest}/labels/{id}`.
async fn dispatch_manifest(
    app: &AppState,
    caller: &Caller,
    path: &RepositoryPath,
    query: &QueryParams,
    method: Method,
    request: Request,
) -> Result<Response, ApiError> {
    let rest = path.resource.trim_start_matches("manifest/");
    let mut parts = rest.splitn(3, '/');
    let (digest, sub, id) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let needed = if method == Method::GET {
        Role::Read
    } else {
        Role::Write
    };
    let (repo, _) = resolve(app, caller, path, needed).await?;
    let response = match (method, sub, id) {
        (Method::GET, "", "") => manifest::get_manifest(app, &repo, digest)
            .await?
            .into_response(),
        (Method::GET, "labels", "") => manifest::list_labels(app, &repo, digest, query)
            .await?
            .into_response(),
        (Method::GET, "labels", id) => manifest::get_label(app, &repo, digest, id)
            .await?
            .into_response(),
        (Method::POST, "labels", "") => {
            let body = json_body(request, app).await?;
            manifest::add_label(app, caller, &repo, digest, body).await?
        }
        (Method::DELETE, "labels", id) if !id.is_empty() => {
            manifest::delete_label(app, caller, &repo, digest, id)
                .await?
                .into_response()
        }
        _ => return Err(ApiError::not_found()),
    };
    Ok(response)
}

/// `tag/`, `tag/{tag}` and `tag/{tag}/restore`.
async fn dispatch_tag(
    app: &AppState,
    caller: &Caller,
    path: &RepositoryPath,
    query: &QueryParams,
    method: Method,
    request: Request,
) -> Result<Response, ApiError> {
    let rest = path
        .resource
        .trim_start_matches("tag")
        .trim_start_matches('/');
    let (name, action) = rest.split_once('/').unwrap_or((rest, ""));
    let needed = if method == Method::GET {
        Role::Read
    } else {
        Role::Write
    };
    let (repo, _) = resolve(app, caller, path, needed).await?;
    let response = match (method, name, action) {
        (Method::GET, "", "") => tag::list_tags(app, &repo, query).await?.into_response(),
        (Method::PUT, name, "") if !name.is_empty() => {
            let body = json_body(request, app).await?;
            tag::change_tag(app, caller, &repo, name, body)
                .await?
                .into_response()
        }
        (Method::DELETE, name, "") if !name.is_empty() => tag::delete_tag(app, caller, &repo, name)
            .await?
            .into_response(),
        (Method::POST, name, "restore") if !name.is_empty() => {
            let body = json_body(request, app).await?;
            tag::restore_tag(app, caller, &repo, name, body)
                .await?
                .into_response()
        }
        _ => return Err(ApiError::not_found()),
    };
    Ok(response)
}

#[derive(Debug, Serialize)]
pub struct TagView {
    name: String,
    size: i64,
    last_modified: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<String>,
    manifest_digest: String,
}

#[derive(Debug, Serialize)]
pub struct RepositoryView {
    namespace: String,
    name: String,
    kind: String,
    description: String,
    is_public: bool,
    is_organization: bool,
    is_starred: bool,
    status_token: String,
    trust_enabled: bool,
    tag_expiration_s: i64,
    is_free_account: bool,
    state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<BTreeMap<String, TagView>>,
    can_write: bool,
    can_admin: bool,
}

/// GET /api/v1/repository/{repository} (getRepo) [repo:read]
async fn get_repository(
    app: &AppState,
    caller: &Caller,
    path: &RepositoryPath,
    query: &QueryParams,
) -> Result<Restful<RepositoryView>, ApiError> {
    let (repo, role) = resolve(app, caller, path, Role::Read).await?;
    let include_tags = query.truthy("includeTags", true);
    let details = management::details(app, requester(caller), &repo, include_tags).await?;
    let tags = include_tags.then(|| {
        details
            .tags
            .into_iter()
            .map(|t| {
                let view = TagView {
                    name: t.name.clone(),
                    size: t.size,
                    last_modified: rfc2822(t.lifetime_start_ms),
                    expiration: t.lifetime_end_ms.map(rfc2822),
                    manifest_digest: t.manifest_digest,
                };
                (t.name, view)
            })
            .collect()
    });
    // The badge token of a private repository: derived, never stored.
    let status_token = if repo.public {
        String::new()
    } else {
        hex::encode(Sha256::digest(format!(
            "{}:{}",
            app.secrets.secret_key, repo.id
        )))[..32]
            .to_owned()
    };
    Ok(Restful(
        StatusCode::OK,
        RepositoryView {
            namespace: repo.namespace.clone(),
            name: repo.name.clone(),
            kind: repo.kind.clone(),
            description: details.description,
            is_public: repo.public,
            is_organization: details.namespace.organization,
            is_starred: details.starred,
            status_token,
            trust_enabled: false,
            tag_expiration_s: details.namespace.tag_expiration_s,
            is_free_account: true,
            state: repo.state.to_uppercase(),
            tags,
            can_write: role >= Some(Role::Write),
            can_admin: role >= Some(Role::Admin),
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct UpdateRepositoryBody {
    #[serde(deserialize_with = "description")]
    description: Option<String>,
}

fn description<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "description")
}
fn visibility<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "visibility")
}
fn repository<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "repository")
}
fn namespace<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "namespace")
}

/// PUT /api/v1/repository/{repository} (updateRepo) [repo:write]
async fn update_repository(
    app: &AppState,
    caller: &Caller,
    path: &RepositoryPath,
    body: UpdateRepositoryBody,
) -> Result<Restful<serde_json::Value>, ApiError> {
    let (repo, _) = resolve(app, caller, path, Role::Write).await?;
    management::update_description(
        app,
        &caller.actor(),
        &repo,
        &body.description.unwrap_or_default(),
    )
    .await?;
    Ok(Restful(StatusCode::OK, json!({ "success": true })))
}

/// DELETE /api/v1/repository/{repository} (deleteRepository) [repo:admin]
async fn delete_repository(
    app: &AppState,
    caller: &Caller,
    path: &RepositoryPath,
) -> Result<StatusCode, ApiError> {
    let (repo, _) = resolve(app, caller, path, Role::Admin).await?;
    management::delete_repository(app, &caller.actor(), &repo).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct VisibilityBody {
    #[serde(deserialize_with = "visibility")]
    visibility: Option<String>,
}

fn parse_visibility(text: Option<&str>) -> Result<bool, ApiError> {
    match text {
        Some("public") => Ok(true),
        Some("private") => Ok(false),
        other => Err(ApiError::invalid_request(format!(
            "'{}' is not one of ['public', 'private']",
            other.unwrap_or_default()
        ))),
    }
}

/// POST /api/v1/repository/{repository}/changevisibility (changeRepoVisibility) [repo:admin]
async fn change_visibility(
    app: &AppState,
    caller: &Caller,
    path: &RepositoryPath,
    body: VisibilityBody,
) -> Result<Restful<serde_json::Value>, ApiError> {
    let public = parse_visibility(body.visibility.as_deref())?;
    let (repo, _) = resolve(app, caller, path, Role::Admin).await?;
    management::change_visibility(app, &caller.actor(), &repo, public).await?;
    Ok(Restful(StatusCode::OK, json!({ "success": true })))
}

#[derive(Debug, Deserialize)]
pub struct CreateRepositoryBody {
    #[serde(deserialize_with = "repository")]
    repository: Option<String>,
    #[serde(deserialize_with = "visibility")]
    visibility: Option<String>,
    #[serde(default, deserialize_with = "description")]
    description: Option<String>,
    #[serde(default, deserialize_with = "namespace")]
    namespace: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CreatedRepositoryView {
    namespace: String,
    name: String,
    kind: String,
}

/// POST /api/v1/repository (createRepo) [repo:create]. Quay answers 201.
pub async fn create_repository(
    State(app): State<AppState>,
    caller: Caller,
    QuayJson(body): QuayJson<CreateRepositoryBody>,
) -> Result<Restful<CreatedRepositoryView>, ApiError> {
    let public = parse_visibility(body.visibility.as_deref())?;
    let identity = caller.require_identity()?;
    if identity.account.robot || !identity.scopes.allows_repo_create() {
        return Err(caller.unauthorized());
    }
    let namespace = body
        .namespace
        .unwrap_or_else(|| identity.account.username.clone());
    let new = NewRepository {
        namespace: &namespace,
        name: &body.repository.unwrap_or_default(),
        public,
        description: &body.description.unwrap_or_default(),
    };
    let repo = management::create_repository(&app, &caller.actor(), requester(&caller), new)
        .await
        .map_err(|e| resolve_error(&caller, e))?;
    Ok(Restful(
        StatusCode::CREATED,
        CreatedRepositoryView {
            namespace: repo.namespace,
            name: repo.name,
            kind: repo.kind,
        },
    ))
}

#[derive(Debug, Serialize)]
pub struct ListedRepositoryView {
    namespace: String,
    name: String,
    description: String,
    is_public: bool,
    kind: String,
    state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_starred: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_modified: Option<Option<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    popularity: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct RepositoryListView {
    repositories: Vec<ListedRepositoryView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page: Option<String>,
}

/// GET /api/v1/repository (listRepos) [repo:read]
pub async fn list_repositories(
    State(app): State<AppState>,
    caller: Caller,
    query: QueryParams,
) -> Result<Restful<RepositoryListView>, ApiError> {
    let cursor = IdCursor::from_token(&app.secrets.page_tokens, query.string("next_page"));
    let start_id = cursor.start_id;
    let request = ListRequest {
        namespace: query.string("namespace"),
        public: query.truthy("public", false),
        starred: query.truthy("starred", false),
    };
    let (rows, next) =
        management::list_repositories(&app, requester(&caller), request, start_id).await?;
    let logged_in = caller.identity.is_some();
    let with_last_modified = query.truthy("last_modified", false);
    let with_popularity = query.truthy("popularity", false);
    Ok(Restful(
        StatusCode::OK,
        RepositoryListView {
            repositories: rows
                .into_iter()
                .map(|r| ListedRepositoryView {
                    namespace: r.namespace,
                    name: r.name,
                    description: r.description,
                    is_public: r.public != 0,
                    kind: r.kind,
                    state: r.state.to_uppercase(),
                    is_starred: logged_in.then_some(r.starred > 0),
                    last_modified: with_last_modified
                        .then_some(r.last_modified_ms.map(|ms| ms / 1000)),
                    popularity: with_popularity.then_some(0.0),
                })
                .collect(),
            next_page: cursor.next_token(&app.secrets.page_tokens, next),
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct StarBody {
    #[serde(deserialize_with = "namespace")]
    namespace: Option<String>,
    #[serde(deserialize_with = "repository")]
    repository: Option<String>,
}

/// POST /api/v1/user/starred (createStar) [repo:read]
pub async fn star_repository(
    State(app): State<AppState>,
    caller: Caller,
    QuayJson(body): QuayJson<StarBody>,
) -> Result<Restful<serde_json::Value>, ApiError> {
    let name = format!(
        "{}/{}",
        body.namespace.unwrap_or_default(),
        body.repository.unwrap_or_default()
    );
    set_star(&app, &caller, &name, true).await?;
    Ok(Restful(
        StatusCode::CREATED,
        json!({ "namespace": body_namespace(&name), "repository": body_repo(&name) }),
    ))
}

/// DELETE /api/v1/user/starred/{repository} (deleteStar) [repo:read]
pub async fn unstar_repository(
    State(app): State<AppState>,
    caller: Caller,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    set_star(&app, &caller, &name, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn body_namespace(name: &str) -> &str {
    name.split_once('/').map_or(name, |(ns, _)| ns)
}

fn body_repo(name: &str) -> &str {
    name.split_once('/').map_or("", |(_, repo)| repo)
}

async fn set_star(
    app: &AppState,
    caller: &Caller,
    name: &str,
    starred: bool,
) -> Result<(), ApiError> {
    let identity = caller.require_identity()?;
    let repo_name = crate::repositories::RepoName::parse(
        name,
        crate::repositories::NamingRules::from_config(&app.config),
    )
    .map_err(|_| ApiError::not_found())?;
    let (repo, _) = management::resolve(app, requester(caller), &repo_name, Role::Read)
        .await
        .map_err(|e| resolve_error(caller, e))?;
    management::set_star(app, &identity.account, &repo, starred).await?;
    Ok(())
}
