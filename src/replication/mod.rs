//! Copies from other registries into Berth: pulls through proxy-cache organizations
//! (`pull_through`), repository mirrors (`mirror`) and, shared by both, an image fetched from
//! an upstream: its index's images, then its blobs streamed into storage and verified, then
//! the manifest. A mirror copies every blob first, so that it never shows an image with blobs
//! missing; a proxy cache copies the configs and leaves the layers pending, streamed to the
//! first client that pulls them while they are stored.

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
    /// A mirror's architecture filter matches no image of a manifest list.
    #[error("No matching architectures. Requested: {requested:?}, Available: {available:?}")]
    NoMatchingArchitectures {
        requested: Vec<String>,
        available: Vec<String>,
    },
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

/// Where a copy comes from: a repository of an upstream registry.
pub struct Source<'a> {
    pub upstream: &'a Upstream,
    pub remote: &'a str,
}

/// Copies `reference` of `source` into `repo`: an index's images first, then the blobs an
/// image names (only its config when cached for a pull), then the manifest itself, stored as
/// `arrival` says. With `architectures` named, only an index's images of those are copied (the
/// index is stored whole, a sparse one), and an image of another architecture is skipped.
pub async fn copy_image(
    app: &App,
    caller: &RegistryCaller,
    source: &Source<'_>,
    repo: &Repository,
    reference: &Reference,
    arrival: Arrival,
    architectures: &[String],
) -> Result<()> {
    let Source { upstream, remote } = *source;
    let manifest = fetch_manifest(upstream, remote, &reference.to_string()).await?;
    let parsed = manifests::parse_manifest(&manifest.media_type, &manifest.bytes)
        .map_err(manifests::Error::from)?;
    let children = if architectures.is_empty() {
        parsed.children.clone()
    } else if parsed.children.is_empty() {
        if !image_matches(source, &parsed, architectures).await? {
            tracing::info!(repo.name = %repo.full_name(), reference = %reference, "image of another architecture skipped");
            return Ok(());
        }
        Vec::new()
    } else {
        matching_children(&manifest.bytes, architectures)?
    };
    for child in &children {
        let mut conn = app.db.reader().await?;
        let cached = db::registry::find_manifest(&mut conn, repo.id, &child.to_string()).await?;
        drop(conn);
        if cached.is_none() {
            let image = fetch_manifest(upstream, remote, &child.to_string()).await?;
            let image_parsed = manifests::parse_manifest(&image.media_type, &image.bytes)
                .map_err(manifests::Error::from)?;
            copy_blobs(app, upstream, remote, repo, &image_parsed, arrival).await?;
            let by_digest = Reference::Digest(child.clone());
            store(app, caller, repo, &by_digest, &image, arrival).await?;
        }
    }
    copy_blobs(app, upstream, remote, repo, &parsed, arrival).await?;
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

/// Streams each blob of an image that `repo` lacks from the upstream into storage: every
/// one for a mirror, the config alone for a proxy cache.
async fn copy_blobs(
    app: &App,
    upstream: &Upstream,
    remote: &str,
    repo: &Repository,
    parsed: &manifests::ParsedManifest,
    arrival: Arrival,
) -> Result<()> {
    let layers = match arrival {
        Arrival::Pushed => parsed.layers.as_slice(),
        Arrival::Cached { .. } => &[],
    };
    for (digest, _) in parsed.config.iter().chain(layers) {
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

/// The images of manifest list `bytes` built for one of `architectures`.
fn matching_children(bytes: &[u8], architectures: &[String]) -> Result<Vec<Digest>> {
    let list: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
    let entries = list["manifests"].as_array().cloned().unwrap_or_default();
    let architecture_of = |entry: &serde_json::Value| {
        entry["platform"]["architecture"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let matching: Vec<Digest> = entries
        .iter()
        .filter(|entry| architectures.contains(&architecture_of(entry)))
        .filter_map(|entry| Digest::parse(entry["digest"].as_str()?).ok())
        .collect();
    if matching.is_empty() {
        let mut available: Vec<String> = entries.iter().map(architecture_of).collect();
        available.sort();
        available.dedup();
        return Err(Error::NoMatchingArchitectures {
            requested: architectures.to_vec(),
            available,
        });
    }
    Ok(matching)
}

/// Configs larger than this are not read for their architecture.
const MAX_CONFIG_BYTES: usize = 1 << 20;

/// Whether the image's config names one of `architectures`.
async fn image_matches(
    source: &Source<'_>,
    parsed: &manifests::ParsedManifest,
    architectures: &[String],
) -> Result<bool> {
    let Some((config, _)) = &parsed.config else {
        return Ok(false);
    };
    let Some(bytes) = source
        .upstream
        .small_blob(source.remote, &config.to_string(), MAX_CONFIG_BYTES)
        .await
        .map_err(Error::Upstream)?
    else {
        return Err(Error::Upstream(UpstreamError::Status(404)));
    };
    let config: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let architecture = config["architecture"].as_str().unwrap_or_default();
    Ok(architectures.iter().any(|a| a == architecture))
}
