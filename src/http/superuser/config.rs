//! The superuser's configuration view and the registry status beside it (Quay's
//! `SuperUserDumpConfig` and `SuperUserRegistryStatus`).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{json, Value};

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::FreshCaller;
use crate::http::json::Restful;

#[derive(Debug, Serialize)]
pub struct ConfigDumpView {
    config: Value,
    warning: Value,
    /// Quay lists the process environment here; Berth never shows it (decision 19).
    env: Value,
    schema: Value,
}

/// GET /api/v1/superuser/config: fresh login, any superuser, with
/// `FEATURE_SUPERUSER_CONFIGDUMP`; secrets masked.
pub async fn dump_config(
    State(app): State<AppState>,
    caller: FreshCaller,
) -> Result<Restful<ConfigDumpView>, ApiError> {
    if !app.config.features.superuser_configdump {
        return Err(caller.unauthorized());
    }
    caller.require_any_superuser(&app.config)?;
    let (config, warning) = app.config.dump();
    let properties: serde_json::Map<String, Value> = config
        .as_object()
        .map(|keys| keys.keys().map(|k| (k.clone(), json!({}))).collect())
        .unwrap_or_default();
    Ok(Restful(
        StatusCode::OK,
        ConfigDumpView {
            config,
            warning,
            env: json!({}),
            schema: json!({ "type": "object", "properties": properties }),
        },
    ))
}

/// GET /api/v1/superuser/registrystatus (scRegistryStatus): what Quay's clients probe to see
/// that the registry is set up; open to every caller.
pub async fn registry_status() -> Restful<Value> {
    Restful(
        StatusCode::OK,
        json!({ "provider_id": "file", "status": "ready" }),
    )
}
