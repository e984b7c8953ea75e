//! `/v2/<name>/blobs/<digest>` (core-api.md §2.9): HEAD and GET, streamed from storage, with
//! single byte ranges (206 / 416) as the OCI conformance suite expects, or for a GET a 302 to
//! a URL the storage signed, as Quay answers on S3; DELETE unlinks the blob from the
//! repository (OCI v1.1, where Quay answers 405).

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use futures::TryStreamExt;

use super::{authorize, header_text, sized_response, with_headers, Need, RepoRequest};
use crate::app::AppState;
use crate::blobs::{self, Digest};
use crate::http::error::RegistryError;
use crate::replication::pull_through::{self, PendingBlob};
use crate::repositories::Repository;
use crate::storage::StoredBytes;
use crate::telemetry;

use axum::response::Response;

/// What a `Range` header asks of a blob of a given size.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ByteRange {
    /// No usable range: the whole blob.
    Full,
    /// Inclusive first and last byte.
    Part(u64, u64),
    Unsatisfiable,
}

/// Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n`; anything else (several ranges,
/// other units, bad syntax) is ignored, as RFC 7233 allows.
pub(crate) fn parse_range(value: &str, size: u64) -> ByteRange {
    let Some((first, last)) = value
        .trim()
        .strip_prefix("bytes=")
        .and_then(|spec| spec.split_once('-'))
    else {
        return ByteRange::Full;
    };
    let number = |text: &str| text.trim().parse::<u64>().ok();
    match (first.trim().is_empty(), number(first), number(last)) {
        (true, _, Some(0)) => ByteRange::Unsatisfiable,
        (true, _, Some(suffix)) if size > 0 => {
            ByteRange::Part(size.saturating_sub(suffix), size - 1)
        }
        (true, _, _) => ByteRange::Unsatisfiable,
        (false, Some(start), _) if start >= size => ByteRange::Unsatisfiable,
        (false, Some(start), None) if last.trim().is_empty() => ByteRange::Part(start, size - 1),
        (false, Some(start), Some(end)) if end >= start => {
            ByteRange::Part(start, end.min(size - 1))
        }
        _ => ByteRange::Full,
    }
}

/// GET|HEAD /v2/<name>/blobs/<digest> — 200 (or 206 for a range) streamed from storage.
pub async fn get_blob(
    request: RepoRequest<'_>,
    digest: &str,
    headers: &HeaderMap,
    head: bool,
) -> Result<Response, RegistryError> {
    let RepoRequest { app, caller, name } = request;
    let repo = authorize(app, caller, name, Need::Pull).await?;
    let digest = Digest::parse(digest).map_err(blobs::Error::from)?;
    let blob = match blobs::find_blob(app, &repo, &digest).await {
        Err(blobs::Error::BlobUnknown) if app.config.features.proxy_cache => {
            if let Some(response) = pending_blob(app, &repo, &digest, head).await? {
                return Ok(response);
            }
            blobs::find_blob(app, &repo, &digest).await?
        }
        found => found?,
    };
    if !head {
        if let Some(url) = blobs::direct_download_url(app, &blob).await? {
            // The client sends any `Range` on to the storage.
            let pairs = [
                ("Location", url),
                ("Docker-Content-Digest", digest.to_string()),
                ("Accept-Ranges", "bytes".to_owned()),
                ("Cache-Control", "max-age=31536000".to_owned()),
            ];
            return Ok(with_headers(
                sized_response(StatusCode::FOUND, 0, Body::empty()),
                &pairs,
            ));
        }
    }
    let range =
        header_text(headers, header::RANGE).map_or(ByteRange::Full, |v| parse_range(v, blob.size));
    let (status, start, length) = match range {
        ByteRange::Full => (StatusCode::OK, 0, blob.size),
        ByteRange::Part(first, last) => (StatusCode::PARTIAL_CONTENT, first, last - first + 1),
        ByteRange::Unsatisfiable => {
            let error = RegistryError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "INVALID_REQUEST",
                "requested range not satisfiable",
            );
            let response = axum::response::IntoResponse::into_response(error);
            return Ok(with_headers(
                response,
                &[("Content-Range", format!("bytes */{}", blob.size))],
            ));
        }
    };
    let body = if head {
        Body::empty()
    } else {
        counted(blobs::read_blob(app, &blob, start, length).await?)
    };
    let mut pairs = vec![
        ("Content-Type", "application/octet-stream".to_owned()),
        ("Docker-Content-Digest", digest.to_string()),
        ("Accept-Ranges", "bytes".to_owned()),
        ("Cache-Control", "max-age=31536000".to_owned()),
    ];
    if status == StatusCode::PARTIAL_CONTENT {
        pairs.push((
            "Content-Range",
            format!("bytes {start}-{}/{}", start + length - 1, blob.size),
        ));
    }
    Ok(with_headers(sized_response(status, length, body), &pairs))
}

/// A response body of blob bytes, counted in `/metrics` as they go out.
fn counted(stream: StoredBytes) -> Body {
    let sent = &telemetry::metrics().blob_bytes_sent;
    Body::from_stream(stream.inspect_ok(|bytes| {
        sent.inc_by(bytes.len() as u64);
    }))
}

/// A layer of a proxy cache's image that is not fetched yet: a HEAD answers its declared
/// size, a GET streams it from the upstream while it is stored (ranges are not served then).
/// None when the layer is not pending, or was stored already and is now linked.
async fn pending_blob(
    app: &AppState,
    repo: &Repository,
    digest: &Digest,
    head: bool,
) -> Result<Option<Response>, RegistryError> {
    let (size, body) = if head {
        match pull_through::pending_blob_size(app, repo, digest).await? {
            Some(size) => (size, Body::empty()),
            None => return Ok(None),
        }
    } else {
        match pull_through::fetch_pending_blob(app, repo, digest).await? {
            Some(PendingBlob::Streaming { size, body }) => (size, counted(body)),
            Some(PendingBlob::Linked) | None => return Ok(None),
        }
    };
    let pairs = [
        ("Content-Type", "application/octet-stream".to_owned()),
        ("Docker-Content-Digest", digest.to_string()),
        ("Cache-Control", "max-age=31536000".to_owned()),
    ];
    Ok(Some(with_headers(
        sized_response(StatusCode::OK, size, body),
        &pairs,
    )))
}

/// DELETE /v2/<name>/blobs/<digest> — 202 once the repository's upload or mount link is gone.
pub async fn delete_blob(
    request: RepoRequest<'_>,
    digest: &str,
) -> Result<Response, RegistryError> {
    let RepoRequest { app, caller, name } = request;
    let repo = authorize(app, caller, name, Need::Push).await?;
    let digest = Digest::parse(digest).map_err(blobs::Error::from)?;
    blobs::delete_blob(app, &repo, &digest).await?;
    Ok(sized_response(StatusCode::ACCEPTED, 0, Body::empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), ByteRange::Part(0, 9));
        assert_eq!(parse_range("bytes=90-200", 100), ByteRange::Part(90, 99));
        assert_eq!(parse_range("bytes=10-", 100), ByteRange::Part(10, 99));
        assert_eq!(parse_range("bytes=-10", 100), ByteRange::Part(90, 99));
        assert_eq!(parse_range("bytes=-200", 100), ByteRange::Part(0, 99));
        assert_eq!(parse_range("bytes=100-", 100), ByteRange::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), ByteRange::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-0", 0), ByteRange::Unsatisfiable);
        assert_eq!(parse_range("bytes=5-1", 100), ByteRange::Full);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), ByteRange::Full);
        assert_eq!(parse_range("items=0-1", 100), ByteRange::Full);
        assert_eq!(parse_range("bytes=x-1", 100), ByteRange::Full);
    }
}
