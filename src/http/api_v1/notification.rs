//! Repository notifications (Quay's `repositorynotification` module) [repo:admin].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Admin, Caller, QuayJson, RepositoryAccess};
use crate::http::extract::{read_as_admin, RepositoryPath};
use crate::http::json::Restful;
use crate::repositories::notifications::{self, NewNotification, Notification};

#[derive(Debug, Serialize)]
pub struct NotificationView {
    uuid: String,
    title: Option<String>,
    event: String,
    method: String,
    config: Value,
    event_config: Value,
    number_of_failures: i64,
}

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> Self {
        NotificationView {
            uuid: n.uuid,
            title: n.title,
            event: n.event,
            method: n.method,
            config: n.config,
            event_config: n.event_config,
            number_of_failures: n.number_of_failures,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct NotificationListView {
    notifications: Vec<NotificationView>,
}

#[derive(Debug, Deserialize)]
pub struct NotificationPath {
    uuid: String,
}

/// Quay's `NotificationCreateRequest`: `event`, `method`, `config`, `eventConfig` required.
#[derive(Debug, Deserialize)]
pub struct CreateNotificationBody {
    #[serde(deserialize_with = "event")]
    event: Option<String>,
    #[serde(deserialize_with = "method")]
    method: Option<String>,
    config: Map<String, Value>,
    #[serde(rename = "eventConfig")]
    event_config: Map<String, Value>,
    #[serde(default, deserialize_with = "title")]
    title: Option<String>,
}

fn event<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "event")
}

fn method<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "method")
}

fn title<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "title")
}

/// POST /api/v1/repository/{repository}/notification/ (createRepoNotification): 201.
pub async fn create_notification(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Admin>,
    QuayJson(body): QuayJson<CreateNotificationBody>,
) -> Result<Restful<NotificationView>, ApiError> {
    let new = NewNotification {
        event: body.event.unwrap_or_default(),
        method: body.method.unwrap_or_default(),
        config: body.config,
        event_config: body.event_config,
        title: body.title,
    };
    let created = notifications::create_notification(&app, &caller.actor(), &repo, new).await?;
    Ok(Restful(StatusCode::CREATED, created.into()))
}

/// GET .../notification/ (listRepoNotifications)
pub async fn list_notifications(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
) -> Result<Restful<NotificationListView>, ApiError> {
    let repo = read_as_admin(&app, &caller, &path).await?;
    let list = notifications::list_notifications(&app, &repo).await?;
    Ok(Restful(
        StatusCode::OK,
        NotificationListView {
            notifications: list.into_iter().map(Into::into).collect(),
        },
    ))
}

/// GET .../notification/{uuid} (getRepoNotification)
pub async fn get_notification(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    Path(NotificationPath { uuid }): Path<NotificationPath>,
) -> Result<Restful<NotificationView>, ApiError> {
    let repo = read_as_admin(&app, &caller, &path).await?;
    let notification = notifications::get_notification(&app, &repo, &uuid).await?;
    Ok(Restful(StatusCode::OK, notification.into()))
}

/// DELETE .../notification/{uuid} (deleteRepoNotification): 204.
pub async fn delete_notification(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Admin>,
    Path(NotificationPath { uuid }): Path<NotificationPath>,
) -> Result<StatusCode, ApiError> {
    notifications::delete_notification(&app, &caller.actor(), &repo, &uuid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST .../notification/{uuid} (resetRepositoryNotificationFailures): 204.
pub async fn reset_notification(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Admin>,
    Path(NotificationPath { uuid }): Path<NotificationPath>,
) -> Result<StatusCode, ApiError> {
    notifications::reset_failures(&app, &caller.actor(), &repo, &uuid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST .../notification/{uuid}/test (testRepoNotification): 200 `{}`; delivered by a job.
pub async fn test_notification(
    State(app): State<AppState>,
    RepositoryAccess { repo, .. }: RepositoryAccess<Admin>,
    Path(NotificationPath { uuid }): Path<NotificationPath>,
) -> Result<Restful<Value>, ApiError> {
    notifications::test_notification(&app, &repo, &uuid).await?;
    Ok(Restful(StatusCode::OK, json!({})))
}
