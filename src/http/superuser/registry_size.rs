//! The registry size (superuser-api.md §8, docs §6.17.4). Neither call writes a usage log, as
//! in Quay.

use axum::extract::State;
use axum::http::StatusCode;

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::FreshCaller;
use crate::http::json::Restful;
use crate::http::views::RegistrySizeView;
use crate::registry_size;

/// GET /api/v1/superuser/registrysize/ (getRegistrySize): any superuser.
pub async fn get_registry_size(
    State(app): State<AppState>,
    caller: FreshCaller,
) -> Result<Restful<RegistrySizeView>, ApiError> {
    caller.require_any_superuser(&app.config)?;
    let view = RegistrySizeView::new(registry_size::status(&app).await?);
    Ok(Restful(StatusCode::OK, view))
}

/// POST /api/v1/superuser/registrysize/ (queueRegistrySizeCalculation): 201 when queued, 202
/// when a calculation is already queued or running; the body is never read (§1.2).
pub async fn queue_registry_size_calculation(
    State(app): State<AppState>,
    caller: FreshCaller,
) -> Result<Restful<&'static str>, ApiError> {
    caller.require_superuser(&app.config)?;
    let status = match registry_size::queue(&app).await? {
        true => StatusCode::CREATED,
        false => StatusCode::ACCEPTED,
    };
    Ok(Restful(status, ""))
}
