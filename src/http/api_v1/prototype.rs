//! Default permissions (permission prototypes) of an organization (core-api.md §3.8).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::accounts::Role;
use crate::app::AppState;
use crate::db::namespaces::PrototypeRow;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson};
use crate::http::json::Restful;
use crate::http::views::{Avatar, AvatarKind};
use crate::namespaces::prototypes::{self, Delegate, PrototypeList};
use crate::namespaces::teams;

fn role<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::one_of(d, "role", &["read", "write", "admin"])
}
fn name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "name")
}
fn kind<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::one_of(d, "kind", &["user", "team"])
}

/// A nested object of the schema: anything else is refused as jsonschema words it.
fn object<'de, D: serde::Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
    field: &'static str,
) -> Result<Option<T>, D::Error> {
    match Value::deserialize(d)? {
        value @ Value::Object(_) => T::deserialize(value)
            .map(Some)
            .map_err(serde::de::Error::custom),
        _ => Err(serde::de::Error::custom(format!(
            "wrong type for field {field}: object"
        ))),
    }
}

#[derive(Debug, Deserialize)]
pub struct DelegateBody {
    #[serde(deserialize_with = "name")]
    name: Option<String>,
    #[serde(deserialize_with = "kind")]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ActivatingUserBody {
    #[serde(deserialize_with = "name")]
    name: Option<String>,
}

fn delegate<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<DelegateBody>, D::Error> {
    object(d, "delegate")
}
fn activating_user<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<ActivatingUserBody>, D::Error> {
    object(d, "activating_user")
}

#[derive(Debug, Deserialize)]
pub struct NewPrototypeBody {
    #[serde(deserialize_with = "role")]
    role: Option<String>,
    #[serde(deserialize_with = "delegate")]
    delegate: Option<DelegateBody>,
    #[serde(default, deserialize_with = "activating_user")]
    activating_user: Option<ActivatingUserBody>,
}

#[derive(Debug, Deserialize)]
pub struct PrototypeUpdateBody {
    #[serde(deserialize_with = "role")]
    role: Option<String>,
}

/// The schemas admit only the three role names.
fn parse_role(role: Option<&str>) -> Role {
    role.and_then(Role::parse).unwrap_or(Role::Read)
}

#[derive(Debug, Serialize)]
pub struct PrototypeUserView {
    name: String,
    is_robot: bool,
    kind: &'static str,
    is_org_member: bool,
    avatar: Avatar,
}

#[derive(Debug, Serialize)]
pub struct PrototypeTeamView {
    name: String,
    kind: &'static str,
    avatar: Avatar,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum DelegateView {
    User(PrototypeUserView),
    Team(PrototypeTeamView),
}

#[derive(Debug, Serialize)]
pub struct PrototypeView {
    activating_user: Option<PrototypeUserView>,
    delegate: Option<DelegateView>,
    role: String,
    id: String,
}

/// A user or robot of a prototype; robots count as organization members.
fn user_view(
    id: Option<i64>,
    name: Option<String>,
    email: Option<String>,
    robot: Option<i64>,
    member_ids: &[i64],
) -> Option<PrototypeUserView> {
    let (id, name) = (id?, name?);
    let is_robot = robot.unwrap_or(0) != 0;
    let kind = if is_robot {
        AvatarKind::Robot
    } else {
        AvatarKind::User
    };
    Some(PrototypeUserView {
        avatar: Avatar::new(&name, email.as_deref(), kind),
        is_org_member: is_robot || member_ids.contains(&id),
        name,
        is_robot,
        kind: "user",
    })
}

fn prototype_view(row: PrototypeRow, member_ids: &[i64]) -> PrototypeView {
    let delegate_user = user_view(
        row.delegate_user_id,
        row.delegate_user_name,
        row.delegate_user_email,
        row.delegate_user_robot,
        member_ids,
    );
    let delegate = delegate_user.map(DelegateView::User).or_else(|| {
        row.delegate_team_name.map(|name| {
            DelegateView::Team(PrototypeTeamView {
                avatar: Avatar::new(&name, None, AvatarKind::Team),
                name,
                kind: "team",
            })
        })
    });
    PrototypeView {
        activating_user: user_view(
            row.activating_id,
            row.activating_name,
            row.activating_email,
            row.activating_robot,
            member_ids,
        ),
        delegate,
        role: row.role,
        id: row.uuid,
    }
}

#[derive(Debug, Serialize)]
pub struct PrototypeListView {
    prototypes: Vec<PrototypeView>,
}

/// The one prototype a change returns.
fn single_view(list: PrototypeList) -> Result<PrototypeView, ApiError> {
    let member_ids = list.member_ids;
    list.prototypes
        .into_iter()
        .next()
        .map(|row| prototype_view(row, &member_ids))
        .ok_or_else(ApiError::not_found)
}

/// GET /api/v1/organization/{orgname}/prototypes (getOrganizationPrototypePermissions)
/// [org:admin]
pub async fn list_prototypes(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
) -> Result<Restful<PrototypeListView>, ApiError> {
    let principal = caller.principal()?;
    let list = prototypes::list_prototypes(&app, &principal, &org).await?;
    let member_ids = list.member_ids;
    Ok(Restful(
        StatusCode::OK,
        PrototypeListView {
            prototypes: list
                .prototypes
                .into_iter()
                .map(|row| prototype_view(row, &member_ids))
                .collect(),
        },
    ))
}

/// POST /api/v1/organization/{orgname}/prototypes (createOrganizationPrototypePermission)
/// [org:admin]. Quay answers 200, not 201.
pub async fn create_prototype(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    QuayJson(body): QuayJson<NewPrototypeBody>,
) -> Result<Restful<PrototypeView>, ApiError> {
    let principal = caller.principal()?;
    // The schema requires both fields; the kind is `user` or `team`.
    let delegate = match body.delegate {
        Some(DelegateBody {
            name: Some(name),
            kind,
        }) if kind.as_deref() == Some("team") => Delegate::Team(name),
        Some(DelegateBody {
            name: Some(name), ..
        }) => Delegate::User(name),
        _ => return Err(teams::Error::MissingDelegate.into()),
    };
    let activating = body.activating_user.and_then(|a| a.name);
    let list = prototypes::create_prototype(
        &app,
        &principal,
        &org,
        parse_role(body.role.as_deref()),
        delegate,
        activating.as_deref(),
    )
    .await?;
    Ok(Restful(StatusCode::OK, single_view(list)?))
}

/// PUT /api/v1/organization/{orgname}/prototypes/{prototypeid}
/// (updateOrganizationPrototypePermission) [org:admin]
pub async fn update_prototype(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, id)): Path<(String, String)>,
    QuayJson(body): QuayJson<PrototypeUpdateBody>,
) -> Result<Restful<PrototypeView>, ApiError> {
    let principal = caller.principal()?;
    let list = prototypes::update_prototype(
        &app,
        &principal,
        &org,
        &id,
        parse_role(body.role.as_deref()),
    )
    .await?;
    Ok(Restful(StatusCode::OK, single_view(list)?))
}

/// DELETE /api/v1/organization/{orgname}/prototypes/{prototypeid}
/// (deleteOrganizationPrototypePermission) [org:admin]
pub async fn delete_prototype(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let principal = caller.principal()?;
    prototypes::delete_prototype(&app, &principal, &org, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
