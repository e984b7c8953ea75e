//! `GET /v2/` (core-api.md §2.2): tells clients this is a v2 registry and where to get tokens.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::unauthorized_response;
use crate::app::AppState;
use crate::repositories::RegistryCaller;

/// GET /v2/ — 200 `true` with a valid registry token (anonymous ones too), else 401 `true`
/// with the Bearer challenge.
pub async fn ping(State(app): State<AppState>, caller: RegistryCaller) -> Response {
    let mut response = if caller.has_token {
        (StatusCode::OK, axum::Json(json!(true))).into_response()
    } else {
        unauthorized_response(&app.config, None, json!(true))
    };
    let sparse = if app.config.features.sparse_index {
        "true"
    } else {
        "false"
    };
    response.headers_mut().insert(
        "X-Sparse-Manifest-Support",
        HeaderValue::from_static(sparse),
    );
    response
}
