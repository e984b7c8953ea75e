//! Copies from other registries into Berth: pulls through proxy-cache organizations
//! (`pull_through`) and, shared by every copy, an image fetched from an upstream (its index's
//! images, then every blob streamed into storage and verified, then the manifest), so that a
//! copy is never visible with blobs missing.

pub mod mirror;
pub mod pull_through;

use crate::accounts;
use crate::app::App;
use crate::blobs::{self, Digest};
use crate::db;
use crate::manifests::{self, Arrival, Reference};
use crate::namespaces::proxy_cache;
use crate::repositories::access::AuthError;
use crate::repositories::{RegistryCaller, Repository};
use crate::upstream::{Upstream, UpstreamError, UpstreamManifest};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The upstream has no such manifest, or refused the organization's credentials, and
    /// nothing alive is cached.
    #[error("manifest unknown: {0}")]
    ManifestUnknown(String),
    #[error(transparent)]
    Upstream(UpstreamError),
    #[error(transparent)]
    Manifest(#[from] manifests::Error),
    #[error(transparent)]
    Blob(#[from] blobs::Error),
    #[error(transparent)]
    Repository(#[from] AuthError),
    #[error(transparent)]
    Config(#[from] proxy_cache::Error),
    #[error(transparent)]
    Db(#[from] db::Error),
    /// Account lookups and collections, which fail only on the database or storage.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<accounts::Error> for Error {
    fn from(err: accounts::Error) -> Self {
        Error::Internal(err.into())
    }
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The copy would take the namespace over a Reject limit.
    pub fn is_quota_exceeded(&self) -> bool {
        matches!(
            self,
            Error::Manifest(manifests::Error::QuotaExceeded)
                | Error::Blob(blobs::Error::QuotaExceeded)
        )
    }
}

/// Copies `reference` of the upstream's `remote` into `repo`: an index's images first, then
/// every blob an image names, then the manifest itself, stored as `arrival` says.
pub async fn copy_image(
    app: &App,
    caller: &RegistryCaller,
    upstream: &Upstream,
    remote: &str,
    repo: &Repository,
    reference: &Reference,
    arrival: Arrival,
) -> Result<()> {
    let manifest = fetch_manifest(upstream, remote, &reference.to_string()).await?;
    let parsed = manifests::parse_manifest(&manifest.media_type, &manifest.bytes)
        .map_err(manifests::Error::from)?;
    for child in &parsed.children {
        let mut conn = app.db.reader().await?;
        let cached = db::registry::find_manifest(&mut conn, repo.id, &child.to_string()).await?;
        drop(conn);
        if cached.is_none() {
            let image = fetch_manifest(upstream, remote, &child.to_string()).await?;
            let image_parsed = manifests::parse_manifest(&image.media_type, &image.bytes)
                .map_err(manifests::Error::from)?;
            copy_blobs(app, upstream, remote, repo, &image_parsed).await?;
            let by_digest = Reference::Digest(child.clone());
            store(app, caller, repo, &by_digest, &image, arrival).await?;
        }
    }
    copy_blobs(app, upstream, remote, repo, &parsed).await?;
    store(app, caller, repo, reference, &manifest, arrival).await
}

async fn fetch_manifest(
    upstream: &Upstream,
    remote: &str,
    reference: &str,
) -> Result<UpstreamManifest> {
    upstream
        .manifest(remote, reference)
        .await
        .map_err(Error::Upstream)?
        .ok_or_else(|| Error::ManifestUnknown(format!("{reference} is not in the upstream")))
}

async fn store(
    app: &App,
    caller: &RegistryCaller,
    repo: &Repository,
    reference: &Reference,
    manifest: &UpstreamManifest,
    arrival: Arrival,
) -> Result<()> {
    manifests::put_manifest(
        app,
        caller,
        repo,
        reference,
        &[],
        &manifest.media_type,
        &manifest.bytes,
        arrival,
    )
    .await?;
    Ok(())
}

/// Streams each blob of an image that `repo` lacks from the upstream into storage.
async fn copy_blobs(
    app: &App,
    upstream: &Upstream,
    remote: &str,
    repo: &Repository,
    parsed: &manifests::ParsedManifest,
) -> Result<()> {
    let blobs = parsed.config.iter().chain(parsed.layers.iter());
    for (digest, _) in blobs {
        if has_blob(app, repo, digest).await? {
            continue;
        }
        let text = digest.to_string();
        let Some((_, stream)) = upstream
            .blob(remote, &text)
            .await
            .map_err(Error::Upstream)?
        else {
            return Err(Error::Upstream(UpstreamError::Status(404)));
        };
        blobs::upload_monolithic(app, repo, stream, digest).await?;
    }
    Ok(())
}

async fn has_blob(app: &App, repo: &Repository, digest: &Digest) -> Result<bool> {
    let mut conn = app.db.reader().await?;
    let found =
        db::registry::find_repository_blob(&mut conn, repo.id, &digest.to_string(), db::now_ms())
            .await?;
    Ok(found.is_some())
}
