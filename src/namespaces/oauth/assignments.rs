//! Token assignment (core-api.md §1.8 (d), `FEATURE_ASSIGN_OAUTH_TOKEN`): an organization
//! admin asks a user to authorize one of the organization's applications; the user sees the
//! request and completes it through the implicit grant, which consumes it.

use serde_json::json;

use super::{redirect_allowed, AuthorizationRequest, ResponseType};
use crate::accounts::{self, Account, Scopes};
use crate::app::App;
use crate::db::{self, applications::ApplicationRow, oauth::AssignedTokenRow};
use crate::logs::{self, Actor};
use crate::namespaces::{is_org_admin, Error, Result};

/// What an admin assigns.
pub struct Assignment<'a> {
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub response_type: &'a str,
    pub username: &'a str,
}

/// Why an assignment is refused after its caller was found allowed to make it.
#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    #[error("invalid_scope")]
    InvalidScope,
    #[error("unsupported_response_type")]
    UnsupportedResponseType,
    #[error("invalid_request")]
    InvalidRedirect,
    #[error(transparent)]
    Namespace(#[from] Error),
}

impl From<db::Error> for AssignError {
    fn from(err: db::Error) -> Self {
        AssignError::Namespace(err.into())
    }
}

/// Assigns a token of an application to a user and writes `oauth_token_assigned`: the user
/// must exist and be enabled, the caller must administer the application's organization.
pub async fn assign(
    app: &App,
    actor: &Actor,
    admin: &Account,
    assignment: &Assignment<'_>,
) -> std::result::Result<(), AssignError> {
    let user = accounts::find_account(app, assignment.username)
        .await
        .map_err(Error::from)?
        .filter(|u| u.is_plain_user() && u.enabled)
        .ok_or(Error::NotFound)?;
    let found = super::find_application(app, assignment.client_id)
        .await?
        .ok_or(Error::NotFound)?;
    let (application, organization) = (&found.application, &found.owner);
    if !is_org_admin(app, organization, admin, Scopes::DIRECT_LOGIN).await? {
        return Err(Error::Unauthorized.into());
    }
    if Scopes::parse(assignment.scope) == Scopes::default() {
        return Err(AssignError::InvalidScope);
    }
    if ResponseType::parse(assignment.response_type).is_none() {
        return Err(AssignError::UnsupportedResponseType);
    }
    if !redirect_allowed(
        &app.config.app_url(),
        &application.redirect_uri,
        assignment.redirect_uri,
    ) {
        return Err(AssignError::InvalidRedirect);
    }
    let mut tx = app.db.begin().await?;
    db::oauth::insert_assigned_token(
        &mut tx,
        &db::oauth::NewAssignedToken {
            uuid: &uuid::Uuid::new_v4().to_string(),
            application_id: application.id,
            assigned_user_id: user.id,
            redirect_uri: assignment.redirect_uri,
            scope: assignment.scope,
            response_type: assignment.response_type,
            created_ms: db::now_ms(),
        },
    )
    .await?;
    let metadata = json!({
        "assigning_user": admin.username, "assigned_user": user.username,
        "application": application.name, "client_id": application.client_id,
    });
    logs::record(
        &mut tx,
        actor,
        "oauth_token_assigned",
        logs::Scope::namespace(organization.id),
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(())
}

/// The assignment an authorization request completes: the user's, of this application, and
/// covering the requested scopes.
pub(super) async fn matching(
    app: &App,
    user: &Account,
    application: &ApplicationRow,
    request: &AuthorizationRequest<'_>,
) -> db::Result<Option<AssignedTokenRow>> {
    let Some(uuid) = request.assignment_uuid else {
        return Ok(None);
    };
    let mut conn = app.db.reader().await?;
    let assignment = db::oauth::find_assigned_token(&mut conn, user.id, uuid).await?;
    Ok(assignment.filter(|a| {
        a.application_id == application.id && Scopes::parse(&a.scope).covers(request.scopes())
    }))
}

/// The assignments waiting for `user`.
pub async fn list(app: &App, user: &Account) -> Result<Vec<AssignedTokenRow>> {
    Ok(db::oauth::list_assigned_tokens(&mut *app.db.reader().await?, user.id).await?)
}

/// The user declines an assignment.
pub async fn delete(app: &App, user: &Account, uuid: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let assignment = db::oauth::find_assigned_token(&mut tx, user.id, uuid)
        .await?
        .ok_or(Error::NotFound)?;
    db::oauth::delete_assigned_token(&mut tx, assignment.id).await?;
    Ok(db::commit(tx).await?)
}
