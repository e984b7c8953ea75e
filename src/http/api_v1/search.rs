//! Entity search (Quay's `search` module): `GET /api/v1/entities/{prefix}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{Caller, QueryParams};
use crate::http::json::Restful;
use crate::http::views::{Avatar, AvatarKind};
use crate::namespaces::entities::{self, EntityQuery};

/// One result; `kind` is `team`, `user` or `org`.
#[derive(Debug, Serialize)]
pub struct EntityView {
    name: String,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_robot: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_org_member: Option<bool>,
    avatar: Avatar,
}

#[derive(Debug, Serialize)]
pub struct EntitiesView {
    results: Vec<EntityView>,
}

/// GET /api/v1/entities/{prefix} (getMatchingEntities): open to every caller; robots, teams
/// and the organization of `namespace` only to who may see them.
pub async fn get_matching_entities(
    State(app): State<AppState>,
    caller: Caller,
    Path(prefix): Path<String>,
    query: QueryParams,
) -> Result<Restful<EntitiesView>, ApiError> {
    let principal = caller.principal().ok();
    let request = EntityQuery {
        prefix: &prefix,
        namespace: query.string("namespace").unwrap_or_default(),
        include_teams: query.truthy("includeTeams", false),
        include_orgs: query.truthy("includeOrgs", false),
    };
    let found = entities::search(&app, principal.as_ref(), &request).await?;
    let teams = found.teams.into_iter().map(|team| EntityView {
        avatar: Avatar::new(&team.name, None, AvatarKind::Team),
        name: team.name,
        kind: "team",
        is_robot: None,
        is_org_member: Some(true),
    });
    let accounts = found.accounts.into_iter().map(|account| {
        let kind = match account.robot {
            true => AvatarKind::Robot,
            false => AvatarKind::User,
        };
        EntityView {
            avatar: Avatar::new(&account.username, Some(&account.email), kind),
            name: account.username,
            kind: "user",
            is_robot: Some(account.robot),
            is_org_member: account.org_member,
        }
    });
    let organization = found.organization.into_iter().map(|org| EntityView {
        avatar: Avatar::new(&org.username, Some(&org.email), AvatarKind::Org),
        name: org.username,
        kind: "org",
        is_robot: None,
        is_org_member: Some(true),
    });
    Ok(Restful(
        StatusCode::OK,
        EntitiesView {
            results: teams.chain(accounts).chain(organization).collect(),
        },
    ))
}
