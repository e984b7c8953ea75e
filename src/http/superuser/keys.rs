//! Superuser service-key management (superuser-api.md §4.5, §12; docs §6.17.8). Answers are
//! `jsonify` bodies: sorted keys, HTTP dates.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, FreshCaller, QuayJson};
use crate::http::json::Jsonify;
use crate::http::views::ServiceKeyView;
use crate::pyjson::python_repr;
use crate::service_keys::admin::{self, KeyChanges, NewKey};

#[derive(Debug, Serialize)]
pub struct ServiceKeyListView {
    keys: Vec<ServiceKeyView>,
}

/// GET /api/v1/superuser/keys (listServiceKeys); no fresh login.
pub async fn list_keys(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Jsonify<ServiceKeyListView>, ApiError> {
    caller.require_any_superuser(&app.config)?;
    let keys = admin::list_keys(&app).await?;
    Ok(Jsonify(
        StatusCode::OK,
        ServiceKeyListView {
            keys: keys
                .iter()
                .map(|k| ServiceKeyView::new(k, &app.config))
                .collect(),
        },
    ))
}

/// GET /api/v1/superuser/keys/{kid} (getServiceKey); no fresh login.
pub async fn get_key(
    State(app): State<AppState>,
    caller: Caller,
    Path(kid): Path<String>,
) -> Result<Jsonify<ServiceKeyView>, ApiError> {
    caller.require_any_superuser(&app.config)?;
    let key = admin::get_key(&app, &kid).await?;
    Ok(Jsonify(
        StatusCode::OK,
        ServiceKeyView::new(&key, &app.config),
    ))
}

/// Quay's `CreateServiceKey` schema: `service` and `expiration` (which may be null) required.
#[derive(Debug, Deserialize)]
pub struct CreateKeyBody {
    #[serde(deserialize_with = "service")]
    service: Option<String>,
    #[serde(deserialize_with = "expiration")]
    expiration: Option<Option<f64>>,
    #[serde(default, deserialize_with = "name")]
    name: Option<String>,
    #[serde(default, deserialize_with = "metadata")]
    metadata: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "notes")]
    notes: Option<String>,
}

fn service<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "service")
}
fn name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "name")
}
fn notes<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "notes")
}

/// `metadata`: `type: object`.
fn metadata<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Map<String, Value>>, D::Error> {
    match Value::deserialize(d)? {
        Value::Object(map) => Ok(Some(map)),
        _ => Err(serde::de::Error::custom(
            "wrong type for field metadata: object",
        )),
    }
}

/// `expiration`: `anyOf: [number, null]`, Unix seconds; `Some(None)` for null.
fn expiration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(Some(None)),
        Value::Number(n) => Ok(Some(n.as_f64())),
        other => Err(serde::de::Error::custom(format!(
            "{} is not valid under any of the given schemas",
            python_repr(&other)
        ))),
    }
}

#[derive(Debug, Serialize)]
pub struct CreatedKeyView {
    kid: String,
    name: String,
    private_key: String,
    public_key: String,
    service: String,
}

/// POST /api/v1/superuser/keys (createServiceKey): a pre-shared key, approved at once; its
/// private key is in this answer only (Berth's decision 7).
pub async fn create_key(
    State(app): State<AppState>,
    caller: FreshCaller,
    QuayJson(body): QuayJson<CreateKeyBody>,
) -> Result<Jsonify<CreatedKeyView>, ApiError> {
    let identity = caller.require_superuser(&app.config)?;
    let new = NewKey {
        service: body.service.unwrap_or_default(),
        name: body.name.unwrap_or_default(),
        expiration_s: body.expiration.flatten(),
        metadata: body.metadata.unwrap_or_default(),
        notes: body.notes.unwrap_or_default(),
    };
    let created = admin::create_key(&app, &caller.actor(), &identity.account, new).await?;
    Ok(Jsonify(
        StatusCode::OK,
        CreatedKeyView {
            kid: created.kid,
            name: created.name,
            private_key: created.private_key_pem,
            public_key: created.public_key_pem,
            service: created.service,
        },
    ))
}

/// Quay's `PutServiceKey` schema: every field optional.
#[derive(Debug, Deserialize)]
pub struct UpdateKeyBody {
    #[serde(default, deserialize_with = "name")]
    name: Option<String>,
    #[serde(default, deserialize_with = "metadata")]
    metadata: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "expiration")]
    expiration: Option<Option<f64>>,
}

/// PUT /api/v1/superuser/keys/{kid} (updateServiceKey)
pub async fn update_key(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(kid): Path<String>,
    QuayJson(body): QuayJson<UpdateKeyBody>,
) -> Result<Jsonify<ServiceKeyView>, ApiError> {
    let identity = caller.require_superuser(&app.config)?;
    let changes = KeyChanges {
        name: body.name,
        metadata: body.metadata,
        expiration_s: body.expiration,
    };
    let key = admin::update_key(&app, &caller.actor(), &identity.account, &kid, changes).await?;
    Ok(Jsonify(
        StatusCode::OK,
        ServiceKeyView::new(&key, &app.config),
    ))
}

/// DELETE /api/v1/superuser/keys/{kid} (deleteServiceKey)
pub async fn delete_key(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(kid): Path<String>,
) -> Result<StatusCode, ApiError> {
    let identity = caller.require_superuser(&app.config)?;
    admin::delete_key(&app, &caller.actor(), &identity.account, &kid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Quay's `ApproveServiceKey` schema.
#[derive(Debug, Deserialize)]
pub struct ApproveKeyBody {
    #[serde(default, deserialize_with = "notes")]
    notes: Option<String>,
}

/// POST /api/v1/superuser/approvedkeys/{kid} (approveServiceKey): 201 with an empty body,
/// also when the key was approved already.
pub async fn approve_key(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(kid): Path<String>,
    QuayJson(body): QuayJson<ApproveKeyBody>,
) -> Result<Response, ApiError> {
    let identity = caller.require_superuser(&app.config)?;
    let notes = body.notes.unwrap_or_default();
    admin::approve_key(&app, &caller.actor(), &identity.account, &kid, &notes).await?;
    Ok((
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
    )
        .into_response())
}
