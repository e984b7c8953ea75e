//! Teams of an organization and their members (core-api.md §3.6).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::permission::GrantListView;
use crate::accounts::TeamRole;
use crate::app::AppState;
use crate::db::namespaces::MemberRow;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson};
use crate::http::json::Restful;
use crate::http::views::{Avatar, AvatarKind};
use crate::namespaces::teams::{self, SavedTeam};

#[derive(Debug, Deserialize)]
pub struct TeamBody {
    #[serde(deserialize_with = "role")]
    role: Option<String>,
    #[serde(default, deserialize_with = "description")]
    description: Option<String>,
}

fn role<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::one_of(d, "role", &["member", "creator", "admin"])
}
fn description<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "description")
}

#[derive(Debug, Serialize)]
pub struct TeamView {
    name: String,
    description: String,
    can_view: bool,
    role: &'static str,
    avatar: Avatar,
    new_team: bool,
}

impl From<SavedTeam> for TeamView {
    fn from(saved: SavedTeam) -> Self {
        let team = saved.team;
        TeamView {
            avatar: Avatar::new(&team.name, None, AvatarKind::Team),
            name: team.name,
            description: team.description,
            can_view: saved.can_view,
            role: team.role.as_str(),
            new_team: saved.created,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MemberView {
    name: String,
    kind: &'static str,
    is_robot: bool,
    avatar: Avatar,
    /// Always false: Berth adds members directly, there are no pending invitations.
    invited: bool,
}

impl From<MemberRow> for MemberView {
    fn from(member: MemberRow) -> Self {
        let kind = if member.robot != 0 {
            AvatarKind::Robot
        } else {
            AvatarKind::User
        };
        MemberView {
            avatar: Avatar::new(&member.username, Some(&member.email), kind),
            name: member.username,
            kind: "user",
            is_robot: member.robot != 0,
            invited: false,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TeamMembersView {
    name: String,
    members: Vec<MemberView>,
    can_edit: bool,
}

/// PUT /api/v1/organization/{orgname}/team/{teamname} (updateOrganizationTeam) [org:admin]:
/// creates the team or changes it; 200 either way.
pub async fn update_team(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, team)): Path<(String, String)>,
    QuayJson(body): QuayJson<TeamBody>,
) -> Result<Restful<TeamView>, ApiError> {
    let principal = caller.principal()?;
    let role = body
        .role
        .as_deref()
        .and_then(TeamRole::parse)
        .unwrap_or(TeamRole::Member);
    let saved = teams::set_team(&app, &principal, &org, &team, role, body.description).await?;
    Ok(Restful(StatusCode::OK, saved.into()))
}

/// DELETE /api/v1/organization/{orgname}/team/{teamname} (deleteOrganizationTeam) [org:admin]
pub async fn delete_team(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, team)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let principal = caller.principal()?;
    teams::delete_team(&app, &principal, &org, &team).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/v1/organization/{orgname}/team/{teamname}/members (getOrganizationTeamMembers)
/// [org:admin]: for the team's members and the organization's admins.
pub async fn list_team_members(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, team)): Path<(String, String)>,
) -> Result<Restful<TeamMembersView>, ApiError> {
    let principal = caller.principal()?;
    let listed = teams::list_team_members(&app, &principal, &org, &team).await?;
    Ok(Restful(
        StatusCode::OK,
        TeamMembersView {
            name: team,
            members: listed.members.into_iter().map(Into::into).collect(),
            can_edit: listed.can_edit,
        },
    ))
}

/// PUT /api/v1/organization/{orgname}/team/{teamname}/members/{membername}
/// (updateOrganizationTeamMember) [org:admin]
pub async fn add_team_member(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, team, member)): Path<(String, String, String)>,
) -> Result<Restful<MemberView>, ApiError> {
    let principal = caller.principal()?;
    let added = teams::add_team_member(&app, &principal, &org, &team, &member).await?;
    Ok(Restful(StatusCode::OK, added.into()))
}

/// DELETE /api/v1/organization/{orgname}/team/{teamname}/members/{membername}
/// (deleteOrganizationTeamMember) [org:admin]
pub async fn remove_team_member(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, team, member)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let principal = caller.principal()?;
    teams::remove_team_member(&app, &principal, &org, &team, &member).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/v1/organization/{orgname}/team/{teamname}/permissions
/// (getOrganizationTeamPermissions) [org:admin]
pub async fn list_team_permissions(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, team)): Path<(String, String)>,
) -> Result<Restful<GrantListView>, ApiError> {
    let principal = caller.principal()?;
    let grants = teams::list_team_permissions(&app, &principal, &org, &team).await?;
    Ok(Restful(StatusCode::OK, grants.into()))
}
