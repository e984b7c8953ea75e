//! Robot accounts of the calling user (`/user/robots`) and of organizations
//! (`/organization/{orgname}/robots`) (core-api.md §1.11). Each pair of routes shares one body.

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::permission::GrantListView;
use crate::accounts::robots::{self, ListOptions, ListedRobot, Owner, Robot, RobotDetails};
use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson, QueryParams};
use crate::http::json::Restful;
use crate::http::views::{rfc2822, Avatar, AvatarKind};

#[derive(Debug, Default, Deserialize)]
pub struct CreateRobotBody {
    #[serde(default, deserialize_with = "description")]
    description: Option<String>,
    #[serde(default, deserialize_with = "unstructured_metadata")]
    unstructured_metadata: Option<Value>,
}

/// A string of at most 255 characters (the schema's `maxLength`).
fn description<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = fields::string(d, "description")?;
    match text {
        Some(t) if t.chars().count() > 255 => Err(serde::de::Error::custom(format!(
            "{} is too long",
            crate::http::json::python_repr(&Value::String(t))
        ))),
        other => Ok(other),
    }
}

fn unstructured_metadata<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Value>, D::Error> {
    match Value::deserialize(d)? {
        value @ Value::Object(_) => Ok(Some(value)),
        // Worded for `schema_message`, which reports it as jsonschema does.
        _ => Err(serde::de::Error::custom(
            "wrong type for field unstructured_metadata: object",
        )),
    }
}

/// The body is optional: without a `Content-Type` the robot gets no description or metadata.
async fn optional_body(request: Request, app: &AppState) -> Result<CreateRobotBody, ApiError> {
    if !request.headers().contains_key(header::CONTENT_TYPE) {
        return Ok(CreateRobotBody::default());
    }
    let QuayJson(body) = QuayJson::from_request(request, app).await?;
    Ok(body)
}

#[derive(Debug, Serialize)]
pub struct RobotTeamView {
    name: String,
    avatar: Avatar,
}

/// Quay's robot shape; lists add `teams` and `repositories` when asked, single robots their
/// `unstructured_metadata`.
#[derive(Debug, Serialize)]
pub struct RobotView {
    name: String,
    created: String,
    /// Berth does not track robot use; Quay shows null too without `FEATURE_USER_LAST_ACCESSED`.
    last_accessed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    teams: Option<Vec<RobotTeamView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repositories: Option<Vec<String>>,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unstructured_metadata: Option<Value>,
}

impl RobotView {
    fn new(robot: Robot, with_metadata: bool) -> RobotView {
        RobotView {
            name: robot.name,
            created: rfc2822(robot.created_ms),
            last_accessed: None,
            teams: None,
            repositories: None,
            description: robot.description,
            token: robot.token,
            unstructured_metadata: with_metadata.then_some(robot.unstructured_metadata),
        }
    }
}

impl From<ListedRobot> for RobotView {
    fn from(listed: ListedRobot) -> Self {
        let mut view = RobotView::new(listed.robot, false);
        if let Some((teams, repositories)) = listed.permissions {
            view.teams = Some(
                teams
                    .into_iter()
                    .map(|name| RobotTeamView {
                        avatar: Avatar::new(&name, None, AvatarKind::Team),
                        name,
                    })
                    .collect(),
            );
            view.repositories = Some(repositories);
        }
        view
    }
}

#[derive(Debug, Serialize)]
pub struct RobotListView {
    robots: Vec<RobotView>,
}

async fn list(
    app: &AppState,
    caller: &Caller,
    owner: Owner<'_>,
    query: &QueryParams,
) -> Result<Restful<RobotListView>, ApiError> {
    let identity = caller.require_identity()?;
    let options = ListOptions {
        permissions: query.truthy("permissions", false),
        token: query.truthy("token", true),
        limit: query.int("limit", "If specified, the number of robots to return.")?,
    };
    let robots =
        robots::list_robots(app, &identity.account, identity.scopes, owner, options).await?;
    Ok(Restful(
        StatusCode::OK,
        RobotListView {
            robots: robots.into_iter().map(Into::into).collect(),
        },
    ))
}

/// GET /api/v1/user/robots (getUserRobots) [user:admin]
pub async fn list_user_robots(
    State(app): State<AppState>,
    caller: Caller,
    query: QueryParams,
) -> Result<Restful<RobotListView>, ApiError> {
    list(&app, &caller, Owner::CallingUser, &query).await
}

/// GET /api/v1/organization/{orgname}/robots (getOrgRobots) [org:admin]: every member may
/// list, only admins see tokens.
pub async fn list_org_robots(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    query: QueryParams,
) -> Result<Restful<RobotListView>, ApiError> {
    list(&app, &caller, Owner::Organization(&org), &query).await
}

async fn get(
    app: &AppState,
    caller: &Caller,
    owner: Owner<'_>,
    short: &str,
) -> Result<Restful<RobotView>, ApiError> {
    let identity = caller.require_identity()?;
    let robot = robots::get_robot(app, &identity.account, identity.scopes, owner, short).await?;
    Ok(Restful(StatusCode::OK, RobotView::new(robot, true)))
}

/// GET /api/v1/user/robots/{robot_shortname} (getUserRobot) [user:admin]
pub async fn get_user_robot(
    State(app): State<AppState>,
    caller: Caller,
    Path(short): Path<String>,
) -> Result<Restful<RobotView>, ApiError> {
    get(&app, &caller, Owner::CallingUser, &short).await
}

/// GET /api/v1/organization/{orgname}/robots/{robot_shortname} (getOrgRobot) [org:admin]
pub async fn get_org_robot(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, short)): Path<(String, String)>,
) -> Result<Restful<RobotView>, ApiError> {
    get(&app, &caller, Owner::Organization(&org), &short).await
}

async fn create(
    app: &AppState,
    caller: &Caller,
    owner: Owner<'_>,
    short: &str,
    request: Request,
) -> Result<Restful<RobotView>, ApiError> {
    let body = optional_body(request, app).await?;
    let identity = caller.require_identity()?;
    let robot = robots::create_robot(
        app,
        &caller.actor(),
        &identity.account,
        identity.scopes,
        owner,
        short,
        RobotDetails {
            description: body.description,
            unstructured_metadata: body.unstructured_metadata,
        },
    )
    .await?;
    Ok(Restful(StatusCode::CREATED, RobotView::new(robot, true)))
}

/// PUT /api/v1/user/robots/{robot_shortname} (createUserRobot) [user:admin]: 201.
pub async fn create_user_robot(
    State(app): State<AppState>,
    caller: Caller,
    Path(short): Path<String>,
    request: Request,
) -> Result<Restful<RobotView>, ApiError> {
    create(&app, &caller, Owner::CallingUser, &short, request).await
}

/// PUT /api/v1/organization/{orgname}/robots/{robot_shortname} (createOrgRobot) [org:admin]:
/// 201.
pub async fn create_org_robot(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, short)): Path<(String, String)>,
    request: Request,
) -> Result<Restful<RobotView>, ApiError> {
    create(&app, &caller, Owner::Organization(&org), &short, request).await
}

async fn delete(
    app: &AppState,
    caller: &Caller,
    owner: Owner<'_>,
    short: &str,
) -> Result<StatusCode, ApiError> {
    let identity = caller.require_identity()?;
    robots::delete_robot(
        app,
        &caller.actor(),
        &identity.account,
        identity.scopes,
        owner,
        short,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// DELETE /api/v1/user/robots/{robot_shortname} (deleteUserRobot) [user:admin]
pub async fn delete_user_robot(
    State(app): State<AppState>,
    caller: Caller,
    Path(short): Path<String>,
) -> Result<StatusCode, ApiError> {
    delete(&app, &caller, Owner::CallingUser, &short).await
}

/// DELETE /api/v1/organization/{orgname}/robots/{robot_shortname} (deleteOrgRobot) [org:admin]
pub async fn delete_org_robot(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, short)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    delete(&app, &caller, Owner::Organization(&org), &short).await
}

async fn regenerate(
    app: &AppState,
    caller: &Caller,
    owner: Owner<'_>,
    short: &str,
) -> Result<Restful<RobotView>, ApiError> {
    let identity = caller.require_identity()?;
    let robot = robots::regenerate_token(
        app,
        &caller.actor(),
        &identity.account,
        identity.scopes,
        owner,
        short,
    )
    .await?;
    Ok(Restful(StatusCode::OK, RobotView::new(robot, false)))
}

/// POST /api/v1/user/robots/{robot_shortname}/regenerate (regenerateUserRobotToken)
/// [user:admin]
pub async fn regenerate_user_robot(
    State(app): State<AppState>,
    caller: Caller,
    Path(short): Path<String>,
) -> Result<Restful<RobotView>, ApiError> {
    regenerate(&app, &caller, Owner::CallingUser, &short).await
}

/// POST /api/v1/organization/{orgname}/robots/{robot_shortname}/regenerate
/// (regenerateOrgRobotToken) [org:admin]
pub async fn regenerate_org_robot(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, short)): Path<(String, String)>,
) -> Result<Restful<RobotView>, ApiError> {
    regenerate(&app, &caller, Owner::Organization(&org), &short).await
}

async fn permissions(
    app: &AppState,
    caller: &Caller,
    owner: Owner<'_>,
    short: &str,
) -> Result<Restful<GrantListView>, ApiError> {
    let identity = caller.require_identity()?;
    let grants =
        robots::list_robot_permissions(app, &identity.account, identity.scopes, owner, short)
            .await?;
    Ok(Restful(StatusCode::OK, grants.into()))
}

/// GET /api/v1/user/robots/{robot_shortname}/permissions (getUserRobotPermissions)
/// [user:admin]
pub async fn get_user_robot_permissions(
    State(app): State<AppState>,
    caller: Caller,
    Path(short): Path<String>,
) -> Result<Restful<GrantListView>, ApiError> {
    permissions(&app, &caller, Owner::CallingUser, &short).await
}

/// GET /api/v1/organization/{orgname}/robots/{robot_shortname}/permissions
/// (getOrgRobotPermissions) [org:admin]
pub async fn get_org_robot_permissions(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, short)): Path<(String, String)>,
) -> Result<Restful<GrantListView>, ApiError> {
    permissions(&app, &caller, Owner::Organization(&org), &short).await
}
