//! `/v2/<name>/manifests/<reference>` (core-api.md §2.8): GET, HEAD, PUT and DELETE by tag or
//! digest.

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;

use super::{
    authorize, check_grants, header_text, sized_response, with_headers, Need, RegistryQuery,
    RepoRequest,
};
use crate::http::error::RegistryError;
use crate::http::server::is_body_timeout;
use crate::manifests::{self, essence, parse_reference, Reference};
use crate::replication::pull_through;

/// Manifests larger than this are refused (the OCI spec asks registries to accept at least
/// 4 MiB).
const MAX_MANIFEST_BYTES: usize = 4 << 20;
/// How much of a too-large manifest is read and dropped before answering, so that a client
/// still sending gets the 413 rather than a connection closed under it.
const MAX_DRAINED_BYTES: usize = 4 * MAX_MANIFEST_BYTES;

/// GET|HEAD /v2/<name>/manifests/<reference> — the stored bytes with their media type and
/// digest; HEAD sends the headers only.
pub async fn get_manifest(
    request: RepoRequest<'_>,
    reference: &str,
    headers: &HeaderMap,
    head: bool,
) -> Result<Response, RegistryError> {
    let RepoRequest { app, caller, name } = request;
    let reference = parse_reference(reference).ok_or(manifests::Error::ManifestUnknown)?;
    if app.config.features.proxy_cache {
        check_grants(app, caller, name, Need::Pull)?;
        pull_through::refresh(app, caller, name, &reference).await?;
    }
    let repo = authorize(app, caller, name, Need::Pull).await?;
    let accepted = accepted_types(headers);
    let accepts = |media_type: &str| {
        accepted.is_empty() || accepted.iter().any(|t| t == "*/*" || t == media_type)
    };
    let manifest = manifests::get_manifest(app, caller, &repo, &reference, accepts).await?;
    let length = manifest.content.len() as u64;
    let body = if head {
        Body::empty()
    } else {
        Body::from(manifest.content)
    };
    let response = sized_response(StatusCode::OK, length, body);
    Ok(with_headers(
        response,
        &[
            ("Content-Type", manifest.media_type),
            ("Docker-Content-Digest", manifest.digest),
        ],
    ))
}

/// The media types of every `Accept` header, parameters dropped; empty when none was sent.
fn accepted_types(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| essence(t).to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// PUT /v2/<name>/manifests/<reference>[?tag=<tag>...] — 201 with `Location` (path only, as
/// Quay sends it), `Docker-Content-Digest`, and an `OCI-Tag` header for each `?tag=` set
/// (OCI v1.1).
pub async fn put_manifest(
    request: RepoRequest<'_>,
    reference: &str,
    query: &RegistryQuery,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, RegistryError> {
    let RepoRequest { app, caller, name } = request;
    let repo = authorize(app, caller, name, Need::Push).await?;
    let reference = parse_reference(reference).ok_or_else(|| {
        RegistryError::new(
            StatusCode::BAD_REQUEST,
            "TAG_INVALID",
            "manifest tag did not match URI",
        )
    })?;
    let tags = query
        .all("tag")
        .into_iter()
        .map(|tag: String| match parse_reference(&tag) {
            Some(Reference::Tag(tag)) => Ok(tag),
            _ => Err(RegistryError::new(
                StatusCode::BAD_REQUEST,
                "TAG_INVALID",
                format!("invalid tag '{tag}'"),
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let content_type = header_text(headers, header::CONTENT_TYPE).unwrap_or("");
    let bytes = read_manifest(body).await?;
    let pushed = manifests::put_manifest(
        app,
        caller,
        &repo,
        &reference,
        &tags,
        content_type,
        &bytes,
        manifests::Arrival::Pushed,
    )
    .await?;
    let digest = pushed.digest;
    let mut headers = vec![
        (
            "Location",
            format!("/v2/{}/manifests/{digest}", repo.full_name()),
        ),
        ("Docker-Content-Digest", digest.to_string()),
    ];
    // OCI v1.1: tells clients the registry indexed the referrer, so they need no fallback tag.
    if let Some(subject) = pushed.subject {
        headers.push(("OCI-Subject", subject.to_string()));
    }
    headers.extend(pushed.tags.into_iter().map(|tag| ("OCI-Tag", tag)));
    let response = (StatusCode::CREATED, "OK").into_response();
    Ok(with_headers(response, &headers))
}

/// The request body if it is at most `MAX_MANIFEST_BYTES`; a larger one is 413.
async fn read_manifest(body: Body) -> Result<Bytes, RegistryError> {
    let too_large = || {
        RegistryError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "MANIFEST_INVALID",
            format!("manifest larger than {MAX_MANIFEST_BYTES} bytes"),
        )
    };
    let mut stream = body.into_data_stream();
    let mut kept = BytesMut::new();
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| match is_body_timeout(&err) {
            true => RegistryError::new(
                StatusCode::REQUEST_TIMEOUT,
                "MANIFEST_INVALID",
                "manifest body stalled",
            ),
            false => RegistryError::new(
                StatusCode::BAD_REQUEST,
                "MANIFEST_INVALID",
                "manifest body unreadable",
            ),
        })?;
        total += chunk.len();
        if total <= MAX_MANIFEST_BYTES {
            kept.extend_from_slice(&chunk);
        } else if total > MAX_DRAINED_BYTES {
            return Err(too_large());
        }
    }
    if total > MAX_MANIFEST_BYTES {
        return Err(too_large());
    }
    Ok(kept.freeze())
}

/// DELETE /v2/<name>/manifests/<reference> — 202 once the tag, or the manifest by digest, is
/// deleted. Quay allows deleting by tag although the classic spec does not.
pub async fn delete_manifest(
    request: RepoRequest<'_>,
    reference: &str,
) -> Result<Response, RegistryError> {
    let RepoRequest { app, caller, name } = request;
    let repo = authorize(app, caller, name, Need::Push).await?;
    let reference = parse_reference(reference).ok_or(manifests::Error::ManifestUnknown)?;
    manifests::delete_manifest(app, caller, &repo, &reference).await?;
    Ok(sized_response(StatusCode::ACCEPTED, 0, Body::empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_lists() {
        let mut headers = HeaderMap::new();
        assert!(accepted_types(&headers).is_empty());
        headers.append(
            header::ACCEPT,
            "application/vnd.oci.image.manifest.v1+json; q=0.9, */*"
                .parse()
                .unwrap(),
        );
        headers.append(
            header::ACCEPT,
            "application/vnd.docker.distribution.manifest.v2+json"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            accepted_types(&headers),
            vec![
                "application/vnd.oci.image.manifest.v1+json",
                "*/*",
                "application/vnd.docker.distribution.manifest.v2+json"
            ]
        );
    }
}
