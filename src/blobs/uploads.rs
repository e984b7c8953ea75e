//! Blob upload sessions (core-api.md §2.9): start, append chunks, status, cancel, commit.
//!
//! Bytes go to the upload's own storage and are durable before the session's byte count
//! moves; the SHA-256 is computed while they stream (other algorithms re-read the upload at
//! commit). A blob becomes visible (its `blobs` row and the repository link) only after its
//! digest was verified and its bytes are durably in place, so a crash at any moment leaves
//! nothing half-written where readers look, and the client can simply push again.

use std::collections::HashMap;
use std::io;
use std::sync::{LazyLock, Mutex};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};

use super::{link_blob, Algorithm, BlobInfo, Digest, Error, Hasher, Result};
use crate::app::App;
use crate::db::{self, registry::UploadRow};
use crate::quotas;
use crate::repositories::Repository;
use crate::storage::{ByteStream, StoredBytes};

/// Where an upload session stands.
#[derive(Debug, Clone)]
pub struct UploadProgress {
    pub uuid: String,
    /// Bytes stored so far.
    pub received: u64,
}

/// Running hashes of open uploads, keyed by upload uuid and valid at the byte offset stored
/// with them. Uploads ids are random uuids, so one map serves every server in the process.
/// A missing entry (restart, another node took the chunk) means: re-hash the file on commit.
static OPEN_HASHES: LazyLock<Mutex<HashMap<String, (u64, Hasher)>>> =
    LazyLock::new(Default::default);
/// Abandoned sessions must not grow the map without bound; losing entries only costs a re-hash.
const MAX_OPEN_HASHES: usize = 4096;

fn take_hash(uuid: &str, offset: u64) -> Option<Hasher> {
    let mut hashes = OPEN_HASHES.lock().ok()?;
    match hashes.remove(uuid) {
        Some((at, hasher)) if at == offset => Some(hasher),
        _ => None,
    }
}

fn keep_hash(uuid: &str, offset: u64, hasher: Hasher) {
    if let Ok(mut hashes) = OPEN_HASHES.lock() {
        if hashes.len() >= MAX_OPEN_HASHES {
            hashes.clear();
        }
        hashes.insert(uuid.to_owned(), (offset, hasher));
    }
}

/// Opens a session: an empty durable file, then the row that makes it known. A namespace
/// over its quota takes no new uploads.
pub async fn start_upload(app: &App, repo: &Repository) -> Result<UploadProgress> {
    check_quota(app, repo, None).await?;
    let uuid = uuid::Uuid::new_v4().to_string();
    app.storage
        .create_upload(&uuid)
        .await
        .map_err(Error::Storage)?;
    let mut tx = app.db.begin().await?;
    db::registry::insert_upload(&mut tx, &uuid, repo.id, db::now_ms()).await?;
    db::commit(tx).await?;
    keep_hash(&uuid, 0, Hasher::new(Algorithm::Sha256));
    Ok(UploadProgress { uuid, received: 0 })
}

async fn find_upload(app: &App, repo: &Repository, uuid: &str) -> Result<UploadRow> {
    let mut conn = app.db.reader().await?;
    db::registry::find_upload(&mut conn, repo.id, uuid)
        .await?
        .ok_or(Error::UploadUnknown)
}

pub async fn upload_status(app: &App, repo: &Repository, uuid: &str) -> Result<UploadProgress> {
    let upload = find_upload(app, repo, uuid).await?;
    let received = stored_bytes(&upload);
    Ok(UploadProgress {
        uuid: upload.uuid,
        received,
    })
}

fn stored_bytes(upload: &UploadRow) -> u64 {
    u64::try_from(upload.byte_count).unwrap_or(0)
}

/// The bytes a chunk says it carries (`Content-Range: <start>-<end>`, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkRange {
    pub start: u64,
    pub end: u64,
}

/// Appends one chunk (`PATCH`) with its optional `Content-Range`: a chunk that does not start
/// exactly at the stored bytes, past them or overlapping them, or whose body is not as long as
/// its range says, is refused with 416 (the OCI spec; decision 13) and leaves the upload as it
/// was; the answer's `Range` tells where to go on.
pub async fn upload_chunk(
    app: &App,
    repo: &Repository,
    uuid: &str,
    range: Option<ChunkRange>,
    body: ByteStream<'_>,
) -> Result<UploadProgress> {
    let upload = find_upload(app, repo, uuid).await?;
    let (received, hasher) = write_chunk(app, &upload, range, body).await?;
    check_quota(app, repo, Some(uuid)).await?;
    if let Some(hasher) = hasher {
        keep_hash(uuid, received, hasher);
    }
    Ok(UploadProgress {
        uuid: upload.uuid,
        received,
    })
}

/// Quay's upload checkpoint (superuser-api.md §10.6): refused when the namespace's size with
/// the repository's uploads in progress crosses a Reject limit; the upload `uuid`, if given,
/// is then cancelled and its bytes dropped.
async fn check_quota(app: &App, repo: &Repository, uuid: Option<&str>) -> Result<()> {
    let uploads_of = uuid.map(|_| repo.id);
    match quotas::check_upload(app, repo.namespace_id, uploads_of).await {
        Ok(()) => Ok(()),
        Err(quotas::Error::Db(err)) => Err(Error::Db(err)),
        Err(_) => {
            if let Some(uuid) = uuid {
                if let Err(err) = cancel_upload(app, repo, uuid).await {
                    tracing::warn!(error = %err, upload = %uuid, "could not cancel an upload over quota");
                }
            }
            Err(Error::QuotaExceeded)
        }
    }
}

/// Cancels a session and deletes its bytes.
pub async fn cancel_upload(app: &App, repo: &Repository, uuid: &str) -> Result<()> {
    let upload = find_upload(app, repo, uuid).await?;
    let mut tx = app.db.begin().await?;
    db::registry::delete_upload(&mut tx, &upload.uuid).await?;
    db::commit(tx).await?;
    take_hash(uuid, stored_bytes(&upload));
    app.storage
        .delete_upload(uuid)
        .await
        .map_err(Error::Storage)
}

/// `PUT ...uploads/<uuid>?digest=`: appends the optional final chunk, verifies the digest and
/// commits the blob into the repository.
pub async fn complete_upload(
    app: &App,
    repo: &Repository,
    uuid: &str,
    range: Option<ChunkRange>,
    final_chunk: Option<ByteStream<'_>>,
    digest: &Digest,
) -> Result<()> {
    let upload = find_upload(app, repo, uuid).await?;
    let (received, hasher) = match final_chunk {
        Some(body) => write_chunk(app, &upload, range, body).await?,
        None => (
            stored_bytes(&upload),
            take_hash(uuid, stored_bytes(&upload)),
        ),
    };
    check_quota(app, repo, Some(uuid)).await?;
    let hasher = match hasher {
        Some(hasher) if hasher.algorithm() == digest.algorithm() => hasher,
        _ => rehash_upload(app, uuid, received, digest.algorithm()).await?,
    };
    let actual = hasher.finish();
    if actual != *digest {
        // Complete bytes under the wrong digest cannot be resumed into anything: drop them.
        if let Err(err) = cancel_upload(app, repo, uuid).await {
            tracing::warn!(error = %err, upload = %uuid, "could not remove a mismatched upload");
        }
        return Err(Error::DigestMismatch {
            expected: digest.clone(),
            actual,
        });
    }
    let text = digest.to_string();
    // Durable in its final place first; only then does a row make it visible.
    app.storage
        .commit_upload(uuid, received, &text)
        .await
        .map_err(Error::Storage)?;
    let mut tx = app.db.begin().await?;
    let blob = BlobInfo {
        digest: digest.clone(),
        size: received,
    };
    link_blob(app, &mut tx, repo, &blob).await?;
    db::registry::delete_upload(&mut tx, uuid).await?;
    db::commit(tx).await?;
    restore_collected_bytes(app, uuid, received, &text).await?;
    if let Err(err) = app.storage.delete_upload(uuid).await {
        // Only leftovers: the collector sweeps upload files that have no session.
        tracing::warn!(error = %err, upload = %uuid, "could not remove a committed upload");
    }
    tracing::info!(repo.name = %repo.full_name(), digest = %digest, size_bytes = received, "blob uploaded");
    Ok(())
}

/// `POST ...uploads/?digest=`: the whole blob in one request.
pub async fn upload_monolithic(
    app: &App,
    repo: &Repository,
    body: ByteStream<'_>,
    digest: &Digest,
) -> Result<()> {
    let upload = start_upload(app, repo).await?;
    let outcome = complete_upload(app, repo, &upload.uuid, None, Some(body), digest).await;
    if matches!(&outcome, Err(err) if !matches!(err, Error::DigestMismatch { .. } | Error::QuotaExceeded))
    {
        // Nobody knows this session's id: nothing could resume it (a digest mismatch or a
        // quota refusal has removed it already).
        if let Err(err) = cancel_upload(app, repo, &upload.uuid).await {
            tracing::warn!(error = %err, upload = %upload.uuid, "could not remove a failed monolithic upload");
        }
    }
    outcome
}

/// Counts, limits and hashes the bytes of a chunk on their way to storage.
struct Meter<'h> {
    hasher: Option<&'h mut Hasher>,
    total: u64,
    limit: u64,
    /// Where the chunk's `Content-Range` says it ends (exclusive), if it has one.
    declared_end: Option<u64>,
    too_large: bool,
    too_long: bool,
    body_failed: bool,
}

impl Meter<'_> {
    fn feed(&mut self, chunk: io::Result<Bytes>) -> io::Result<Bytes> {
        let chunk = chunk.inspect_err(|_| self.body_failed = true)?;
        self.total += chunk.len() as u64;
        if self.declared_end.is_some_and(|end| self.total > end) {
            self.too_long = true;
            return Err(io::Error::other("chunk longer than its Content-Range"));
        }
        if self.total > self.limit {
            self.too_large = true;
            return Err(io::Error::other("upload larger than MAXIMUM_LAYER_SIZE"));
        }
        if let Some(hasher) = self.hasher.as_deref_mut() {
            hasher.update(&chunk);
        }
        Ok(chunk)
    }
}

/// Stores one chunk after the upload's stored bytes, then moves its byte count. Returns the
/// new count and the running hash when it was known.
async fn write_chunk(
    app: &App,
    upload: &UploadRow,
    range: Option<ChunkRange>,
    body: ByteStream<'_>,
) -> Result<(u64, Option<Hasher>)> {
    let received = stored_bytes(upload);
    if range.is_some_and(|range| range.start != received) {
        return Err(Error::RangeNotSatisfiable { received });
    }
    let mut hasher = take_hash(&upload.uuid, received)
        .or_else(|| (received == 0).then(|| Hasher::new(Algorithm::Sha256)));
    let limit = app.config.maximum_layer_size;
    let mut meter = Meter {
        hasher: hasher.as_mut(),
        total: received,
        limit,
        declared_end: range.map(|range| range.end.saturating_add(1)),
        too_large: false,
        too_long: false,
        body_failed: false,
    };
    let metered = body.map(|chunk| meter.feed(chunk));
    let written = app
        .storage
        .write_upload(&upload.uuid, received, Box::pin(metered))
        .await;
    let written = match written {
        Ok(written) => written,
        Err(_) if meter.too_large => {
            return Err(Error::TooLarge {
                uploaded: meter.total,
                max_allowed: limit,
            })
        }
        Err(_) if meter.too_long => return Err(Error::RangeNotSatisfiable { received }),
        Err(err) if meter.body_failed => return Err(Error::Body(err)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Err(Error::UploadUnknown),
        Err(err) => return Err(Error::Storage(err)),
    };
    let now_received = received + written;
    if range.is_some_and(|range| range.end.saturating_add(1) != now_received) {
        // Shorter than its range: the stored count does not move, so the bytes are not kept.
        return Err(Error::RangeNotSatisfiable { received });
    }
    let (old, new) = (
        upload.byte_count,
        i64::try_from(now_received).unwrap_or(i64::MAX),
    );
    let mut tx = app.db.begin().await?;
    if !db::registry::update_upload_byte_count(&mut tx, &upload.uuid, old, new, db::now_ms())
        .await?
    {
        // A concurrent chunk moved the session; this one does not continue it.
        return Err(Error::RangeNotSatisfiable { received });
    }
    db::commit(tx).await?;
    Ok((now_received, hasher))
}

/// Hashes the first `length` stored bytes of an upload with `algorithm` (its running hash is
/// not in memory, or is of another algorithm).
async fn rehash_upload(app: &App, uuid: &str, length: u64, algorithm: Algorithm) -> Result<Hasher> {
    let mut chunks =
        app.storage
            .read_upload(uuid, length)
            .await
            .map_err(|err| match err.kind() {
                io::ErrorKind::NotFound => Error::UploadUnknown,
                _ => Error::Storage(err),
            })?;
    let mut hasher = Hasher::new(algorithm);
    hash_chunks(&mut hasher, &mut chunks)
        .await
        .map_err(Error::Storage)?;
    Ok(hasher)
}

/// Feeds every chunk of `chunks` to `hasher`.
pub(super) async fn hash_chunks(hasher: &mut Hasher, chunks: &mut StoredBytes) -> io::Result<()> {
    while let Some(chunk) = chunks.try_next().await? {
        hasher.update(&chunk);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meter_limits_and_hashes() {
        let mut hasher = Hasher::new(Algorithm::Sha256);
        let mut meter = Meter {
            hasher: Some(&mut hasher),
            total: 10,
            limit: 20,
            declared_end: None,
            too_large: false,
            too_long: false,
            body_failed: false,
        };
        assert_eq!(
            meter.feed(Ok(Bytes::from_static(b"def"))).unwrap(),
            Bytes::from_static(b"def")
        );
        assert_eq!(meter.total, 13);
        assert!(meter.feed(Ok(Bytes::from(vec![0u8; 8]))).is_err());
        assert!(meter.too_large);
        assert!(meter.feed(Err(io::Error::other("reset"))).is_err());
        assert!(meter.body_failed);
        assert_eq!(hasher.finish(), Digest::of_bytes(b"def"));
    }

    #[test]
    fn hash_cache_is_keyed_by_offset() {
        keep_hash("test-upload", 5, Hasher::new(Algorithm::Sha256));
        assert!(take_hash("test-upload", 4).is_none());
        keep_hash("test-upload", 5, Hasher::new(Algorithm::Sha256));
        assert!(take_hash("test-upload", 5).is_some());
        assert!(take_hash("test-upload", 5).is_none());
    }
}

/// A blob stored outside any repository (a file dropped for a build).
#[derive(Debug, Clone)]
pub struct StoredBlob {
    pub id: i64,
    pub digest: Digest,
    pub size: u64,
}

/// Stores `body` as a blob addressed with `algorithm`, hashed while it streams and durable
/// before its row exists, and returns it; the caller's reference (made in `reference`'s
/// transaction) keeps it from the collector. Bodies over `MAXIMUM_LAYER_SIZE` are refused.
pub async fn store_stream<F>(
    app: &App,
    body: ByteStream<'_>,
    algorithm: Algorithm,
    reference: F,
) -> Result<StoredBlob>
where
    F: AsyncFnOnce(&mut db::DbConn, &StoredBlob) -> db::Result<()>,
{
    let uuid = uuid::Uuid::new_v4().to_string();
    app.storage
        .create_upload(&uuid)
        .await
        .map_err(Error::Storage)?;
    let outcome = store_upload(app, &uuid, body, algorithm, reference).await;
    if let Err(err) = app.storage.delete_upload(&uuid).await {
        // Only leftovers: the collector sweeps upload files that have no session.
        tracing::warn!(error = %err, upload = %uuid, "could not remove a stored file's upload");
    }
    outcome
}

async fn store_upload<F>(
    app: &App,
    uuid: &str,
    body: ByteStream<'_>,
    algorithm: Algorithm,
    reference: F,
) -> Result<StoredBlob>
where
    F: AsyncFnOnce(&mut db::DbConn, &StoredBlob) -> db::Result<()>,
{
    let mut hasher = Hasher::new(algorithm);
    let limit = app.config.maximum_layer_size;
    let mut meter = Meter {
        hasher: Some(&mut hasher),
        total: 0,
        limit,
        declared_end: None,
        too_large: false,
        too_long: false,
        body_failed: false,
    };
    let metered = body.map(|chunk| meter.feed(chunk));
    let written = app.storage.write_upload(uuid, 0, Box::pin(metered)).await;
    let size = match written {
        Ok(written) => written,
        Err(_) if meter.too_large => {
            return Err(Error::TooLarge {
                uploaded: meter.total,
                max_allowed: limit,
            })
        }
        Err(err) if meter.body_failed => return Err(Error::Body(err)),
        Err(err) => return Err(Error::Storage(err)),
    };
    let digest = hasher.finish();
    let text = digest.to_string();
    app.storage
        .commit_upload(uuid, size, &text)
        .await
        .map_err(Error::Storage)?;
    let mut tx = app.db.begin().await?;
    db::registry::lock_digest(&mut tx, app.db.backend(), &text).await?;
    let row = db::registry::upsert_blob(
        &mut tx,
        &text,
        i64::try_from(size).unwrap_or(i64::MAX),
        db::now_ms(),
    )
    .await?;
    let stored = StoredBlob {
        id: row.id,
        digest,
        size,
    };
    reference(&mut tx, &stored).await?;
    db::commit(tx).await?;
    restore_collected_bytes(app, uuid, size, &text).await?;
    Ok(stored)
}

/// After a blob's row is committed: the collector may have removed the bytes of an
/// unreferenced blob of the same digest between the storage commit and the row; then they
/// are put back from upload `uuid`.
async fn restore_collected_bytes(app: &App, uuid: &str, size: u64, digest: &str) -> Result<()> {
    if app
        .storage
        .blob_size(digest)
        .await
        .map_err(Error::Storage)?
        .is_none()
    {
        app.storage
            .commit_upload(uuid, size, digest)
            .await
            .map_err(Error::Storage)?;
    }
    Ok(())
}
