//! Superuser user management (superuser-api.md §5.1–5.5, docs §6.17.1–6.17.2).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::accounts::{self, passwords, NewUser, UserChanges};
use crate::app::AppState;
use crate::http::api_v1::quota::namespace_usage;
use crate::http::error::ApiError;
use crate::http::extract::{FreshCaller, QuayJson, QueryParams};
use crate::http::json::Restful;
use crate::http::views::{CreatedUserView, UserView};
use crate::paging::IdCursor;

const LIMIT_HELP: &str = "Limit to the number of results to return per page. Max 100.";

#[derive(Debug, serde::Serialize)]
pub struct UserListView {
    users: Vec<UserView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page: Option<String>,
}

/// GET /api/v1/superuser/users/ (listAllUsers)
pub async fn list_users(
    State(app): State<AppState>,
    caller: FreshCaller,
    query: QueryParams,
) -> Result<Restful<UserListView>, ApiError> {
    let limit = page_limit(&query)?;
    caller.require_any_superuser(&app.config)?;
    let cursor = IdCursor::from_token(&app.secrets.page_tokens, query.string("next_page"));
    let start_id = cursor.start_id;
    let enabled_only = !query.truthy("disabled", true);
    let (users, next) = accounts::list_users(&app, enabled_only, start_id, limit).await?;
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let usage = namespace_usage(&app, &ids).await?;
    Ok(Restful(
        StatusCode::OK,
        UserListView {
            users: users
                .iter()
                .map(|u| UserView::new(u, &app.config, usage.get(&u.id)))
                .collect(),
            next_page: cursor.next_token(&app.secrets.page_tokens, next),
        },
    ))
}

/// `limit`: at most 100 (Quay); below 1 is refused too rather than misbehaving.
pub fn page_limit(query: &QueryParams) -> Result<Option<i64>, ApiError> {
    match query.int("limit", LIMIT_HELP)? {
        Some(limit) if limit > 100 => {
            Err(ApiError::invalid_request("Page limit cannot be above 100"))
        }
        Some(limit) if limit < 1 => Err(ApiError::invalid_request("Page limit must be at least 1")),
        limit => Ok(limit),
    }
}

#[derive(Debug, Deserialize)]
pub struct CreateUserBody {
    #[serde(deserialize_with = "required_username")]
    username: Option<String>,
    #[serde(default, deserialize_with = "optional_email")]
    email: Option<String>,
}

fn required_username<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    crate::http::extract::fields::string(d, "username")
}

fn optional_email<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    crate::http::extract::fields::string(d, "email")
}

/// POST /api/v1/superuser/users/ (createInstallUser). Quay answers 200, not 201.
pub async fn create_user(
    State(app): State<AppState>,
    caller: FreshCaller,
    QuayJson(body): QuayJson<CreateUserBody>,
) -> Result<Restful<CreatedUserView>, ApiError> {
    caller.require_superuser(&app.config)?;
    let password = passwords::generate_password();
    let new = NewUser {
        username: body.username.unwrap_or_default(),
        email: body.email.clone(),
        password: password.clone(),
        verified: !app.config.features.mailing,
        superuser: false,
    };
    let account = accounts::create_user(&app, &caller.actor(), new).await?;
    Ok(Restful(
        StatusCode::OK,
        CreatedUserView {
            username: account.username,
            email: body.email,
            encrypted_password: passwords::encrypt_password(&app.secrets.secret_key, &password),
            password,
        },
    ))
}

/// GET /api/v1/superuser/users/{username} (getInstallUser)
pub async fn get_user(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(username): Path<String>,
) -> Result<Restful<UserView>, ApiError> {
    caller.require_any_superuser(&app.config)?;
    let user = accounts::get_user(&app, &username).await?;
    let usage = namespace_usage(&app, &[user.id]).await?;
    Ok(Restful(
        StatusCode::OK,
        UserView::new(&user, &app.config, usage.get(&user.id)),
    ))
}

#[derive(Debug, Deserialize)]
pub struct UpdateUserBody {
    #[serde(default, deserialize_with = "optional_password")]
    password: Option<String>,
    #[serde(default, deserialize_with = "optional_email")]
    email: Option<String>,
    #[serde(default, deserialize_with = "optional_enabled")]
    enabled: Option<bool>,
    /// Undocumented and untyped in Quay; Berth takes JSON booleans only (docs/decisions.md).
    #[serde(default, deserialize_with = "optional_superuser")]
    superuser: Option<bool>,
}

fn optional_password<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    crate::http::extract::fields::string(d, "password")
}

fn optional_superuser<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    crate::http::extract::fields::boolean(d, "superuser")
}

fn optional_enabled<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    crate::http::extract::fields::boolean(d, "enabled")
}

/// PUT /api/v1/superuser/users/{username} (changeInstallUser). Answers the user as it was
/// before the change, with the new e-mail and the encrypted new password (Quay). A superuser
/// accepts only its demotion (docs/decisions.md).
pub async fn update_user(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(username): Path<String>,
    QuayJson(body): QuayJson<UpdateUserBody>,
) -> Result<Restful<UserView>, ApiError> {
    caller.require_superuser(&app.config)?;
    let changes = UserChanges {
        password: body.password.clone(),
        email: body.email.clone(),
        enabled: body.enabled,
        superuser: body.superuser,
    };
    let before = accounts::update_user(&app, &caller.actor(), &username, changes).await?;
    let usage = namespace_usage(&app, &[before.id]).await?;
    let mut view = UserView::new(&before, &app.config, usage.get(&before.id));
    if let Some(email) = body.email {
        view.email = email;
    }
    view.encrypted_password = body
        .password
        .map(|pw| passwords::encrypt_password(&app.secrets.secret_key, &pw));
    Ok(Restful(StatusCode::OK, view))
}

/// DELETE /api/v1/superuser/users/{username} (deleteInstallUser)
pub async fn delete_user(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_superuser(&app.config)?;
    accounts::delete_user(&app, &caller.actor(), &username).await?;
    Ok(StatusCode::NO_CONTENT)
}
