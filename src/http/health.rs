//! Health endpoints (core-api.md §7.1): 200 when every check passes, else 503.
//! `/health/endtoend` checks what every node shares: the database, Redis and blob storage. `auth` is
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
pub struct HealthData<S> {
    services: S,
}

#[derive(Serialize)]
pub struct HealthView<S> {
    data: HealthData<S>,
    status_code: u16,
}

/// Quay's health answer: the services, 200 when healthy, else 503.
fn answer<S>(healthy: bool, services: S) -> Restful<HealthView<S>> {
    let status = if healthy {
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

/// GET /health/instance and /health
pub async fn instance(State(app): State<AppState>) -> Restful<HealthView<Services>> {
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
    answer(health.is_healthy(), services)
}

#[derive(Serialize)]
pub struct SharedServices {
    auth: bool,
    database: bool,
    redis: bool,
    storage: bool,
}

/// GET /health/endtoend
pub async fn endtoend(State(app): State<AppState>) -> Restful<HealthView<SharedServices>> {
    let health = health::check_shared(&app).await;
    let services = SharedServices {
        auth: health.database,
        database: health.database,
        redis: health.redis,
        storage: health.storage,
    };
    answer(health.is_healthy(), services)
}
