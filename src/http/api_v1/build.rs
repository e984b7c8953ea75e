//! Builds of a repository (Quay's `build` module, core-api.md §5) and the file drop that
//! holds their contexts (`POST /api/v1/filedrop/`).

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::accounts::Role;
use crate::app::AppState;
use crate::builds::{self, BuildRequest};
use crate::http::error::ApiError;
use crate::http::extract::{Admin, Caller, QuayJson, QueryParams, Read, RepositoryAccess, Write};
use crate::http::json::Restful;
use crate::http::views::BuildView;
use crate::pyjson::python_repr;

/// POST /api/v1/filedrop/ (getFiledropUrl): an id and the URL to `PUT` the file to.
pub async fn request_file_drop(
    State(app): State<AppState>,
    QuayJson(body): QuayJson<Value>,
) -> Result<Restful<Value>, ApiError> {
    let Some(mime_type) = body.get("mimeType") else {
        return Err(ApiError::invalid_request(
            "'mimeType' is a required property",
        ));
    };
    let Some(mime_type) = mime_type.as_str() else {
        return Err(ApiError::invalid_request(format!(
            "{} is not of type 'string'",
            python_repr(mime_type)
        )));
    };
    let file_id = builds::drop_file(&app, mime_type).await?;
    let url = format!("{}/userfiles/{file_id}", app.config.app_url());
    Ok(Restful(
        StatusCode::OK,
        json!({ "url": url, "file_id": file_id }),
    ))
}

/// An optional string field of a build request.
fn text(body: &Value, field: &str) -> Result<Option<String>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(ApiError::invalid_request(format!(
            "{} is not of type 'string'",
            python_repr(other)
        ))),
    }
}

/// Quay's `RepositoryBuildRequest` schema: every field optional; `docker_tags` a non-empty
/// list of distinct strings.
fn build_request(body: &Value) -> Result<BuildRequest, ApiError> {
    if !body.is_object() {
        return Err(ApiError::invalid_request(format!(
            "{} is not of type 'object'",
            python_repr(body)
        )));
    }
    let docker_tags = match body.get("docker_tags") {
        None | Some(Value::Null) => None,
        Some(Value::Array(tags)) => {
            let mut names = Vec::with_capacity(tags.len());
            for tag in tags {
                let name = tag.as_str().ok_or_else(|| {
                    ApiError::invalid_request(format!(
                        "{} is not of type 'string'",
                        python_repr(tag)
                    ))
                })?;
                if names.iter().any(|n| n == name) {
                    return Err(ApiError::invalid_request(format!(
                        "{} has non-unique elements",
                        python_repr(&Value::Array(tags.clone()))
                    )));
                }
                names.push(name.to_owned());
            }
            if names.is_empty() {
                return Err(ApiError::invalid_request("[] is too short"));
            }
            Some(names)
        }
        Some(other) => {
            return Err(ApiError::invalid_request(format!(
                "{} is not of type 'array'",
                python_repr(other)
            )))
        }
    };
    Ok(BuildRequest {
        file_id: text(body, "file_id")?,
        archive_url: text(body, "archive_url")?,
        subdirectory: text(body, "subdirectory")?,
        dockerfile_path: text(body, "dockerfile_path")?,
        context: text(body, "context")?,
        docker_tags,
        pull_robot: text(body, "pull_robot")?,
    })
}

fn writes(role: Option<Role>) -> bool {
    role >= Some(Role::Write)
}

/// POST /api/v1/repository/{repository}/build/ (requestRepoBuild) [repo:write]: 201 with the
/// build and its status URL in `Location`.
pub async fn request_repo_build(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, role, .. }: RepositoryAccess<Write>,
    QuayJson(body): QuayJson<Value>,
) -> Result<Response, ApiError> {
    let request = build_request(&body)?;
    let principal = caller.principal()?;
    let build = builds::request_build(&app, &principal, &repo, request).await?;
    let location = format!(
        "/api/v1/repository/{}/build/{}/status",
        repo.full_name(),
        build.uuid
    );
    let view = BuildView::new(build, &app.config, writes(role), true);
    let mut response = Restful(StatusCode::CREATED, view).into_response();
    if let Ok(value) = location.parse() {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

#[derive(Debug, serde::Serialize)]
pub struct BuildListView {
    builds: Vec<BuildView>,
}

/// GET /api/v1/repository/{repository}/build/ (getRepoBuilds) [repo:read]: `limit` (5) of the
/// builds started since `since` (Unix seconds), newest first.
pub async fn list_repo_builds(
    State(app): State<AppState>,
    RepositoryAccess { repo, role, .. }: RepositoryAccess<Read>,
    query: QueryParams,
) -> Result<Restful<BuildListView>, ApiError> {
    let limit = query
        .int("limit", "The maximum number of builds to return")?
        .unwrap_or(5)
        .max(0);
    let since = query
        .int("since", "Returns all builds since the given unix timecode")?
        .unwrap_or(0);
    let builds = builds::list_builds(&app, &repo, since.saturating_mul(1000), limit).await?;
    let writer = writes(role);
    Ok(Restful(
        StatusCode::OK,
        BuildListView {
            builds: builds
                .into_iter()
                .map(|b| BuildView::new(b, &app.config, writer, writer))
                .collect(),
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct BuildPath {
    build_uuid: String,
}

/// GET /api/v1/repository/{repository}/build/{build_uuid} (getRepoBuild) [repo:read].
pub async fn get_repo_build(
    State(app): State<AppState>,
    RepositoryAccess { repo, role, .. }: RepositoryAccess<Read>,
    Path(BuildPath { build_uuid }): Path<BuildPath>,
) -> Result<Restful<BuildView>, ApiError> {
    let build =
        builds::repository_build(&app, &repo, &build_uuid, |_| builds::Error::NotFound).await?;
    let writer = writes(role);
    Ok(Restful(
        StatusCode::OK,
        BuildView::new(build, &app.config, writer, writer),
    ))
}

/// GET .../build/{build_uuid}/status (getRepoBuildStatus) [repo:read]; an unknown build is
/// Quay's 400 here.
pub async fn get_repo_build_status(
    State(app): State<AppState>,
    RepositoryAccess { repo, role, .. }: RepositoryAccess<Read>,
    Path(BuildPath { build_uuid }): Path<BuildPath>,
) -> Result<Restful<BuildView>, ApiError> {
    let missing = |uuid: &str| builds::Error::UnknownBuild(uuid.to_owned());
    let build = builds::repository_build(&app, &repo, &build_uuid, missing).await?;
    let writer = writes(role);
    Ok(Restful(
        StatusCode::OK,
        BuildView::new(build, &app.config, writer, writer),
    ))
}

#[derive(Debug, serde::Serialize)]
pub struct BuildLogsView {
    start: i64,
    total: i64,
    logs: Vec<Value>,
}

/// The log from `?start=` (0) on.
pub async fn build_logs(
    app: &AppState,
    build: &crate::db::builds::BuildRow,
    query: &QueryParams,
) -> Result<BuildLogsView, ApiError> {
    let start = query.int("start", "The starting log index")?.unwrap_or(0);
    let page = builds::read_log(app, build, start).await?;
    Ok(BuildLogsView {
        start,
        total: page.total,
        logs: page.entries,
    })
}

/// GET .../build/{build_uuid}/logs (getRepoBuildLogs) [repo:read]: for who may write there.
pub async fn get_repo_build_logs(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, role, .. }: RepositoryAccess<Read>,
    Path(BuildPath { build_uuid }): Path<BuildPath>,
    query: QueryParams,
) -> Result<Restful<BuildLogsView>, ApiError> {
    if !writes(role) {
        return Err(caller.unauthorized());
    }
    let missing = |uuid: &str| builds::Error::UnknownBuild(uuid.to_owned());
    let build = builds::repository_build(&app, &repo, &build_uuid, missing).await?;
    Ok(Restful(
        StatusCode::OK,
        build_logs(&app, &build, &query).await?,
    ))
}

/// DELETE .../build/{build_uuid} (cancelRepoBuild) [repo:admin]: a build not yet pushing;
/// 201 `"Okay"`.
pub async fn cancel_repo_build(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Admin>,
    Path(BuildPath { build_uuid }): Path<BuildPath>,
) -> Result<Restful<&'static str>, ApiError> {
    builds::cancel_build(&app, &caller.actor(), &repo, &build_uuid).await?;
    Ok(Restful(StatusCode::CREATED, "Okay"))
}
