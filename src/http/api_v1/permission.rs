//! Repository permissions of users, robots and teams (core-api.md §3.7), under
//! `/api/v1/repository/{repository}/permissions/...`, and the grant lists that team and robot
//! permission endpoints share.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::app::AppState;
use crate::db::grants::{RepositoryGrantRow, TeamGrantRow};
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson, RepositoryPath};
use crate::http::json::Restful;
use crate::http::views::{Avatar, AvatarKind};
use crate::repositories::grants::{self, UserGrant};

#[derive(Debug, Serialize)]
pub struct RepositoryRefView {
    name: String,
    is_public: bool,
}

#[derive(Debug, Serialize)]
pub struct RepositoryGrantView {
    repository: RepositoryRefView,
    role: String,
}

/// `{"permissions": [{"repository": {"name", "is_public"}, "role"}]}` of a team or robot.
#[derive(Debug, Serialize)]
pub struct GrantListView {
    permissions: Vec<RepositoryGrantView>,
}

impl From<Vec<RepositoryGrantRow>> for GrantListView {
    fn from(rows: Vec<RepositoryGrantRow>) -> Self {
        GrantListView {
            permissions: rows
                .into_iter()
                .map(|row| RepositoryGrantView {
                    repository: RepositoryRefView {
                        name: row.name,
                        is_public: row.public != 0,
                    },
                    role: row.role,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct UserPermissionView {
    role: String,
    name: String,
    is_robot: bool,
    avatar: Avatar,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_org_member: Option<bool>,
}

impl From<UserGrant> for UserPermissionView {
    fn from(user: UserGrant) -> Self {
        let grant = user.grant;
        let kind = if grant.robot != 0 {
            AvatarKind::Robot
        } else {
            AvatarKind::User
        };
        UserPermissionView {
            avatar: Avatar::new(&grant.username, Some(&grant.email), kind),
            is_robot: grant.robot != 0,
            role: grant.role,
            name: grant.username,
            is_org_member: user.is_org_member,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TeamPermissionView {
    role: String,
    name: String,
    avatar: Avatar,
}

impl From<TeamGrantRow> for TeamPermissionView {
    fn from(grant: TeamGrantRow) -> Self {
        TeamPermissionView {
            avatar: Avatar::new(&grant.name, None, AvatarKind::Team),
            role: grant.role,
            name: grant.name,
        }
    }
}

/// `{"permissions": {"<name>": entry}}`; names are unique, and the map keeps them sorted.
#[derive(Debug, Serialize)]
pub struct PermissionMapView<T> {
    permissions: BTreeMap<String, T>,
}

#[derive(Debug, Serialize)]
pub struct RoleView {
    role: String,
}

#[derive(Debug, Serialize)]
pub struct TransitiveView {
    permissions: Vec<RoleView>,
}

#[derive(Debug, Deserialize)]
pub struct PermissionBody {
    #[serde(deserialize_with = "role")]
    role: Option<String>,
}

fn role<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::one_of(d, "role", &["read", "write", "admin"])
}

impl PermissionBody {
    /// The schema admitted only the three role names.
    fn role(&self) -> Role {
        self.role
            .as_deref()
            .and_then(Role::parse)
            .unwrap_or(Role::Read)
    }
}

/// The `{username}` of a user permission path.
#[derive(Debug, Deserialize)]
pub struct UserPath {
    username: String,
}

/// The `{teamname}` of a team permission path.
#[derive(Debug, Deserialize)]
pub struct TeamPath {
    teamname: String,
}

/// GET /api/v1/repository/{repository}/permissions/user/ (listRepoUserPermissions) [repo:admin]
pub async fn list_user_permissions(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
) -> Result<Restful<PermissionMapView<UserPermissionView>>, ApiError> {
    let identity = caller.require_identity()?;
    let grants =
        grants::list_user_permissions(&app, &identity.account, identity.scopes, &path.repo).await?;
    let permissions = grants
        .into_iter()
        .map(|g| (g.grant.username.clone(), g.into()))
        .collect();
    Ok(Restful(StatusCode::OK, PermissionMapView { permissions }))
}

/// GET /api/v1/repository/{repository}/permissions/user/{username} (getUserPermissions)
/// [repo:admin]
pub async fn get_user_permission(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    Path(UserPath { username }): Path<UserPath>,
) -> Result<Restful<UserPermissionView>, ApiError> {
    let identity = caller.require_identity()?;
    let grant = grants::get_user_permission(
        &app,
        &identity.account,
        identity.scopes,
        &path.repo,
        &username,
    )
    .await?;
    Ok(Restful(StatusCode::OK, grant.into()))
}

/// GET /api/v1/repository/{repository}/permissions/user/{username}/transitive
/// (getUserTransitivePermission) [repo:admin]: own and team roles.
pub async fn get_transitive_permissions(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    Path(UserPath { username }): Path<UserPath>,
) -> Result<Restful<TransitiveView>, ApiError> {
    let identity = caller.require_identity()?;
    let roles = grants::list_transitive_roles(
        &app,
        &identity.account,
        identity.scopes,
        &path.repo,
        &username,
    )
    .await?;
    let permissions = roles.into_iter().map(|role| RoleView { role }).collect();
    Ok(Restful(StatusCode::OK, TransitiveView { permissions }))
}

/// PUT /api/v1/repository/{repository}/permissions/user/{username} (changeUserPermissions)
/// [repo:admin]. Quay answers 200 for additions and changes alike.
pub async fn set_user_permission(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    Path(UserPath { username }): Path<UserPath>,
    QuayJson(body): QuayJson<PermissionBody>,
) -> Result<Restful<UserPermissionView>, ApiError> {
    let identity = caller.require_identity()?;
    let grant = grants::set_user_permission(
        &app,
        &caller.actor(),
        &identity.account,
        identity.scopes,
        &path.repo,
        &username,
        body.role(),
    )
    .await?;
    Ok(Restful(StatusCode::OK, grant.into()))
}

/// DELETE /api/v1/repository/{repository}/permissions/user/{username}
/// (deleteUserPermissions) [repo:admin]
pub async fn delete_user_permission(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    Path(UserPath { username }): Path<UserPath>,
) -> Result<StatusCode, ApiError> {
    let identity = caller.require_identity()?;
    grants::delete_user_permission(
        &app,
        &caller.actor(),
        &identity.account,
        identity.scopes,
        &path.repo,
        &username,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/v1/repository/{repository}/permissions/team/ (listRepoTeamPermissions) [repo:admin]
pub async fn list_team_permissions(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
) -> Result<Restful<PermissionMapView<TeamPermissionView>>, ApiError> {
    let identity = caller.require_identity()?;
    let grants =
        grants::list_team_permissions(&app, &identity.account, identity.scopes, &path.repo).await?;
    let permissions = grants
        .into_iter()
        .map(|g| (g.name.clone(), g.into()))
        .collect();
    Ok(Restful(StatusCode::OK, PermissionMapView { permissions }))
}

/// GET /api/v1/repository/{repository}/permissions/team/{teamname} (getTeamPermissions)
/// [repo:admin]
pub async fn get_team_permission(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    Path(TeamPath { teamname: team }): Path<TeamPath>,
) -> Result<Restful<TeamPermissionView>, ApiError> {
    let identity = caller.require_identity()?;
    let grant =
        grants::get_team_permission(&app, &identity.account, identity.scopes, &path.repo, &team)
            .await?;
    Ok(Restful(StatusCode::OK, grant.into()))
}

/// PUT /api/v1/repository/{repository}/permissions/team/{teamname} (changeTeamPermissions)
/// [repo:admin]
pub async fn set_team_permission(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    Path(TeamPath { teamname: team }): Path<TeamPath>,
    QuayJson(body): QuayJson<PermissionBody>,
) -> Result<Restful<TeamPermissionView>, ApiError> {
    let identity = caller.require_identity()?;
    let grant = grants::set_team_permission(
        &app,
        &caller.actor(),
        &identity.account,
        identity.scopes,
        &path.repo,
        &team,
        body.role(),
    )
    .await?;
    Ok(Restful(StatusCode::OK, grant.into()))
}

/// DELETE /api/v1/repository/{repository}/permissions/team/{teamname}
/// (deleteTeamPermissions) [repo:admin]
pub async fn delete_team_permission(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    Path(TeamPath { teamname: team }): Path<TeamPath>,
) -> Result<StatusCode, ApiError> {
    let identity = caller.require_identity()?;
    grants::delete_team_permission(
        &app,
        &caller.actor(),
        &identity.account,
        identity.scopes,
        &path.repo,
        &team,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
