//! `/v2/<name>/blobs/uploads/...` (core-api.md §2.9): upload sessions, monolithic uploads and
//! cross-repository mounts. Bodies are streamed to storage, never held in memory.

use std::io;

use axum::body::{Body, HttpBody};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use super::{
    authorize, registry_url, sized_response, with_headers, Need, RegistryQuery, RepoRequest,
};
use crate::app::App;
use crate::blobs::{self, ChunkRange, Digest, UploadProgress};
use crate::http::error::RegistryError;
use crate::http::server::is_body_timeout;
use crate::repositories::{NamingRules, RepoName};
use crate::storage::ByteStream;
use crate::telemetry;

/// The request body as stored bytes; a body that stalled is a `TimedOut` error (408). Counted
/// as an upload in progress while the stream lives, and in the received bytes as it flows.
fn body_stream(body: Body) -> ByteStream<'static> {
    let metrics = telemetry::metrics();
    let in_progress = metrics.upload_started();
    Box::pin(body.into_data_stream().map(move |chunk| {
        let _counted_while_alive = &in_progress;
        match chunk {
            Ok(bytes) => {
                metrics.blob_bytes_received.inc_by(bytes.len() as u64);
                Ok(bytes)
            }
            Err(err) if is_body_timeout(&err) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "request body stalled",
            )),
            Err(err) => Err(io::Error::other(err)),
        }
    }))
}

/// The `Content-Range: <start>-<end>` (inclusive, no unit) of a chunk, if sent.
pub(crate) fn content_range(headers: &HeaderMap) -> Result<Option<ChunkRange>, RegistryError> {
    let Some(value) = headers.get(header::CONTENT_RANGE) else {
        return Ok(None);
    };
    let parsed = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().split_once('-'))
        .and_then(|(start, end)| {
            let start = start.parse::<u64>().ok()?;
            let end = end.parse::<u64>().ok()?;
            (end >= start).then_some(ChunkRange { start, end })
        });
    parsed.map(Some).ok_or_else(|| {
        RegistryError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "Invalid range header",
        )
    })
}

/// `Range: 0-<last byte received>` (`0-0` before any byte).
fn range_header(received: u64) -> String {
    format!("0-{}", received.saturating_sub(1))
}

/// The headers every answer about a session carries.
fn session_headers(
    app: &App,
    name: &RepoName,
    progress: &UploadProgress,
) -> Vec<(&'static str, String)> {
    vec![
        (
            "Location",
            registry_url(
                &app.config,
                &format!("{name}/blobs/uploads/{}", progress.uuid),
            ),
        ),
        ("Docker-Upload-UUID", progress.uuid.clone()),
        ("Range", range_header(progress.received)),
    ]
}

/// An answer about a session: its location, uuid and stored range.
fn session_response(
    app: &App,
    name: &RepoName,
    status: StatusCode,
    progress: &UploadProgress,
) -> Response {
    let response = sized_response(status, 0, Body::empty());
    with_headers(response, &session_headers(app, name, progress))
}

/// A chunk that does not continue the session gets 416 with the session's state, so the
/// client can resume from there.
fn upload_error(app: &App, name: &RepoName, uuid: &str, err: blobs::Error) -> Response {
    let received = match &err {
        blobs::Error::RangeNotSatisfiable { received } => Some(*received),
        _ => None,
    };
    let response = RegistryError::from(err).into_response();
    match received {
        Some(received) => {
            let progress = UploadProgress {
                uuid: uuid.to_owned(),
                received,
            };
            with_headers(response, &session_headers(app, name, &progress))
        }
        None => response,
    }
}

/// 201 for a blob now in the repository.
fn blob_created(app: &App, name: &RepoName, digest: &Digest) -> Response {
    let response = sized_response(StatusCode::CREATED, 0, Body::empty());
    with_headers(
        response,
        &[
            (
                "Location",
                registry_url(&app.config, &format!("{name}/blobs/{digest}")),
            ),
            ("Docker-Content-Digest", digest.to_string()),
        ],
    )
}

fn parse_digest(text: &str) -> Result<Digest, RegistryError> {
    Ok(Digest::parse(text).map_err(blobs::Error::from)?)
}

/// POST /v2/<name>/blobs/uploads/[?digest=<d> | ?mount=<d>&from=<repo>] — a mount (201) when
/// the blob can be linked from `from`, a monolithic upload (201) with `digest`, else a new
/// session (202).
pub async fn start_upload(
    request: RepoRequest<'_>,
    query: &RegistryQuery,
    body: Body,
) -> Result<Response, RegistryError> {
    let RepoRequest { app, caller, name } = request;
    let repo = authorize(app, caller, name, Need::Push).await?;
    if let (Some(mount), Some(from)) = (query.get("mount"), query.get("from")) {
        let digest = parse_digest(mount)?;
        if let Ok(from) = RepoName::parse(from, NamingRules::from_config(&app.config)) {
            if blobs::mount_blob(app, caller, &repo, &from, &digest).await? {
                return Ok(blob_created(app, name, &digest));
            }
        }
    }
    if let Some(digest) = query.get("digest") {
        let digest = parse_digest(digest)?;
        blobs::upload_monolithic(app, &repo, body_stream(body), &digest).await?;
        return Ok(blob_created(app, name, &digest));
    }
    let progress = blobs::start_upload(app, &repo).await?;
    Ok(session_response(app, name, StatusCode::ACCEPTED, &progress))
}

/// PATCH /v2/<name>/blobs/uploads/<uuid> — appends a chunk; 202 with the new `Range`.
pub async fn patch_upload(
    request: RepoRequest<'_>,
    uuid: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, RegistryError> {
    let RepoRequest { app, caller, name } = request;
    let repo = authorize(app, caller, name, Need::Push).await?;
    let range = content_range(headers)?;
    match blobs::upload_chunk(app, &repo, uuid, range, body_stream(body)).await {
        Ok(progress) => Ok(session_response(app, name, StatusCode::ACCEPTED, &progress)),
        Err(err) => Ok(upload_error(app, name, uuid, err)),
    }
}

/// PUT /v2/<name>/blobs/uploads/<uuid>?digest=<d> — optional last chunk, then the digest check
/// and commit; 201.
pub async fn put_upload(
    request: RepoRequest<'_>,
    uuid: &str,
    query: &RegistryQuery,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, RegistryError> {
    let RepoRequest { app, caller, name } = request;
    let repo = authorize(app, caller, name, Need::Push).await?;
    let digest = parse_digest(query.get("digest").ok_or(blobs::Error::MissingDigest)?)?;
    let range = content_range(headers)?;
    let final_chunk = (body.size_hint().exact() != Some(0)).then(|| body_stream(body));
    match blobs::complete_upload(app, &repo, uuid, range, final_chunk, &digest).await {
        Ok(()) => Ok(blob_created(app, name, &digest)),
        Err(err) => Ok(upload_error(app, name, uuid, err)),
    }
}

/// GET /v2/<name>/blobs/uploads/<uuid> — 204 with the session's `Range`. A read, so a pull
/// token may ask, as distribution allows: clients that resume an upload after a 416 ask with
/// the token they use for reads.
pub async fn get_upload_status(
    request: RepoRequest<'_>,
    uuid: &str,
) -> Result<Response, RegistryError> {
    let RepoRequest { app, caller, name } = request;
    let repo = authorize(app, caller, name, Need::Pull).await?;
    let progress = blobs::upload_status(app, &repo, uuid).await?;
    Ok(session_response(
        app,
        name,
        StatusCode::NO_CONTENT,
        &progress,
    ))
}

/// DELETE /v2/<name>/blobs/uploads/<uuid> — cancels the session; 204.
pub async fn cancel_upload(
    request: RepoRequest<'_>,
    uuid: &str,
) -> Result<Response, RegistryError> {
    let RepoRequest { app, caller, name } = request;
    let repo = authorize(app, caller, name, Need::Push).await?;
    blobs::cancel_upload(app, &repo, uuid).await?;
    Ok(sized_response(StatusCode::NO_CONTENT, 0, Body::empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(value: Option<&str>) -> Result<Option<u64>, u16> {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(header::CONTENT_RANGE, value.parse().unwrap());
        }
        content_range(&headers)
            .map(|range| range.map(|r| r.start))
            .map_err(|e| e.status.as_u16())
    }

    #[test]
    fn content_ranges() {
        assert_eq!(start(None), Ok(None));
        assert_eq!(start(Some("0-99")), Ok(Some(0)));
        assert_eq!(start(Some("100-199")), Ok(Some(100)));
        assert_eq!(start(Some("bytes 0-9/10")), Err(400));
        assert_eq!(start(Some("9-0")), Err(400));
        assert_eq!(range_header(0), "0-0");
        assert_eq!(range_header(10), "0-9");
    }
}
