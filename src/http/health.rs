//! Health endpoints (core-api.md §7.1): 200 when every check passes, else 503.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::app::AppState;
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
    let database = app.db.reader().await.is_ok();
    let service_key = database
        && app
            .signer
            .decoding_key(&app.db, &app.signer.kid)
            .await
            .is_some();
    let services = Services {
        auth: database,
        database,
        disk_space: true,
        registry_gunicorn: true,
        service_key,
        web_gunicorn: true,
    };
    let status = if database && service_key {
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
