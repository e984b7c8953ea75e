//! Repository permissions of users, robots and teams (core-api.md §3.7), under
//! `/api/v1/repository/{repository}/permissions/...`, and the grant lists that team and robot
//! permission endpoints share.

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, Path, RawPathParams, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::app::AppState;
use crate::db::grants::{RepositoryGrantRow, TeamGrantRow};
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson, RepositoryPath};
use crate::http::json::Restful;
use crate::http::views::{Avatar, AvatarKind};
use crate::repositories::grants::{self, Grant, Grantee, GranteeKind, UserGrant};

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

/// A user's, robot's or team's permission, each in its own shape.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum PermissionView {
    User(UserPermissionView),
    Team(TeamPermissionView),
}

impl From<Grant> for PermissionView {
    fn from(grant: Grant) -> Self {
        match grant {
            Grant::User(user) => PermissionView::User(user.into()),
            Grant::Team(team) => PermissionView::Team(team.into()),
        }
    }
}

/// `{"permissions": {"<name>": entry}}`; names are unique, and the map keeps them sorted.
#[derive(Debug, Serialize)]
pub struct PermissionMapView {
    permissions: BTreeMap<String, PermissionView>,
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

/// Whom a permission path names: `.../permissions/user/{username}` a user or robot,
/// `.../permissions/team/{teamname}` a team. One handler serves both.
#[derive(Debug)]
pub enum GranteePath {
    User(String),
    Team(String),
}

impl GranteePath {
    fn grantee(&self) -> Grantee<'_> {
        match self {
            GranteePath::User(name) => Grantee::User(name),
            GranteePath::Team(name) => Grantee::Team(name),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for GranteePath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found())?;
        params
            .iter()
            .find_map(|(key, value)| match key {
                "username" => Some(GranteePath::User(value.to_owned())),
                "teamname" => Some(GranteePath::Team(value.to_owned())),
                _ => None,
            })
            .ok_or_else(ApiError::not_found)
    }
}

async fn list_permissions(
    app: &AppState,
    caller: &Caller,
    path: &RepositoryPath,
    kind: GranteeKind,
) -> Result<Restful<PermissionMapView>, ApiError> {
    let grants = grants::list_permissions(app, &caller.principal()?, &path.repo, kind).await?;
    let permissions = grants
        .into_iter()
        .map(|g| (g.name().to_owned(), g.into()))
        .collect();
    Ok(Restful(StatusCode::OK, PermissionMapView { permissions }))
}

/// GET /api/v1/repository/{repository}/permissions/user/ (listRepoUserPermissions) [repo:admin]
pub async fn list_user_permissions(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
) -> Result<Restful<PermissionMapView>, ApiError> {
    list_permissions(&app, &caller, &path, GranteeKind::User).await
}

/// GET /api/v1/repository/{repository}/permissions/team/ (listRepoTeamPermissions) [repo:admin]
pub async fn list_team_permissions(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
) -> Result<Restful<PermissionMapView>, ApiError> {
    list_permissions(&app, &caller, &path, GranteeKind::Team).await
}

/// GET .../permissions/user/{username} (getUserPermissions) and
/// GET .../permissions/team/{teamname} (getTeamPermissions) [repo:admin]
pub async fn get_permission(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    grantee: GranteePath,
) -> Result<Restful<PermissionView>, ApiError> {
    let principal = caller.principal()?;
    let grant = grants::get_permission(&app, &principal, &path.repo, grantee.grantee()).await?;
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
    let principal = caller.principal()?;
    let roles = grants::list_transitive_roles(&app, &principal, &path.repo, &username).await?;
    let permissions = roles.into_iter().map(|role| RoleView { role }).collect();
    Ok(Restful(StatusCode::OK, TransitiveView { permissions }))
}

/// PUT .../permissions/user/{username} (changeUserPermissions) and
/// PUT .../permissions/team/{teamname} (changeTeamPermissions) [repo:admin]. Quay answers 200
/// for additions and changes alike.
pub async fn set_permission(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    grantee: GranteePath,
    QuayJson(body): QuayJson<PermissionBody>,
) -> Result<Restful<PermissionView>, ApiError> {
    let principal = caller.principal()?;
    let grantee = grantee.grantee();
    let grant = grants::set_permission(&app, &principal, &path.repo, grantee, body.role()).await?;
    Ok(Restful(StatusCode::OK, grant.into()))
}

/// DELETE .../permissions/user/{username} (deleteUserPermissions) and
/// DELETE .../permissions/team/{teamname} (deleteTeamPermissions) [repo:admin]
pub async fn delete_permission(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    grantee: GranteePath,
) -> Result<StatusCode, ApiError> {
    let principal = caller.principal()?;
    grants::delete_permission(&app, &principal, &path.repo, grantee.grantee()).await?;
    Ok(StatusCode::NO_CONTENT)
}
