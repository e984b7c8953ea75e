//! Builds looked up by UUID (superuser-api.md §11; docs §6.17.7). The views show the build's
//! real configuration (Berth's decision 10), not Quay's empty one.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::app::AppState;
use crate::builds;
use crate::http::api_v1::build::{build_logs, BuildLogsView};
use crate::http::error::ApiError;
use crate::http::extract::{FreshCaller, QueryParams};
use crate::http::json::Restful;
use crate::http::views::BuildView;

/// Quay's answer on `/status` and `/logs` for an unknown build: 400 `invalid_response`.
fn unknown_build(uuid: &str) -> ApiError {
    ApiError::Problem {
        status: StatusCode::BAD_REQUEST,
        error_type: "invalid_response",
        detail: format!("Unable to locate a build by id: {uuid}"),
        session_required: None,
    }
}

async fn find(
    app: &AppState,
    uuid: &str,
    missing: fn(&str) -> ApiError,
) -> Result<crate::db::builds::BuildRow, ApiError> {
    match builds::find_build(app, uuid, |_| builds::Error::NotFound).await {
        Err(builds::Error::NotFound) => Err(missing(uuid)),
        other => Ok(other?),
    }
}

/// GET /api/v1/superuser/{build_uuid}/build (getRepoBuildSuperUser): unknown is 404.
pub async fn get_build(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(uuid): Path<String>,
) -> Result<Restful<BuildView>, ApiError> {
    caller.require_any_superuser(&app.config)?;
    let build = find(&app, &uuid, |_| ApiError::not_found()).await?;
    Ok(Restful(
        StatusCode::OK,
        BuildView::new(build, &app.config, false, true),
    ))
}

/// GET /api/v1/superuser/{build_uuid}/status (getRepoBuildStatusSuperUser): unknown is 400.
pub async fn get_build_status(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(uuid): Path<String>,
) -> Result<Restful<BuildView>, ApiError> {
    caller.require_any_superuser(&app.config)?;
    let build = find(&app, &uuid, unknown_build).await?;
    Ok(Restful(
        StatusCode::OK,
        BuildView::new(build, &app.config, false, true),
    ))
}

/// GET /api/v1/superuser/{build_uuid}/logs (getRepoBuildLogsSuperUser): unknown is 400.
pub async fn get_build_logs(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(uuid): Path<String>,
    query: QueryParams,
) -> Result<Restful<BuildLogsView>, ApiError> {
    caller.require_any_superuser(&app.config)?;
    let build = find(&app, &uuid, unknown_build).await?;
    Ok(Restful(
        StatusCode::OK,
        build_logs(&app, &build, &query).await?,
    ))
}
