//! The caller's app-specific tokens (core-api.md §1.10): `/api/v1/user/apptoken`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::accounts::app_tokens;
use crate::app::AppState;
use crate::db::app_tokens::AppTokenRow;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, FreshCaller, Identity, QuayJson, QueryParams};
use crate::http::json::Restful;
use crate::http::views::rfc2822;

#[derive(Debug, Serialize)]
pub struct AppTokenView {
    uuid: String,
    title: String,
    last_accessed: Option<String>,
    created: String,
    expiration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_code: Option<String>,
}

impl AppTokenView {
    fn new(row: &AppTokenRow, token_code: Option<String>) -> AppTokenView {
        AppTokenView {
            uuid: row.uuid.clone(),
            title: row.title.clone(),
            last_accessed: row.last_accessed_ms.map(rfc2822),
            created: rfc2822(row.created_ms),
            expiration: row.expires_ms.map(rfc2822),
            token_code,
        }
    }
}

/// A signed-in user managing its own account (`user:admin`).
pub fn require_user_admin(caller: &Caller) -> Result<&Identity, ApiError> {
    match &caller.identity {
        Some(id) if id.account.is_plain_user() && id.scopes.contains_user_admin() => Ok(id),
        _ => Err(caller.unauthorized()),
    }
}

#[derive(Debug, Serialize)]
pub struct AppTokenListView {
    tokens: Vec<AppTokenView>,
    only_expiring: Option<bool>,
}

/// GET /api/v1/user/apptoken (listAppTokens) [user:admin]
pub async fn list_app_tokens(
    State(app): State<AppState>,
    caller: Caller,
    query: QueryParams,
) -> Result<Restful<AppTokenListView>, ApiError> {
    let identity = require_user_admin(&caller)?;
    let only_expiring = query
        .string("expiring")
        .map(|_| query.truthy("expiring", false));
    let rows = app_tokens::list(&app, &identity.account, only_expiring == Some(true)).await?;
    let tokens = rows
        .iter()
        .map(|row| AppTokenView::new(row, None))
        .collect();
    Ok(Restful(
        StatusCode::OK,
        AppTokenListView {
            tokens,
            only_expiring,
        },
    ))
}

#[derive(Debug, Serialize)]
pub struct OneTokenView {
    token: AppTokenView,
}

#[derive(Debug, Deserialize)]
pub struct CreateAppTokenBody {
    #[serde(deserialize_with = "title")]
    title: Option<String>,
}

fn title<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "title")
}

/// POST /api/v1/user/apptoken (createAppToken) [user:admin]
pub async fn create_app_token(
    State(app): State<AppState>,
    caller: FreshCaller,
    QuayJson(body): QuayJson<CreateAppTokenBody>,
) -> Result<Restful<OneTokenView>, ApiError> {
    let identity = require_user_admin(&caller)?;
    let title = body.title.unwrap_or_default();
    let row = app_tokens::create(&app, &caller.actor(), &identity.account, &title).await?;
    let code = app_tokens::token_code(&app, &row);
    Ok(Restful(
        StatusCode::OK,
        OneTokenView {
            token: AppTokenView::new(&row, Some(code)),
        },
    ))
}

/// GET /api/v1/user/apptoken/{token_uuid} (getAppToken) [user:admin]: shows the token again.
pub async fn get_app_token(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(uuid): Path<String>,
) -> Result<Restful<OneTokenView>, ApiError> {
    let identity = require_user_admin(&caller)?;
    let row = app_tokens::get(&app, &identity.account, &uuid).await?;
    let code = app_tokens::token_code(&app, &row);
    Ok(Restful(
        StatusCode::OK,
        OneTokenView {
            token: AppTokenView::new(&row, Some(code)),
        },
    ))
}

/// DELETE /api/v1/user/apptoken/{token_uuid} (revokeAppToken) [user:admin]
pub async fn revoke_app_token(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(uuid): Path<String>,
) -> Result<StatusCode, ApiError> {
    let identity = require_user_admin(&caller)?;
    app_tokens::revoke(&app, &caller.actor(), &identity.account, &uuid).await?;
    Ok(StatusCode::NO_CONTENT)
}
