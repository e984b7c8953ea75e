//! Health endpoints (core-api.md §7.1): 200 when every check passes, else 503. `auth` is
//! Database authentication, healthy with the database; `registry_gunicorn` and `web_gunicorn`
//! stand for the one process that serves both, which is answering.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::app::AppState;
use crate::health;
use crate::http::json::Restful;

#[derive(Serialize)]
pub struct Services {
    auth: bool,
    database: bool,
    disk_space: bool,
    registry_gunicorn: bool,
    service_key: bool,
    web_gunicorn: bool,
}

#[derive(Serialize)]
pub struct HealthData {
    services: Services,
}

#[derive(Serialize)]
pub struct HealthView {
    data: HealthData,
    status_code: u16,
}

/// GET /health/instance and /health
pub async fn instance(State(app): State<AppState>) -> Restful<HealthView> {
    let health = health::check_instance(&app).await;
    let services = Services {
        auth: health.database,
        database: health.database,
        disk_space: health.disk_space,
        // This process serves the registry and the API: it answering is the check.
        registry_gunicorn: true,
        service_key: health.service_key,
        web_gunicorn: true,
    };
    let status = if health.is_healthy() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Restful(
        status,
        HealthView {
            data: HealthData { services },
            status_code: status.as_u16(),
        },
    )
}
