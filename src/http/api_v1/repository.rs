//! Repositories (core-api.md §3.3): create, list, get, change, delete and stars.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::accounts::Role;
use crate::accounts::TeamRole;
use crate::app::AppState;
use crate::http::api_v1::quota::namespace_usage;
use crate::http::error::ApiError;
use crate::http::extract::{
    fields, resolution_error, Admin, Caller, QuayJson, QueryParams, Read, RepositoryAccess, Write,
};
use crate::http::json::Restful;
use crate::http::views::rfc2822;
use crate::paging::IdCursor;
use crate::repositories::management::{self, ListRequest, NewRepository};

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
pub async fn get_repository(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, role, .. }: RepositoryAccess<Read>,
    query: QueryParams,
) -> Result<Restful<RepositoryView>, ApiError> {
    let include_tags = query.truthy("includeTags", true);
    let details = management::details(&app, caller.requester(), &repo, include_tags).await?;
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
pub async fn update_repository(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Write>,
    QuayJson(body): QuayJson<UpdateRepositoryBody>,
) -> Result<Restful<serde_json::Value>, ApiError> {
    management::update_description(
        &app,
        &caller.actor(),
        &repo,
        &body.description.unwrap_or_default(),
    )
    .await?;
    Ok(Restful(StatusCode::OK, json!({ "success": true })))
}

/// DELETE /api/v1/repository/{repository} (deleteRepository) [repo:admin]
pub async fn delete_repository(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Admin>,
) -> Result<StatusCode, ApiError> {
    management::delete_repository(&app, &caller.actor(), &repo).await?;
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
pub async fn change_visibility(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Admin>,
    QuayJson(body): QuayJson<VisibilityBody>,
) -> Result<Restful<serde_json::Value>, ApiError> {
    let public = parse_visibility(body.visibility.as_deref())?;
    management::change_visibility(&app, &caller.actor(), &repo, public).await?;
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
    if identity.account.robot || TeamRole::cap(identity.scopes) < Some(TeamRole::Creator) {
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
    let repo = management::create_repository(&app, &caller.actor(), caller.requester(), new)
        .await
        .map_err(|e| resolution_error(&caller, e))?;
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
    /// With quota views on (superuser-api.md §10.6).
    #[serde(skip_serializing_if = "Option::is_none")]
    quota_report: Option<RepositoryQuotaView>,
}

/// A listed repository's size and its namespace's configured quota.
#[derive(Debug, Serialize)]
pub struct RepositoryQuotaView {
    quota_bytes: i64,
    configured_quota: Option<i64>,
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
        management::list_repositories(&app, caller.requester(), request, start_id).await?;
    let logged_in = caller.identity.is_some();
    let with_last_modified = query.truthy("last_modified", false);
    let namespaces: Vec<i64> = rows.iter().map(|r| r.namespace_id).collect();
    let usage = namespace_usage(&app, &namespaces).await?;
    let default_quota = Some(app.config.default_system_reject_quota_bytes).filter(|b| *b != 0);
    let popularity = match query.truthy("popularity", false) {
        true => Some(
            management::popularity(&app, &rows.iter().map(|r| r.id).collect::<Vec<_>>()).await?,
        ),
        false => None,
    };
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
                    popularity: popularity
                        .as_ref()
                        .map(|counts| counts.get(&r.id).copied().unwrap_or(0) as f64),
                    quota_report: app.config.features.quota_views().then(|| {
                        let quota = usage.get(&r.namespace_id).and_then(|u| u.quota.as_ref());
                        RepositoryQuotaView {
                            quota_bytes: r.size_bytes,
                            configured_quota: quota.map(|q| q.limit_bytes).or(default_quota),
                        }
                    }),
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

/// DELETE /api/v1/user/starred/{repository} (deleteStar) [user:admin]
pub async fn unstar_repository(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
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

/// Stars are the user's own state: they need user admin (core-api.md §3.1), not a role on the
/// repository, which only has to exist.
async fn set_star(
    app: &AppState,
    caller: &Caller,
    name: &str,
    starred: bool,
) -> Result<(), ApiError> {
    let identity = caller.require_identity()?;
    if !identity.scopes.contains_user_admin() {
        return Err(caller.unauthorized());
    }
    let repo_name = crate::repositories::RepoName::parse(
        name,
        crate::repositories::NamingRules::from_config(&app.config),
    )
    .map_err(|_| ApiError::not_found())?;
    let repo = crate::repositories::find_repository(app, &repo_name)
        .await?
        .ok_or_else(ApiError::not_found)?;
    management::set_star(app, &identity.account, &repo, starred).await?;
    Ok(())
}
