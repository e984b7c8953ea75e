//! An organization's proxy-cache configuration (Quay's `OrganizationProxyCacheConfig` and
//! `ProxyCacheConfigValidation`, under `FEATURE_PROXY_CACHE`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson};
use crate::http::json::Restful;
use crate::namespaces::proxy_cache::{self, NewProxyCache, DEFAULT_EXPIRATION_S};
use crate::upstream::Access;

/// Quay's `NewProxyCacheConfig`: only `upstream_registry` is required.
#[derive(Debug, Deserialize)]
pub struct ProxyCacheBody {
    #[serde(deserialize_with = "upstream_registry")]
    upstream_registry: Option<String>,
    #[serde(default, deserialize_with = "upstream_registry_username")]
    upstream_registry_username: Option<Option<String>>,
    #[serde(default, deserialize_with = "upstream_registry_password")]
    upstream_registry_password: Option<Option<String>>,
    /// Missing: a day; `null` or 0: cached tags never expire.
    #[serde(default, deserialize_with = "expiration_s")]
    expiration_s: Option<Option<i64>>,
    #[serde(default, deserialize_with = "insecure")]
    insecure: Option<bool>,
}

fn upstream_registry<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "upstream_registry")
}
fn upstream_registry_username<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    fields::nullable_string(d, "upstream_registry_username")
}
fn upstream_registry_password<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    fields::nullable_string(d, "upstream_registry_password")
}
fn expiration_s<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    fields::nullable_integer_at_least(d, "expiration_s", 0)
}
fn insecure<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    fields::boolean(d, "insecure")
}

impl From<ProxyCacheBody> for NewProxyCache {
    fn from(body: ProxyCacheBody) -> Self {
        let nonempty = |v: Option<Option<String>>| v.flatten().filter(|s| !s.is_empty());
        NewProxyCache {
            upstream_registry: body.upstream_registry.unwrap_or_default(),
            username: nonempty(body.upstream_registry_username),
            password: nonempty(body.upstream_registry_password),
            expiration_s: body
                .expiration_s
                .unwrap_or(Some(DEFAULT_EXPIRATION_S))
                .unwrap_or(0),
            insecure: body.insecure.unwrap_or(false),
        }
    }
}

/// The configuration without its credentials; empty strings when there is none (Quay's).
#[derive(Debug, Serialize)]
pub struct ProxyCacheView {
    upstream_registry: Value,
    expiration_s: Value,
    insecure: Value,
}

/// GET /api/v1/organization/{orgname}/proxycache (getProxyCacheConfig) [org member]
pub async fn get_proxy_cache(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
) -> Result<Restful<ProxyCacheView>, ApiError> {
    let principal = caller.principal()?;
    let view = match proxy_cache::get_config(&app, &principal, &org).await? {
        Some(config) => ProxyCacheView {
            upstream_registry: Value::from(config.upstream_registry),
            expiration_s: Value::from(config.expiration_s.unwrap_or(0)),
            insecure: Value::from(config.insecure),
        },
        None => ProxyCacheView {
            upstream_registry: Value::from(""),
            expiration_s: Value::from(""),
            insecure: Value::from(""),
        },
    };
    Ok(Restful(StatusCode::OK, view))
}

/// POST /api/v1/organization/{orgname}/proxycache (createProxyCacheConfig) [org admin]: 201
/// `"Created"`.
pub async fn create_proxy_cache(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    QuayJson(body): QuayJson<ProxyCacheBody>,
) -> Result<Restful<&'static str>, ApiError> {
    let principal = caller.principal()?;
    proxy_cache::create_config(&app, &principal, &org, &body.into()).await?;
    Ok(Restful(StatusCode::CREATED, "Created"))
}

/// DELETE /api/v1/organization/{orgname}/proxycache (deleteProxyCacheConfig) [org admin]: 201
/// `"Deleted"`, as Quay answers.
pub async fn delete_proxy_cache(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
) -> Result<Restful<&'static str>, ApiError> {
    let principal = caller.principal()?;
    proxy_cache::delete_config(&app, &principal, &org).await?;
    Ok(Restful(StatusCode::CREATED, "Deleted"))
}

/// POST /api/v1/organization/{orgname}/validateproxycache (validateProxyCacheConfig) [org
/// admin]: 202 `"Valid"` or `"Anonymous"`; 400 when the upstream cannot be used.
pub async fn validate_proxy_cache(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    QuayJson(body): QuayJson<ProxyCacheBody>,
) -> Result<Restful<&'static str>, ApiError> {
    let principal = caller.principal()?;
    let answer = match proxy_cache::validate_config(&app, &principal, &org, &body.into()).await? {
        Access::Valid => "Valid",
        Access::Anonymous => "Anonymous",
    };
    Ok(Restful(StatusCode::ACCEPTED, answer))
}
