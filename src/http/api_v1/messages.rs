//! Global messages (Quay's `globalmessages` module): anyone reads them, superusers post and
//! remove them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{fields, FreshCaller, QuayJson};
use crate::http::json::Restful;
use crate::messages::{self, Message, MEDIA_TYPES, SEVERITIES};

#[derive(Debug, Serialize)]
pub struct MessageView {
    uuid: String,
    content: String,
    severity: String,
    media_type: String,
}

impl From<Message> for MessageView {
    fn from(message: Message) -> Self {
        MessageView {
            uuid: message.uuid,
            content: message.content,
            severity: message.severity,
            media_type: message.media_type,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MessageListView {
    messages: Vec<MessageView>,
}

/// GET /api/v1/messages (getGlobalMessages): for everyone.
pub async fn get_messages(
    State(app): State<AppState>,
) -> Result<Restful<MessageListView>, ApiError> {
    let messages = messages::list_messages(&app).await?;
    Ok(Restful(
        StatusCode::OK,
        MessageListView {
            messages: messages.into_iter().map(Into::into).collect(),
        },
    ))
}

/// Quay's `CreateMessage` schema.
#[derive(Debug, Deserialize)]
pub struct CreateMessageBody {
    message: NewMessage,
}

#[derive(Debug, Deserialize)]
pub struct NewMessage {
    #[serde(deserialize_with = "content")]
    content: Option<String>,
    #[serde(deserialize_with = "media_type")]
    media_type: Option<String>,
    #[serde(deserialize_with = "severity")]
    severity: Option<String>,
}

fn content<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "content")
}

fn media_type<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::one_of(d, "media_type", &MEDIA_TYPES)
}

fn severity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::one_of(d, "severity", &SEVERITIES)
}

/// The answer of Quay's `abort(403)` inside the API, for a caller who is not a superuser.
fn not_permitted() -> ApiError {
    ApiError::Message {
        status: StatusCode::FORBIDDEN,
        message: "You don't have the permission to access the requested resource. It is either \
                  read-protected or not readable by the server."
            .into(),
    }
}

/// POST /api/v1/messages (createGlobalMessage) [super:user]: fresh login; 201, empty.
pub async fn create_message(
    State(app): State<AppState>,
    caller: FreshCaller,
    QuayJson(body): QuayJson<CreateMessageBody>,
) -> Result<Response, ApiError> {
    caller
        .require_superuser(&app.config)
        .map_err(|_| not_permitted())?;
    let NewMessage {
        content,
        media_type,
        severity,
    } = body.message;
    messages::create_message(
        &app,
        &content.unwrap_or_default(),
        &severity.unwrap_or_default(),
        &media_type.unwrap_or_default(),
    )
    .await?;
    Ok(StatusCode::CREATED.into_response())
}

/// DELETE /api/v1/message/{uuid} (deleteGlobalMessage) [super:user]: fresh login; 204 even
/// for an unknown message.
pub async fn delete_message(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(uuid): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller
        .require_superuser(&app.config)
        .map_err(|_| not_permitted())?;
    messages::delete_message(&app, &uuid).await?;
    Ok(StatusCode::NO_CONTENT)
}
