//! Organizations, their members and outside collaborators (core-api.md §3.2).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::http::api_v1::quota::namespace_usage;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, FreshCaller, QuayJson};
use crate::http::json::Restful;
use crate::http::views::{Avatar, AvatarKind, OrganizationView};
use crate::namespaces;
use crate::namespaces::organizations::{self, Member, OrganizationChanges};

#[derive(Debug, Deserialize)]
pub struct CreateOrganizationBody {
    #[serde(deserialize_with = "name")]
    name: Option<String>,
    #[serde(default, deserialize_with = "email")]
    email: Option<String>,
}

fn name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "name")
}
fn email<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "email")
}

/// POST /api/v1/organization/ (createOrganization) [user:admin]. Quay answers 201 `"Created"`.
pub async fn create_organization(
    State(app): State<AppState>,
    caller: Caller,
    QuayJson(body): QuayJson<CreateOrganizationBody>,
) -> Result<Restful<&'static str>, ApiError> {
    let identity = match &caller.identity {
        Some(id) if id.account.is_plain_user() && id.scopes.contains_user_admin() => id,
        _ => return Err(caller.unauthorized()),
    };
    let name = body.name.unwrap_or_default();
    namespaces::create_organization(
        &app,
        &caller.actor(),
        &identity.account,
        &name,
        body.email.as_deref(),
    )
    .await?;
    Ok(Restful(StatusCode::CREATED, "Created"))
}

/// The caller as the organization functions take it: None when anonymous.
/// GET /api/v1/organization/{orgname} (getOrganization): for anyone; members, admins and
/// superusers see more.
pub async fn get_organization(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
) -> Result<Restful<OrganizationView>, ApiError> {
    let details =
        organizations::get_organization_details(&app, caller.principal().ok().as_ref(), &org)
            .await?;
    let usage = namespace_usage(&app, &[details.organization.id]).await?;
    let usage = usage.get(&details.organization.id);
    Ok(Restful(
        StatusCode::OK,
        OrganizationView::new(details, &app.config, usage),
    ))
}

#[derive(Debug, Deserialize)]
pub struct UpdateOrganizationBody {
    #[serde(default, deserialize_with = "email")]
    email: Option<String>,
    #[serde(default, deserialize_with = "invoice_email")]
    invoice_email: Option<bool>,
    #[serde(default, deserialize_with = "invoice_email_address")]
    invoice_email_address: Option<Option<String>>,
    #[serde(default, deserialize_with = "tag_expiration_s")]
    tag_expiration_s: Option<i64>,
}

fn invoice_email<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    fields::boolean(d, "invoice_email")
}
fn invoice_email_address<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    fields::nullable_string(d, "invoice_email_address")
}
fn tag_expiration_s<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    fields::integer_at_least(d, "tag_expiration_s", 0)
}

/// PUT /api/v1/organization/{orgname} (changeOrganizationDetails) [org:admin]: the schema is
/// checked before the caller's rights, as in Quay.
pub async fn update_organization(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    QuayJson(body): QuayJson<UpdateOrganizationBody>,
) -> Result<Restful<OrganizationView>, ApiError> {
    let principal = caller.principal()?;
    let changes = OrganizationChanges {
        name: None,
        email: body.email,
        invoice_email: body.invoice_email,
        invoice_email_address: body.invoice_email_address,
        tag_expiration_s: body.tag_expiration_s,
    };
    let details = organizations::update_organization(&app, &principal, &org, changes).await?;
    let usage = namespace_usage(&app, &[details.organization.id]).await?;
    let usage = usage.get(&details.organization.id);
    Ok(Restful(
        StatusCode::OK,
        OrganizationView::new(details, &app.config, usage),
    ))
}

/// DELETE /api/v1/organization/{orgname} (deleteAdminedOrganization) [org:admin]: needs a
/// fresh login; the purge runs in the background.
pub async fn delete_organization(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(org): Path<String>,
) -> Result<StatusCode, ApiError> {
    let principal = caller.principal()?;
    organizations::delete_organization(&app, &principal, &org).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
pub struct MemberTeamView {
    name: String,
    avatar: Avatar,
}

#[derive(Debug, Serialize)]
pub struct MemberView {
    name: String,
    kind: &'static str,
    avatar: Avatar,
    teams: Vec<MemberTeamView>,
    repositories: Vec<String>,
}

impl From<Member> for MemberView {
    fn from(member: Member) -> Self {
        let (kind, avatar_kind) = if member.robot {
            ("robot", AvatarKind::Robot)
        } else {
            ("user", AvatarKind::User)
        };
        MemberView {
            avatar: Avatar::new(&member.name, Some(&member.email), avatar_kind),
            name: member.name,
            kind,
            teams: member
                .teams
                .into_iter()
                .map(|team| MemberTeamView {
                    avatar: Avatar::new(&team, None, AvatarKind::Team),
                    name: team,
                })
                .collect(),
            repositories: member.repositories,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MemberListView {
    members: Vec<MemberView>,
}

/// GET /api/v1/organization/{orgname}/members (getOrganizationMembers) [org:admin]
pub async fn list_members(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
) -> Result<Restful<MemberListView>, ApiError> {
    let principal = caller.principal()?;
    let members = organizations::list_members(&app, &principal, &org).await?;
    Ok(Restful(
        StatusCode::OK,
        MemberListView {
            members: members.into_iter().map(Into::into).collect(),
        },
    ))
}

/// GET /api/v1/organization/{orgname}/members/{membername} (getOrganizationMember)
/// [org:admin]
pub async fn get_member(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, member)): Path<(String, String)>,
) -> Result<Restful<MemberView>, ApiError> {
    let principal = caller.principal()?;
    let member = organizations::get_member(&app, &principal, &org, &member).await?;
    Ok(Restful(StatusCode::OK, member.into()))
}

/// DELETE /api/v1/organization/{orgname}/members/{membername} (removeOrganizationMember)
/// [org:admin]: out of every team, and its direct grants dropped.
pub async fn remove_member(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, member)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let principal = caller.principal()?;
    organizations::remove_member(&app, &principal, &org, &member).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
pub struct CollaboratorView {
    kind: &'static str,
    name: String,
    avatar: Avatar,
    repositories: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CollaboratorListView {
    collaborators: Vec<CollaboratorView>,
}

/// GET /api/v1/organization/{orgname}/collaborators (getOrganizationCollaborators)
/// [org:admin]: users with direct grants who are in no team.
pub async fn list_collaborators(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
) -> Result<Restful<CollaboratorListView>, ApiError> {
    let principal = caller.principal()?;
    let collaborators = organizations::list_collaborators(&app, &principal, &org).await?;
    let collaborators = collaborators
        .into_iter()
        .map(|c| CollaboratorView {
            kind: "user",
            avatar: Avatar::new(&c.name, Some(&c.email), AvatarKind::User),
            name: c.name,
            repositories: c.repositories,
        })
        .collect();
    Ok(Restful(
        StatusCode::OK,
        CollaboratorListView { collaborators },
    ))
}
