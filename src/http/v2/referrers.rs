//! `GET /v2/<name>/referrers/<digest>` (core-api.md §2.10): an OCI index of the manifests
//! whose subject is `<digest>`, empty for an unknown subject.

use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{check_grants, with_headers, Need, RegistryQuery, RepoRequest};
use crate::blobs::{self, Digest};
use crate::http::error::RegistryError;
use crate::manifests::{self, Referrer, OCI_INDEX};
use crate::repositories;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReferrersView {
    schema_version: u8,
    media_type: &'static str,
    manifests: Vec<DescriptorView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DescriptorView {
    media_type: String,
    digest: String,
    size: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifact_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<serde_json::Value>,
}

impl From<Referrer> for DescriptorView {
    fn from(r: Referrer) -> Self {
        DescriptorView {
            media_type: r.media_type,
            digest: r.digest,
            size: r.size,
            artifact_type: r.artifact_type,
            annotations: r.annotations,
        }
    }
}

/// GET /v2/<name>/referrers/<digest>[?artifactType=<type>] — 200 with an OCI image index;
/// `OCI-Filters-Applied: artifactType` when filtered. A repository that does not exist yet
/// has no referrers: an empty index for a caller who may pull there (decision 13).
pub async fn list_referrers(
    request: RepoRequest<'_>,
    digest: &str,
    query: &RegistryQuery,
) -> Result<Response, RegistryError> {
    let RepoRequest { app, caller, name } = request;
    check_grants(app, caller, name, Need::Pull)?;
    let subject = Digest::parse(digest).map_err(blobs::Error::from)?;
    let artifact_type = query.get("artifactType");
    let referrers = match repositories::find_repository(app, name).await? {
        Some(repo) => manifests::list_referrers(app, &repo, &subject, artifact_type).await?,
        None => Vec::new(),
    };
    let view = ReferrersView {
        schema_version: 2,
        media_type: OCI_INDEX,
        manifests: referrers.into_iter().map(DescriptorView::from).collect(),
    };
    let mut headers = vec![("Content-Type", OCI_INDEX.to_owned())];
    if artifact_type.is_some() {
        headers.push(("OCI-Filters-Applied", "artifactType".to_owned()));
    }
    Ok(with_headers(axum::Json(view).into_response(), &headers))
}
