//! OAuth applications of an organization and the tokens minted through them
//! (core-api.md §1.7, §1.8 (c)).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::db::oauth::ApplicationTokenRow;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson, QueryParams};
use crate::http::json::Restful;
use crate::namespaces::applications::{self, NewApplication};
use crate::paging::IdCursor;

#[derive(Debug, Deserialize)]
pub struct CreateApplicationBody {
    #[serde(deserialize_with = "name")]
    name: Option<String>,
    #[serde(default)]
    redirect_uri: Option<String>,
    #[serde(default)]
    application_uri: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    avatar_email: Option<String>,
}

fn name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "name")
}
fn scope<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "scope")
}

#[derive(Debug, Serialize)]
pub struct ApplicationView {
    name: String,
    description: String,
    application_uri: String,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
    avatar_email: Option<String>,
}

/// POST /api/v1/organization/{orgname}/applications (createOrganizationApplication) [org:admin]
pub async fn create_application(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    QuayJson(body): QuayJson<CreateApplicationBody>,
) -> Result<Restful<ApplicationView>, ApiError> {
    let identity = caller.require_identity()?;
    let new = NewApplication {
        name: body.name.unwrap_or_default(),
        description: body.description.unwrap_or_default(),
        application_uri: body.application_uri.unwrap_or_default(),
        redirect_uri: body.redirect_uri.unwrap_or_default(),
        avatar_email: body.avatar_email,
    };
    let row = applications::create_application(
        &app,
        &caller.actor(),
        &identity.account,
        identity.scopes,
        &org,
        new,
    )
    .await?;
    Ok(Restful(
        StatusCode::OK,
        ApplicationView {
            name: row.name,
            description: row.description,
            application_uri: row.application_uri,
            client_id: row.client_id,
            client_secret: row.client_secret,
            redirect_uri: row.redirect_uri,
            avatar_email: row.avatar_email,
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
    let identity = caller.require_identity()?;
    let minted = applications::mint_token(
        &app,
        &caller.actor(),
        &identity.account,
        identity.scopes,
        &org,
        &client_id,
        &body.name.unwrap_or_default(),
        &body.scope.unwrap_or_default(),
        body.expiration,
    )
    .await?;
    Ok(Restful(
        StatusCode::OK,
        TokenView {
            uuid: minted.issued.uuid,
            name: Some(minted.name),
            scope: minted.scope,
            expires_at: iso8601(minted.issued.expires_ms),
            created: iso8601(minted.issued.created_ms),
            created_by: Some(identity.account.username.clone()),
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
    let identity = caller.require_identity()?;
    let cursor = IdCursor::from_token(&app.secrets.page_tokens, query.string("next_page"));
    // Newest first: a page starts at an id and goes down; the first page has no bound.
    let before_id = match cursor.start_id {
        0 => i64::MAX,
        id => id,
    };
    let (rows, next) = applications::list_tokens(
        &app,
        &identity.account,
        identity.scopes,
        &org,
        &client_id,
        before_id,
    )
    .await?;
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
    let identity = caller.require_identity()?;
    applications::revoke_token(
        &app,
        &caller.actor(),
        &identity.account,
        identity.scopes,
        &org,
        &client_id,
        &token_uuid,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
