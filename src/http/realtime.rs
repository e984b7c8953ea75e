//! Quay's `/realtime/user/...`: a signed-in user's live events as server-sent events. The
//! stream opens with `data: {}`, carries each event as `data: {"event": ..., "data": ...}`,
//! and says `pulse` after every five quiet seconds so proxies keep it open.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{stream, StreamExt};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::Account;
use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::authenticate;
use crate::http::pipeline::session_from_headers;
use crate::pyjson;

/// Quiet time after which the stream says `pulse`.
const PULSE: Duration = Duration::from_secs(5);

#[derive(Deserialize)]
pub struct SubscribeQuery {
    #[serde(default)]
    events: String,
}

/// The user of the request's browser session (Quay's `require_session_login`: tokens and
/// robots do not listen).
async fn session_user(app: &AppState, headers: &HeaderMap) -> Result<Account, ApiError> {
    let session = session_from_headers(app, headers);
    match authenticate(app, None, session.as_ref()).await? {
        Some(identity) if !identity.account.robot => Ok(identity.account),
        _ => Err(ApiError::abort(
            StatusCode::UNAUTHORIZED,
            "Method requires login and no valid login could be loaded.",
        )),
    }
}

fn server_event(message: &serde_json::Value) -> Bytes {
    let mut line = b"data: ".to_vec();
    line.extend_from_slice(pyjson::restful_bytes(message).trim_ascii_end());
    line.extend_from_slice(b"\n\n");
    Bytes::from(line)
}

/// `GET /realtime/user/subscribe?events=a,b`: the caller's events named, as they happen.
pub async fn subscribe(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<SubscribeQuery>,
) -> Result<Response, ApiError> {
    let user = session_user(&app, &headers).await?;
    let events: Vec<String> = query
        .events
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect();
    if events.is_empty() {
        return Err(ApiError::abort(
            StatusCode::BAD_REQUEST,
            "Name at least one event in `events`",
        ));
    }
    let heard = app
        .user_events
        .subscribe(&user.username, &events)
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "user events unavailable");
            ApiError::abort(StatusCode::GATEWAY_TIMEOUT, "User events are unavailable")
        })?;
    let messages = stream::unfold(heard, |mut heard| async move {
        let message = match tokio::time::timeout(PULSE, heard.next()).await {
            Ok(Some((event, data))) => json!({ "event": event, "data": data }),
            Ok(None) => return None,
            Err(_) => json!({ "event": "pulse", "data": {} }),
        };
        Some((
            Ok::<_, std::convert::Infallible>(server_event(&message)),
            heard,
        ))
    });
    let opening = stream::once(async { Ok(server_event(&json!({}))) });
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(opening.chain(messages)),
    )
        .into_response())
}

/// `GET /realtime/user/test`: publishes the caller's `test` event `{"foo": 2}`.
pub async fn publish_test(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<&'static str, ApiError> {
    let user = session_user(&app, &headers).await?;
    app.user_events
        .publish(&user.username, "test", &json!({ "foo": 2 }));
    Ok("OK")
}
