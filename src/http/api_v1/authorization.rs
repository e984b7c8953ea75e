//! A user's side of OAuth (core-api.md §1.8): the tokens the user granted
//! (`/api/v1/user/authorizations`) and the tokens admins assigned to the user
//! (`/api/v1/user/assignedauthorization`, with `FEATURE_ASSIGN_OAUTH_TOKEN`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::app_token::require_user_admin;
use crate::accounts::scopes::{describe, ScopeInfo};
use crate::app::{App, AppState};
use crate::db::oauth::{ApplicationSummaryRow, AssignedTokenRow, UserTokenRow};
use crate::http::error::ApiError;
use crate::http::extract::Caller;
use crate::http::json::Restful;
use crate::http::views::{Avatar, AvatarKind};
use crate::namespaces::oauth::{assignments, authorizations};

#[derive(Debug, Serialize)]
pub struct ScopeView {
    title: &'static str,
    scope: &'static str,
    description: &'static str,
    icon: &'static str,
    dangerous: bool,
}

impl ScopeView {
    pub fn is_dangerous(&self) -> bool {
        self.dangerous
    }
}

/// The catalogue entries of a scope string, as Quay's `get_scope_information` lists them.
pub fn scope_views(scope: &str) -> Vec<ScopeView> {
    describe(scope)
        .into_iter()
        .map(|info: &ScopeInfo| ScopeView {
            title: info.title,
            scope: info.scope,
            description: info.description,
            icon: info.icon,
            dangerous: info.dangerous,
        })
        .collect()
}

/// An application as authorization views show it. `A` is how avatars are written: objects
/// in the API, JSON text in the consent document.
#[derive(Debug, Serialize)]
pub struct ApplicationView<A> {
    name: String,
    #[serde(rename = "clientId", skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    description: String,
    url: String,
    avatar: A,
    organization: OwnerView<A>,
}

#[derive(Debug, Serialize)]
pub struct OwnerView<A> {
    name: String,
    avatar: A,
}

impl<A> ApplicationView<A> {
    /// The application's avatar comes from its avatar e-mail, else its owner's e-mail.
    pub fn new(
        summary: &ApplicationSummaryRow,
        with_client_id: bool,
        avatar: impl Fn(Avatar) -> A,
    ) -> ApplicationView<A> {
        let app_email = summary
            .avatar_email
            .as_deref()
            .filter(|e| !e.is_empty())
            .unwrap_or(&summary.owner_email);
        ApplicationView {
            name: summary.application_name.clone(),
            client_id: with_client_id.then(|| summary.client_id.clone()),
            description: summary.application_description.clone(),
            url: summary.application_uri.clone(),
            avatar: avatar(Avatar::new(
                &summary.application_name,
                Some(app_email),
                AvatarKind::App,
            )),
            organization: OwnerView {
                name: summary.owner_name.clone(),
                avatar: avatar(Avatar::new(
                    &summary.owner_name,
                    Some(&summary.owner_email),
                    AvatarKind::Org,
                )),
            },
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AuthorizationView {
    application: ApplicationView<Avatar>,
    scopes: Vec<ScopeView>,
    uuid: String,
}

impl AuthorizationView {
    fn new(row: &UserTokenRow) -> AuthorizationView {
        AuthorizationView {
            application: ApplicationView::new(&row.application, false, |a| a),
            scopes: scope_views(&row.scope),
            uuid: row.uuid.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AuthorizationListView<T> {
    authorizations: Vec<T>,
}

/// GET /api/v1/user/authorizations (listUserAuthorizations) [user:admin]
pub async fn list_authorizations(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Restful<AuthorizationListView<AuthorizationView>>, ApiError> {
    let identity = require_user_admin(&caller)?;
    let rows = authorizations::list(&app, &identity.account).await?;
    Ok(Restful(
        StatusCode::OK,
        AuthorizationListView {
            authorizations: rows.iter().map(AuthorizationView::new).collect(),
        },
    ))
}

/// GET /api/v1/user/authorizations/{access_token_uuid} (getUserAuthorization) [user:admin]
pub async fn get_authorization(
    State(app): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Restful<AuthorizationView>, ApiError> {
    let identity = require_user_admin(&caller)?;
    let row = authorizations::get(&app, &identity.account, &uuid).await?;
    Ok(Restful(StatusCode::OK, AuthorizationView::new(&row)))
}

/// DELETE /api/v1/user/authorizations/{access_token_uuid} (deleteUserAuthorization)
/// [user:admin]: the token stops working at once.
pub async fn delete_authorization(
    State(app): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<StatusCode, ApiError> {
    let identity = require_user_admin(&caller)?;
    authorizations::revoke(&app, &identity.account, &uuid).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
pub struct AssignedAuthorizationView {
    application: ApplicationView<Avatar>,
    uuid: String,
    #[serde(rename = "redirectUri")]
    redirect_uri: String,
    scopes: Vec<ScopeView>,
    #[serde(rename = "responseType")]
    response_type: String,
}

impl AssignedAuthorizationView {
    fn new(row: &AssignedTokenRow) -> AssignedAuthorizationView {
        AssignedAuthorizationView {
            application: ApplicationView::new(&row.application, true, |a| a),
            uuid: row.uuid.clone(),
            redirect_uri: row.redirect_uri.clone(),
            scopes: scope_views(&row.scope),
            response_type: row.response_type.clone(),
        }
    }
}

/// The assignment endpoints exist only with `FEATURE_ASSIGN_OAUTH_TOKEN`.
fn require_assignments(app: &App) -> Result<(), ApiError> {
    if app.config.features.assign_oauth_token {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}

/// GET /api/v1/user/assignedauthorization (listAssignedAuthorizations) [user:admin]
pub async fn list_assigned_authorizations(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Restful<AuthorizationListView<AssignedAuthorizationView>>, ApiError> {
    require_assignments(&app)?;
    let identity = require_user_admin(&caller)?;
    let rows = assignments::list(&app, &identity.account).await?;
    Ok(Restful(
        StatusCode::OK,
        AuthorizationListView {
            authorizations: rows.iter().map(AssignedAuthorizationView::new).collect(),
        },
    ))
}

/// DELETE /api/v1/user/assignedauthorization/{assigned_authorization_uuid}
/// (deleteAssignedAuthorization) [user:admin]: the user declines it.
pub async fn delete_assigned_authorization(
    State(app): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<StatusCode, ApiError> {
    require_assignments(&app)?;
    let identity = require_user_admin(&caller)?;
    assignments::delete(&app, &identity.account, &uuid).await?;
    Ok(StatusCode::NO_CONTENT)
}
