//! Pulls through a proxy-cache organization: before a manifest of `<org>/<path>` is served,
//! the upstream is asked what `<upstream namespace>/<path>` holds now, and what the cache
//! lacks is copied in. A tag the upstream confirms unchanged is served from the cache and lives
//! `expiration_s` longer; a changed or new one is fetched: its blobs are streamed from the
//! upstream into storage (each verified, as an upload is), then the manifest is stored and the
//! tag pointed at it, so the cache only ever shows complete images and the client reads every
//! blob from Berth. When the upstream cannot be reached, or has lost the tag, what is cached
//! and alive is served; an upstream that refuses the organization's credentials serves
//! nothing (Quay's rules). Pulls by digest use the cache first: content never changes.

use super::{copy_image, Error, Result};
use crate::accounts::{self, Account};
use crate::app::App;
use crate::db;
use crate::gc;
use crate::manifests::{Arrival, Reference};
use crate::namespaces::proxy_cache::{self, ProxyCache};
use crate::repositories::access::cached_repository;
use crate::repositories::{RegistryCaller, RepoName};
use crate::upstream::UpstreamError;

/// The proxy cache `name` belongs to, if its namespace is one.
async fn proxy_cache_of(app: &App, name: &RepoName) -> Result<Option<(Account, ProxyCache)>> {
    if !app.config.features.proxy_cache {
        return Ok(None);
    }
    let Some(org) = accounts::find_account(app, &name.namespace)
        .await?
        .filter(|a| a.organization)
    else {
        return Ok(None);
    };
    Ok(proxy_cache::find(app, org.id)
        .await?
        .map(|cache| (org, cache)))
}

/// Brings `reference` of `name` up to date from the upstream when `name` is in a proxy-cache
/// organization (and does nothing otherwise), so that the normal read serves it.
pub async fn refresh(
    app: &App,
    caller: &RegistryCaller,
    name: &RepoName,
    reference: &Reference,
) -> Result<()> {
    let Some((org, cache)) = proxy_cache_of(app, name).await? else {
        return Ok(());
    };
    let upstream = cache.upstream(app)?;
    let remote = upstream.repository(&name.name);
    let now = db::now_ms();
    let lifetime_end_ms = cache.expiration_s.map(|s| now + s * 1000);
    let existing = crate::repositories::find_repository(app, name).await?;
    let mut conn = app.db.reader().await?;
    let tag = match reference {
        Reference::Digest(digest) => {
            if let Some(repo) = &existing {
                let cached = db::registry::find_reachable_manifest(
                    &mut conn,
                    repo.id,
                    &digest.to_string(),
                    now,
                )
                .await?;
                if cached.is_some() {
                    // Content never changes: no need to ask the upstream, but the pull keeps
                    // the tags on it alive, as a pull by tag does.
                    if let Some(end) = lifetime_end_ms {
                        drop(conn);
                        let mut tx = app.db.begin().await?;
                        let digest = digest.to_string();
                        db::registry::extend_manifest_tags(&mut tx, repo.id, &digest, now, end)
                            .await?;
                        db::commit(tx).await?;
                    }
                    return Ok(());
                }
            }
            None
        }
        Reference::Tag(tag) => Some(tag),
    };
    let cached_digest = match (&existing, tag) {
        (Some(repo), Some(tag)) => db::registry::find_tagged_manifest(&mut conn, repo.id, tag, now)
            .await?
            .map(|m| m.digest),
        _ => None,
    };
    drop(conn);
    let wanted = reference.to_string();
    let current = match upstream.manifest_digest(&remote, &wanted).await {
        Ok(Some(digest)) => digest,
        Ok(None) | Err(UpstreamError::Unreachable(_) | UpstreamError::Status(_)) => {
            return fall_back(cached_digest.is_some(), &wanted);
        }
        Err(
            err @ (UpstreamError::Refused(_)
            | UpstreamError::Invalid(_)
            | UpstreamError::NotAllowed),
        ) => {
            return Err(Error::ManifestUnknown(err.to_string()));
        }
    };
    let repo = match existing {
        Some(repo) => repo,
        None => cached_repository(app, &org, &name.name).await?,
    };
    if let (Some(tag), true) = (tag, cached_digest.as_deref() == Some(current.as_str())) {
        let mut tx = app.db.begin().await?;
        db::registry::set_alive_tag_end(&mut tx, repo.id, tag, now, lifetime_end_ms).await?;
        db::commit(tx).await?;
        return Ok(());
    }
    let arrival = Arrival::Cached { lifetime_end_ms };
    loop {
        match copy_image(app, caller, &upstream, &remote, &repo, reference, arrival).await {
            Err(Error::Upstream(err)) => {
                tracing::warn!(repo.name = %name, reference = %wanted, error = %err, "proxy cache could not copy from its upstream");
                return fall_back(cached_digest.is_some(), &wanted);
            }
            Err(err) if err.is_quota_exceeded() => {
                if !evict_one(app, org.id).await? {
                    return Err(err);
                }
            }
            other => return other,
        }
    }
}

/// Makes room in a full proxy cache as Quay does: the cached tag that would expire soonest
/// (never a tag without an end, a hidden or an immutable one) goes, past the time machine,
/// and a collection frees what nothing else uses. False when no tag is left to evict.
async fn evict_one(app: &App, namespace_id: i64) -> Result<bool> {
    let now = db::now_ms();
    let mut tx = app.db.begin().await?;
    let Some((repository_id, tag)) =
        db::registry::soonest_expiring_tag(&mut tx, namespace_id, now).await?
    else {
        return Ok(false);
    };
    db::registry::end_tag_past_time_machine(&mut tx, repository_id, &tag, now).await?;
    db::commit(tx).await?;
    tracing::info!(
        tag,
        repository_id,
        "proxy cache full: evicted the tag expiring soonest"
    );
    gc::run_once(app).await?;
    Ok(true)
}

/// Serving what is cached when the upstream cannot answer: fine when something alive is.
fn fall_back(cached: bool, reference: &str) -> Result<()> {
    if cached {
        Ok(())
    } else {
        Err(Error::ManifestUnknown(format!(
            "{reference} is neither cached nor available upstream"
        )))
    }
}
