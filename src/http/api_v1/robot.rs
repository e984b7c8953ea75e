//! Robot accounts of the calling user (`/user/robots`) and of organizations
//! (`/organization/{orgname}/robots`) (core-api.md §1.11). Each operation has one handler for
//! both families.

use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::permission::GrantListView;
use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson, QuayJsonValue, QueryParams};
use crate::http::json::Restful;
use crate::http::views::{rfc2822, Avatar, AvatarKind};
use crate::namespaces::federation;
use crate::namespaces::robots::{self, ListOptions, ListedRobot, Owner, Robot, RobotDetails};

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
            crate::pyjson::python_repr(&Value::String(t))
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
    /// The last sign-in, to the minute; null before the first or without
    /// `FEATURE_USER_LAST_ACCESSED`.
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
            last_accessed: robot.last_accessed_ms.map(rfc2822),
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

/// Whose robots a path names: `/user/robots/...` the caller's, `/organization/{orgname}/robots/...`
/// the organization's; with the robot's short name when the path has one. One handler serves
/// both families.
#[derive(Debug)]
pub struct RobotPath {
    orgname: Option<String>,
    robot_shortname: String,
}

impl RobotPath {
    fn owner(&self) -> Owner<'_> {
        match &self.orgname {
            Some(org) => Owner::Organization(org),
            None => Owner::CallingUser,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RobotPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found())?;
        let param = |name: &str| {
            params
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_owned())
        };
        Ok(RobotPath {
            orgname: param("orgname"),
            robot_shortname: param("robot_shortname").unwrap_or_default(),
        })
    }
}

/// GET /api/v1/user/robots (getUserRobots) [user:admin] and
/// GET /api/v1/organization/{orgname}/robots (getOrgRobots) [org:admin]: every member may list
/// an organization's robots, only admins see tokens.
pub async fn list_robots(
    State(app): State<AppState>,
    caller: Caller,
    path: RobotPath,
    query: QueryParams,
) -> Result<Restful<RobotListView>, ApiError> {
    let principal = caller.principal()?;
    let options = ListOptions {
        permissions: query.truthy("permissions", false),
        token: query.truthy("token", true),
        limit: query.int("limit", "If specified, the number of robots to return.")?,
    };
    let robots = robots::list_robots(&app, &principal, path.owner(), options).await?;
    Ok(Restful(
        StatusCode::OK,
        RobotListView {
            robots: robots.into_iter().map(Into::into).collect(),
        },
    ))
}

/// GET .../robots/{robot_shortname} (getUserRobot, getOrgRobot)
pub async fn get_robot(
    State(app): State<AppState>,
    caller: Caller,
    path: RobotPath,
) -> Result<Restful<RobotView>, ApiError> {
    let principal = caller.principal()?;
    let robot = robots::get_robot(&app, &principal, path.owner(), &path.robot_shortname).await?;
    Ok(Restful(StatusCode::OK, RobotView::new(robot, true)))
}

/// PUT .../robots/{robot_shortname} (createUserRobot, createOrgRobot): 201.
pub async fn create_robot(
    State(app): State<AppState>,
    caller: Caller,
    path: RobotPath,
    request: Request,
) -> Result<Restful<RobotView>, ApiError> {
    let body = optional_body(request, &app).await?;
    let principal = caller.principal()?;
    let robot = robots::create_robot(
        &app,
        &principal,
        path.owner(),
        &path.robot_shortname,
        RobotDetails {
            description: body.description,
            unstructured_metadata: body.unstructured_metadata,
        },
    )
    .await?;
    Ok(Restful(StatusCode::CREATED, RobotView::new(robot, true)))
}

/// DELETE .../robots/{robot_shortname} (deleteUserRobot, deleteOrgRobot)
pub async fn delete_robot(
    State(app): State<AppState>,
    caller: Caller,
    path: RobotPath,
) -> Result<StatusCode, ApiError> {
    let principal = caller.principal()?;
    robots::delete_robot(&app, &principal, path.owner(), &path.robot_shortname).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST .../robots/{robot_shortname}/regenerate (regenerateUserRobotToken,
/// regenerateOrgRobotToken)
pub async fn regenerate_robot(
    State(app): State<AppState>,
    caller: Caller,
    path: RobotPath,
) -> Result<Restful<RobotView>, ApiError> {
    let principal = caller.principal()?;
    let robot =
        robots::regenerate_token(&app, &principal, path.owner(), &path.robot_shortname).await?;
    Ok(Restful(StatusCode::OK, RobotView::new(robot, false)))
}

/// GET .../robots/{robot_shortname}/permissions (getUserRobotPermissions,
/// getOrgRobotPermissions)
pub async fn get_robot_permissions(
    State(app): State<AppState>,
    caller: Caller,
    path: RobotPath,
) -> Result<Restful<GrantListView>, ApiError> {
    let principal = caller.principal()?;
    let grants =
        robots::list_robot_permissions(&app, &principal, path.owner(), &path.robot_shortname)
            .await?;
    Ok(Restful(StatusCode::OK, grants.into()))
}

/// GET .../robots/{robot_shortname}/federation (getUserRobotFederation,
/// getOrgRobotFederation): the robot's trusted (issuer, subject) pairs.
pub async fn get_federation(
    State(app): State<AppState>,
    caller: Caller,
    path: RobotPath,
) -> Result<Restful<Value>, ApiError> {
    let principal = caller.principal()?;
    let config =
        federation::get_federation(&app, &principal, path.owner(), &path.robot_shortname).await?;
    Ok(Restful(StatusCode::OK, config))
}

/// POST .../robots/{robot_shortname}/federation (createUserRobotFederation,
/// createOrgRobotFederation): replaces the pairs with a JSON array of `{issuer, subject}`.
pub async fn set_federation(
    State(app): State<AppState>,
    caller: Caller,
    path: RobotPath,
    QuayJsonValue(body): QuayJsonValue,
) -> Result<Restful<Value>, ApiError> {
    let Value::Array(entries) = &body else {
        return Err(ApiError::invalid_request(format!(
            "{} is not of type 'array'",
            crate::pyjson::python_repr(&body)
        )));
    };
    let principal = caller.principal()?;
    let config = federation::set_federation(
        &app,
        &principal,
        path.owner(),
        &path.robot_shortname,
        entries,
    )
    .await?;
    Ok(Restful(StatusCode::OK, config))
}

/// DELETE .../robots/{robot_shortname}/federation (deleteUserRobotFederation,
/// deleteOrgRobotFederation): 204.
pub async fn delete_federation(
    State(app): State<AppState>,
    caller: Caller,
    path: RobotPath,
) -> Result<StatusCode, ApiError> {
    let principal = caller.principal()?;
    federation::delete_federation(&app, &principal, path.owner(), &path.robot_shortname).await?;
    Ok(StatusCode::NO_CONTENT)
}
