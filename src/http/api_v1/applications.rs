//! OAuth applications of an organization and the tokens minted through them
//! (core-api.md §1.7, §1.8 (c)).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::db::applications::ApplicationTokenRow;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson, QueryParams};
use crate::http::json::Restful;
use crate::http::views::{Avatar, AvatarKind, OrganizationView};
use crate::namespaces::applications::{
    self, Application, ApplicationFields, OrganizationCaller, PublicApplication, TokenRequest,
};
use crate::paging::IdCursor;

/// `NewApp`: only the name is required.
#[derive(Debug, Deserialize)]
pub struct CreateApplicationBody {
    #[serde(deserialize_with = "name")]
    name: Option<String>,
    #[serde(default, deserialize_with = "redirect_uri")]
    redirect_uri: Option<String>,
    #[serde(default, deserialize_with = "application_uri")]
    application_uri: Option<String>,
    #[serde(default, deserialize_with = "description")]
    description: Option<String>,
    #[serde(default, deserialize_with = "avatar_email")]
    avatar_email: Option<String>,
}

/// `UpdateApp`: the name and both URIs are required.
#[derive(Debug, Deserialize)]
pub struct UpdateApplicationBody {
    #[serde(deserialize_with = "name")]
    name: Option<String>,
    #[serde(deserialize_with = "redirect_uri")]
    redirect_uri: Option<String>,
    #[serde(deserialize_with = "application_uri")]
    application_uri: Option<String>,
    #[serde(default, deserialize_with = "description")]
    description: Option<String>,
    #[serde(default, deserialize_with = "avatar_email")]
    avatar_email: Option<String>,
}

impl From<CreateApplicationBody> for ApplicationFields {
    fn from(body: CreateApplicationBody) -> Self {
        ApplicationFields {
            name: body.name.unwrap_or_default(),
            description: body.description,
            application_uri: body.application_uri,
            redirect_uri: body.redirect_uri,
            avatar_email: body.avatar_email,
        }
    }
}

impl From<UpdateApplicationBody> for ApplicationFields {
    fn from(body: UpdateApplicationBody) -> Self {
        ApplicationFields {
            name: body.name.unwrap_or_default(),
            description: body.description,
            application_uri: body.application_uri,
            redirect_uri: body.redirect_uri,
            avatar_email: body.avatar_email,
        }
    }
}

fn name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "name")
}
fn redirect_uri<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "redirect_uri")
}
fn application_uri<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "application_uri")
}
fn description<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "description")
}
fn avatar_email<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "avatar_email")
}
fn scope<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "scope")
}

/// Quay's `app_view`; the secret, redirect URI and avatar e-mail are null for callers who do
/// not administer the organization.
#[derive(Debug, Serialize)]
pub struct ApplicationView {
    name: String,
    description: String,
    application_uri: String,
    client_id: String,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
    avatar_email: Option<String>,
}

impl From<Application> for ApplicationView {
    fn from(application: Application) -> Self {
        let row = application.row;
        let shows_secrets = application.client_secret.is_some();
        ApplicationView {
            name: row.name,
            description: row.description,
            application_uri: row.application_uri,
            client_id: row.client_id,
            client_secret: application.client_secret,
            redirect_uri: shows_secrets.then_some(row.redirect_uri),
            avatar_email: row.avatar_email.filter(|_| shows_secrets),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ApplicationListView {
    applications: Vec<ApplicationView>,
}

/// The signed-in caller (401 for anonymous ones), acting in the organization `org`.
fn in_organization<'a>(
    caller: &'a Caller,
    org: &'a str,
) -> Result<OrganizationCaller<'a>, ApiError> {
    Ok(OrganizationCaller {
        caller: caller.principal()?,
        org_name: org,
    })
}

/// GET /api/v1/organization/{orgname}/applications (getOrganizationApplications) [org:admin]
pub async fn list_applications(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
) -> Result<Restful<ApplicationListView>, ApiError> {
    let who = in_organization(&caller, &org)?;
    let found = applications::list_applications(&app, &who).await?;
    let applications = found.into_iter().map(ApplicationView::from).collect();
    Ok(Restful(
        StatusCode::OK,
        ApplicationListView { applications },
    ))
}

/// POST /api/v1/organization/{orgname}/applications (createOrganizationApplication) [org:admin]
pub async fn create_application(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    QuayJson(body): QuayJson<CreateApplicationBody>,
) -> Result<Restful<ApplicationView>, ApiError> {
    let who = in_organization(&caller, &org)?;
    let created = applications::create_application(&app, &who, body.into()).await?;
    Ok(Restful(StatusCode::OK, created.into()))
}

/// GET /api/v1/organization/{orgname}/applications/{client_id} (getOrganizationApplication)
/// [org:admin]
pub async fn get_application(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, client_id)): Path<(String, String)>,
) -> Result<Restful<ApplicationView>, ApiError> {
    let who = in_organization(&caller, &org)?;
    let found = applications::get_application(&app, &who, &client_id).await?;
    Ok(Restful(StatusCode::OK, found.into()))
}

/// PUT /api/v1/organization/{orgname}/applications/{client_id} (updateOrganizationApplication)
/// [org:admin]
pub async fn update_application(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, client_id)): Path<(String, String)>,
    QuayJson(body): QuayJson<UpdateApplicationBody>,
) -> Result<Restful<ApplicationView>, ApiError> {
    let who = in_organization(&caller, &org)?;
    let updated = applications::update_application(&app, &who, &client_id, body.into()).await?;
    Ok(Restful(StatusCode::OK, updated.into()))
}

/// DELETE /api/v1/organization/{orgname}/applications/{client_id}
/// (deleteOrganizationApplication) [org:admin]
pub async fn delete_application(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, client_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let who = in_organization(&caller, &org)?;
    applications::delete_application(&app, &who, &client_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/v1/organization/{orgname}/applications/{client_id}/resetclientsecret
/// (resetOrganizationApplicationClientSecret, internal)
pub async fn reset_client_secret(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, client_id)): Path<(String, String)>,
) -> Result<Restful<ApplicationView>, ApiError> {
    let who = in_organization(&caller, &org)?;
    let reset = applications::reset_client_secret(&app, &who, &client_id).await?;
    Ok(Restful(StatusCode::OK, reset.into()))
}

/// What `GET /api/v1/app/{client_id}` shows anyone.
#[derive(Debug, Serialize)]
pub struct PublicApplicationView {
    name: String,
    description: String,
    uri: String,
    avatar: Avatar,
    organization: OrganizationView,
}

/// GET /api/v1/app/{client_id} (getApplicationInformation): for anyone, anonymous callers too.
/// The avatar comes from the application's avatar e-mail, else its owner's e-mail.
pub async fn get_public_application(
    State(app): State<AppState>,
    caller: Caller,
    Path(client_id): Path<String>,
) -> Result<Restful<PublicApplicationView>, ApiError> {
    let who = caller.principal().ok();
    let PublicApplication { application, owner } =
        applications::public_application(&app, who.as_ref(), &client_id).await?;
    let avatar_email = application
        .avatar_email
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| owner.organization.email.clone());
    Ok(Restful(
        StatusCode::OK,
        PublicApplicationView {
            avatar: Avatar::new(&application.name, Some(&avatar_email), AvatarKind::App),
            name: application.name,
            description: application.description,
            uri: application.application_uri,
            organization: OrganizationView::new(owner, &app.config, None),
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct CreateTokenBody {
    #[serde(deserialize_with = "name")]
    name: Option<String>,
    #[serde(deserialize_with = "scope")]
    scope: Option<String>,
    #[serde(default)]
    expiration: Option<i64>,
}

/// An application's token (`token_view`); the token itself only in the answer that mints it.
#[derive(Debug, Serialize)]
pub struct TokenView {
    uuid: String,
    name: Option<String>,
    scope: String,
    expires_at: String,
    created: String,
    created_by: Option<String>,
    last_accessed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

impl TokenView {
    fn listed(row: &ApplicationTokenRow) -> TokenView {
        TokenView {
            uuid: row.uuid.clone(),
            name: row.display_name.clone(),
            scope: row.scope.clone(),
            expires_at: iso8601(row.expires_ms),
            created: iso8601(row.created_ms),
            created_by: row.created_by.clone(),
            last_accessed: row.last_accessed_ms.map(iso8601),
            token: None,
        }
    }
}

fn iso8601(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// POST /api/v1/organization/{orgname}/applications/{client_id}/tokens
/// (createOrganizationApplicationToken): a token for the caller, shown only here.
pub async fn create_token(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, client_id)): Path<(String, String)>,
    QuayJson(body): QuayJson<CreateTokenBody>,
) -> Result<Restful<TokenView>, ApiError> {
    let who = in_organization(&caller, &org)?;
    let request = TokenRequest {
        name: body.name.as_deref().unwrap_or_default(),
        scope: body.scope.as_deref().unwrap_or_default(),
        lifetime_s: body.expiration,
    };
    let minted = applications::mint_token(&app, &who, &client_id, request).await?;
    Ok(Restful(
        StatusCode::OK,
        TokenView {
            uuid: minted.issued.uuid,
            name: Some(minted.name),
            scope: minted.scope,
            expires_at: iso8601(minted.issued.expires_ms),
            created: iso8601(minted.issued.created_ms),
            created_by: Some(who.caller.account.username.clone()),
            last_accessed: None,
            token: Some(minted.issued.token),
        },
    ))
}

#[derive(Debug, Serialize)]
pub struct TokenListView {
    tokens: Vec<TokenView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page: Option<String>,
}

/// GET /api/v1/organization/{orgname}/applications/{client_id}/tokens
/// (listOrganizationApplicationTokens) [org:admin]: unexpired tokens, newest first.
pub async fn list_tokens(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, client_id)): Path<(String, String)>,
    query: QueryParams,
) -> Result<Restful<TokenListView>, ApiError> {
    let who = in_organization(&caller, &org)?;
    let cursor = IdCursor::from_token(&app.secrets.page_tokens, query.string("next_page"));
    // Newest first: a page starts at an id and goes down; the first page has no bound.
    let before_id = match cursor.start_id {
        0 => i64::MAX,
        id => id,
    };
    let (rows, next) = applications::list_tokens(&app, &who, &client_id, before_id).await?;
    Ok(Restful(
        StatusCode::OK,
        TokenListView {
            tokens: rows.iter().map(TokenView::listed).collect(),
            next_page: cursor.next_token(&app.secrets.page_tokens, next),
        },
    ))
}

/// DELETE /api/v1/organization/{orgname}/applications/{client_id}/tokens/{token_uuid}
/// (deleteOrganizationApplicationToken) [org:admin]
pub async fn revoke_token(
    State(app): State<AppState>,
    caller: Caller,
    Path((org, client_id, token_uuid)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let who = in_organization(&caller, &org)?;
    applications::revoke_token(&app, &who, &client_id, &token_uuid).await?;
    Ok(StatusCode::NO_CONTENT)
}
