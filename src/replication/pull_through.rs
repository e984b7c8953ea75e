//! Pulls through a proxy-cache organization: before a manifest of `<org>/<path>` is served,
//! the upstream is asked what `<upstream namespace>/<path>` holds now, and what the cache
//! lacks is copied in. A tag the upstream confirms unchanged is served from the cache and lives
//! `expiration_s` longer; a changed or new one is fetched: its blobs are streamed from the
//! upstream into storage (each verified, as an upload is), then the manifest is stored and the
//! tag pointed at it, so the cache only ever shows complete images and the client reads every
//! blob from Berth. When the upstream cannot be reached, or has lost the tag, what is cached
//! and alive is served; an upstream that refuses the organization's credentials serves
//! nothing (Quay's rules). Pulls by digest use the cache first: content never changes.
//!
//! A cached image's layers are pending until first pulled: the blob GET streams the upstream's
//! bytes to the client while storing them, holds the last chunk back until the whole blob is
//! verified and durable, then links it to the manifests that name it, so a client never
//! receives a whole blob that was not stored, and the next pull reads it from Berth.

use std::io;

use bytes::Bytes;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};

use super::{copy_image, Error, Result, Source};
use crate::accounts::{self, Account};
use crate::app::{App, AppState};
use crate::blobs::{self, Digest};
use crate::db;
use crate::gc;
use crate::manifests::{Arrival, Reference};
use crate::namespaces::proxy_cache::{self, ProxyCache};
use crate::repositories::access::cached_repository;
use crate::repositories::{RegistryCaller, RepoName, Repository};
use crate::storage::StoredBytes;
use crate::upstream::{UpstreamError, UpstreamStream};

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
        let source = Source {
            upstream: &upstream,
            remote: &remote,
        };
        match copy_image(app, caller, &source, &repo, reference, arrival, &[]).await {
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

/// The declared size of layer `digest` when a cached image of `repo` names it and it has not
/// been fetched yet.
pub async fn pending_blob_size(
    app: &App,
    repo: &Repository,
    digest: &Digest,
) -> Result<Option<u64>> {
    let mut conn = app.db.reader().await?;
    let size =
        db::registry::find_pending_blob_size(&mut conn, repo.id, &digest.to_string(), db::now_ms())
            .await?;
    Ok(size.map(|s| u64::try_from(s).unwrap_or(0)))
}

/// A pending layer once asked for.
pub enum PendingBlob {
    /// Its bytes were in storage already (another repository has them): it is now linked and
    /// served as any blob.
    Linked,
    /// Coming from the upstream: its size as its manifest declares it, and its bytes as they
    /// arrive, the last of them sent only once the whole blob is verified and stored.
    Streaming { size: u64, body: StoredBytes },
}

/// Fetches layer `digest` of `repo` when it is pending (None otherwise): linked at once when
/// its bytes are stored already, else streamed from the upstream while it is stored.
pub async fn fetch_pending_blob(
    app: &AppState,
    repo: &Repository,
    digest: &Digest,
) -> Result<Option<PendingBlob>> {
    let Some(size) = pending_blob_size(app, repo, digest).await? else {
        return Ok(None);
    };
    let text = digest.to_string();
    let mut tx = app.db.begin().await?;
    // Under the digest's lock the collector cannot take the stored bytes from under the link.
    db::registry::lock_digest(&mut tx, app.db.backend(), &text).await?;
    if let Some(row) = db::registry::find_stored_blob(&mut tx, &text).await? {
        link_arrived(&mut tx, app.db.backend(), repo, &text, row.id).await?;
        db::commit(tx).await?;
        return Ok(Some(PendingBlob::Linked));
    }
    drop(tx);
    let Some(cache) = proxy_cache::find(app, repo.namespace_id).await? else {
        return Ok(None);
    };
    let upstream = cache.upstream(app)?;
    let remote = upstream.repository(&repo.name);
    let Some((announced, stream)) = upstream
        .blob(&remote, &text)
        .await
        .map_err(Error::Upstream)?
    else {
        return Err(Error::Upstream(UpstreamError::Status(404)));
    };
    if announced.is_some_and(|announced| announced != size) {
        let message = format!("{text} has {announced:?} bytes upstream, not {size}");
        return Err(Error::Upstream(UpstreamError::Invalid(message)));
    }
    let (client, body) = mpsc::channel(CHANNEL_CHUNKS);
    tokio::spawn(store_while_streaming(
        app.clone(),
        repo.clone(),
        digest.clone(),
        stream,
        client,
    ));
    Ok(Some(PendingBlob::Streaming {
        size,
        body: Box::pin(body),
    }))
}

/// Links the stored blob `blob_id` (`digest`) to the manifests of `repo` waiting for it,
/// counting it in the namespace's size under its lock.
async fn link_arrived(
    conn: &mut db::DbConn,
    backend: db::Backend,
    repo: &Repository,
    digest: &str,
    blob_id: i64,
) -> db::Result<()> {
    db::quotas::lock_namespace_size(&mut *conn, backend, repo.namespace_id).await?;
    let owner = (repo.namespace_id, repo.id);
    db::registry::link_pending_blob(conn, owner, digest, blob_id).await
}

/// Chunks in flight between the upstream, storage and the client.
const CHANNEL_CHUNKS: usize = 4;

type Chunks = mpsc::Sender<io::Result<Bytes>>;

/// Stores `upstream`'s bytes as blob `wanted` of `repo` while passing them on to `client`. The
/// copy goes on when the client goes away, so the cache fills all the same; the client's last
/// chunk waits for the verdict, and a blob that fails (broken stream, wrong digest, storage)
/// ends the client's body with an error instead.
async fn store_while_streaming(
    app: AppState,
    repo: Repository,
    wanted: Digest,
    upstream: UpstreamStream,
    mut client: Chunks,
) {
    let (to_storage, stored_body) = mpsc::channel(CHANNEL_CHUNKS);
    let pump = pump(upstream, to_storage, client.clone());
    let backend = app.db.backend();
    let link = async |conn: &mut db::DbConn, stored: &blobs::StoredBlob| {
        // A blob that is not the one asked for is left to the collector.
        if stored.digest != wanted {
            return Ok(());
        }
        link_arrived(conn, backend, &repo, &stored.digest.to_string(), stored.id).await
    };
    let store = blobs::store_stream(&app, Box::pin(stored_body), wanted.algorithm(), link);
    let (last, stored) = tokio::join!(pump, store);
    let verdict = match stored {
        Ok(blob) if blob.digest == wanted => {
            tracing::info!(repo.name = %repo.full_name(), digest = %wanted, size_bytes = blob.size, "proxy cache stored a layer");
            Ok(last)
        }
        Ok(blob) => Err(format!("the upstream sent {} for {wanted}", blob.digest)),
        Err(err) => Err(err.to_string()),
    };
    match verdict {
        Ok(Some(last)) => {
            // A client that went away does not matter now.
            let _ = client.send(Ok(last)).await;
        }
        Ok(None) => {}
        Err(cause) => {
            tracing::warn!(repo.name = %repo.full_name(), digest = %wanted, error = %cause, "proxy cache could not store a layer");
            let _ = client.send(Err(io::Error::other(cause))).await;
        }
    }
}

/// Passes each chunk of `upstream` to storage and, one chunk behind, to the client; returns
/// the chunk held back (None when the stream broke, or was empty).
async fn pump(
    mut upstream: UpstreamStream,
    mut storage: Chunks,
    mut client: Chunks,
) -> Option<Bytes> {
    let mut held: Option<Bytes> = None;
    while let Some(chunk) = upstream.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(err) => {
                let _ = storage.send(Err(err)).await;
                return None;
            }
        };
        if let Some(previous) = held.replace(chunk.clone()) {
            // A client that went away does not stop the copy.
            let _ = client.send(Ok(previous)).await;
        }
        if storage.send(Ok(chunk)).await.is_err() {
            return None;
        }
    }
    held
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(items: Vec<io::Result<&'static str>>) -> UpstreamStream {
        Box::pin(futures::stream::iter(items.into_iter().map(|item| {
            item.map(|text| Bytes::from_static(text.as_bytes()))
        })))
    }

    async fn received(channel: mpsc::Receiver<io::Result<Bytes>>) -> Vec<String> {
        channel
            .map(|chunk| match chunk {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(err) => format!("error: {err}"),
            })
            .collect()
            .await
    }

    #[tokio::test]
    async fn the_client_waits_for_the_last_chunk() {
        let (storage, stored) = mpsc::channel(8);
        let (client, sent) = mpsc::channel(8);
        let upstream = chunks(vec![Ok("a"), Ok("b"), Ok("c")]);
        let last = pump(upstream, storage, client).await;
        assert_eq!(last, Some(Bytes::from_static(b"c")));
        assert_eq!(received(stored).await, ["a", "b", "c"]);
        assert_eq!(received(sent).await, ["a", "b"]);
    }

    #[tokio::test]
    async fn a_broken_upstream_holds_everything_back() {
        let (storage, stored) = mpsc::channel(8);
        let (client, sent) = mpsc::channel(8);
        let upstream = chunks(vec![Ok("a"), Err(io::Error::other("reset"))]);
        assert_eq!(pump(upstream, storage, client).await, None);
        assert_eq!(received(stored).await, ["a", "error: reset"]);
        assert!(received(sent).await.is_empty());
    }
}
