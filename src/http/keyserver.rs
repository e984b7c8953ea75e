//! Quay's key server (`/keys/services/{service}/keys[/{kid}]`): services publish, rotate and
//! remove their signing keys with JWTs their keys sign. Refusals are bare status codes, as
//! Quay's `abort()` gives them.

use std::collections::HashMap;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use crate::app::AppState;
use crate::http::json::Jsonify;
use crate::http::pipeline::client_ip;
use crate::service_keys::keyserver::{self, Error, Sender};

fn refusal(err: Error) -> Response {
    let status = match err {
        Error::BadRequest => StatusCode::BAD_REQUEST,
        Error::Forbidden => StatusCode::FORBIDDEN,
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::NotApproved => StatusCode::CONFLICT,
        Error::Db(err) => {
            tracing::error!(error = ?err, "key server");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    status.into_response()
}

/// The JWT of `Authorization: Bearer <jwt>`.
fn bearer(headers: &HeaderMap) -> Result<String, Error> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or(Error::BadRequest)
}

fn sender<'a>(request_ip: Option<String>, headers: &'a HeaderMap) -> Sender<'a> {
    Sender {
        ip: request_ip,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    }
}

/// GET /keys/services/{service}/keys: the service's approved keys.
async fn list_keys(State(app): State<AppState>, Path(service): Path<String>) -> Response {
    match keyserver::list_keys(&app, &service).await {
        Ok(keys) => Jsonify(StatusCode::OK, json!({ "keys": keys })).into_response(),
        Err(err) => refusal(err),
    }
}

/// GET /keys/services/{service}/keys/{kid}: one approved key, cacheable for a while.
async fn get_key(
    State(app): State<AppState>,
    Path((_service, kid)): Path<(String, String)>,
) -> Response {
    match keyserver::get_key(&app, &kid).await {
        Ok((jwk, max_age)) => {
            let mut response = Jsonify(StatusCode::OK, jwk).into_response();
            if let Ok(value) = format!("max-age={max_age}").parse() {
                response.headers_mut().insert(header::CACHE_CONTROL, value);
            }
            response
        }
        Err(err) => refusal(err),
    }
}

/// PUT /keys/services/{service}/keys/{kid}?expiration=<unix time>: 202 for a new key that
/// waits for approval, 200 for a rotation.
async fn put_key(
    State(app): State<AppState>,
    Path((service, kid)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let ip = client_ip(&request);
    let headers = request.headers().clone();
    let expiration = match query.get("expiration").map(|v| v.parse::<f64>()) {
        None => None,
        Some(Ok(seconds)) if seconds.is_finite() => Some(seconds),
        Some(_) => return refusal(Error::BadRequest),
    };
    let Ok(body) = axum::body::to_bytes(request.into_body(), 64 * 1024).await else {
        return refusal(Error::BadRequest);
    };
    let Ok(jwk) = serde_json::from_slice::<Value>(&body) else {
        return refusal(Error::BadRequest);
    };
    let token = match bearer(&headers) {
        Ok(token) => token,
        Err(err) => return refusal(err),
    };
    let from = sender(ip, &headers);
    match keyserver::put_key(&app, &service, &kid, &jwk, &token, expiration, &from).await {
        Ok(false) => StatusCode::ACCEPTED.into_response(),
        Ok(true) => StatusCode::OK.into_response(),
        Err(err) => refusal(err),
    }
}

/// DELETE /keys/services/{service}/keys/{kid}: 204.
async fn delete_key(
    State(app): State<AppState>,
    Path((service, kid)): Path<(String, String)>,
    request: Request,
) -> Response {
    let ip = client_ip(&request);
    let headers = request.headers();
    let token = match bearer(headers) {
        Ok(token) => token,
        Err(err) => return refusal(err),
    };
    match keyserver::delete_key(&app, &service, &kid, &token, &sender(ip, headers)).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => refusal(err),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/keys/services/{service}/keys", get(list_keys))
        .route(
            "/keys/services/{service}/keys/{kid}",
            get(get_key).put(put_key).delete(delete_key),
        )
}
