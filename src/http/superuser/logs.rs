//! Instance-wide usage logs (superuser-api.md §7.1–7.2, docs §6.17.4).

use axum::extract::State;
use axum::http::StatusCode;

use crate::app::AppState;
use crate::db::logs::LogSelection;
use crate::http::api_v1::logs::{aggregate_view, list_view, read_window};
use crate::http::error::ApiError;
use crate::http::extract::{FreshCaller, QueryParams};
use crate::http::json::Restful;
use crate::http::views::{AggregatedLogsView, LogListView};

/// GET /api/v1/superuser/logs (listAllLogs). A reversed window is not refused here (Quay);
/// it simply holds no entries.
pub async fn list_all_logs(
    State(app): State<AppState>,
    caller: FreshCaller,
    query: QueryParams,
) -> Result<Restful<LogListView>, ApiError> {
    let window = read_window(&query)?;
    caller.require_any_superuser(&app.config)?;
    let view = list_view(&app, &query, &LogSelection::default(), window, true).await?;
    Ok(Restful(StatusCode::OK, view))
}

/// GET /api/v1/superuser/aggregatelogs (listAllAggregateLogs): at most 31 days.
pub async fn aggregate_all_logs(
    State(app): State<AppState>,
    caller: FreshCaller,
    query: QueryParams,
) -> Result<Restful<AggregatedLogsView>, ApiError> {
    let window = read_window(&query)?;
    caller.require_any_superuser(&app.config)?;
    Ok(Restful(
        StatusCode::OK,
        aggregate_view(&app, &LogSelection::default(), window).await?,
    ))
}
