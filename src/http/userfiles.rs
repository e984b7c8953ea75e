//! `/userfiles/<id>`: where a client puts the file a file drop announced, and reads it back.
//! The random id is the capability, as in Quay: no credentials.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::TryStreamExt;

use crate::app::AppState;
use crate::builds;
use crate::http::error::ApiError;

/// PUT /userfiles/{file_id}: stores the body; 200 `Okay`.
pub async fn put_user_file(
    State(app): State<AppState>,
    Path(file_id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let body = request
        .into_body()
        .into_data_stream()
        .map_err(std::io::Error::other);
    builds::store_file(&app, &file_id, &content_type, Box::pin(body)).await?;
    Ok((StatusCode::OK, "Okay").into_response())
}

/// GET /userfiles/{file_id}: the stored file, streamed.
pub async fn get_user_file(
    State(app): State<AppState>,
    Path(file_id): Path<String>,
) -> Result<Response, ApiError> {
    let (content_type, size, bytes) = builds::read_file(&app, &file_id).await?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_LENGTH, size.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename={file_id}"),
            ),
        ],
        Body::from_stream(bytes),
    )
        .into_response())
}
