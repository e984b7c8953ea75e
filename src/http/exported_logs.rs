//! GET /exportedlogs/{export_id}: the complete JSON file of a log export, streamed page by
//! page. The export id is the capability, as Quay's user-file URLs are.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{stream, StreamExt};
use serde_json::json;

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::views::{rfc2822, LogEntryView};
use crate::logs::export;

pub async fn download_export(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(export) = export::find_export(&app, &id).await? else {
        return Err(ApiError::not_found());
    };
    let details = json!({
        "start_time": rfc2822(export.start_ms),
        "end_time": rfc2822(export.end_ms),
    });
    let head = format!(
        "{{\"export_id\": {}, \"details\": {details}, \"logs\": [",
        json!(export.id)
    );
    let entries = export::export_entries(app.clone(), export)
        .enumerate()
        .map(|(i, row)| {
            let row = row.map_err(std::io::Error::other)?;
            let entry = serde_json::to_string(&LogEntryView::new(row, false))
                .map_err(std::io::Error::other)?;
            let separator = if i == 0 { "" } else { ", " };
            Ok::<_, std::io::Error>(Bytes::from(format!("{separator}{entry}")))
        });
    let body = stream::once(async move { Ok(Bytes::from(head)) })
        .chain(entries)
        .chain(stream::once(async { Ok(Bytes::from_static(b"]}\n")) }));
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"export.json\"",
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
