//! Blobs (core-api.md §2.9): content-addressed layers and configs, linked to the repositories
//! that uploaded, mounted or reference them; chunked uploads live in `uploads`.

mod digest;
mod uploads;

use std::io;

use crate::app::App;
use crate::db;
use crate::repositories::{self, RegistryCaller, RepoName, Repository};
use crate::storage::StoredBytes;
pub use digest::{Algorithm, Digest, DigestError, Hasher};
pub use uploads::{
    cancel_upload, complete_upload, start_upload, store_stream, upload_chunk, upload_monolithic,
    upload_status, ChunkRange, StoredBlob, UploadProgress,
};

/// Outcomes of blob operations callers branch on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("blob unknown to registry")]
    BlobUnknown,
    #[error("blob upload unknown to registry")]
    UploadUnknown,
    #[error("Missing digest arg on monolithic upload")]
    MissingDigest,
    #[error(transparent)]
    Digest(#[from] DigestError),
    #[error("provided digest did not match uploaded content")]
    DigestMismatch { expected: Digest, actual: Digest },
    #[error("Uploaded blob of {uploaded} bytes is larger than {max_allowed} bytes allowed by this registry")]
    TooLarge { uploaded: u64, max_allowed: u64 },
    /// A chunk that does not continue the upload; `received` bytes are stored.
    #[error("requested range not satisfiable")]
    RangeNotSatisfiable { received: u64 },
    /// The client's body broke off.
    #[error("blob upload invalid: {0}")]
    Body(io::Error),
    #[error("storage: {0}")]
    Storage(io::Error),
    /// The database records the blob but storage lacks its bytes, or holds fewer of them:
    /// removed or cut short behind Berth's back.
    #[error("blob {0} is missing or damaged in storage; `berth storage check` lists such blobs")]
    Damaged(Digest),
    #[error("Quota has been exceeded on namespace")]
    QuotaExceeded,
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// A blob linked to a repository.
#[derive(Debug, Clone)]
pub struct BlobInfo {
    pub digest: Digest,
    pub size: u64,
}

/// The blob `digest` if it is linked to `repo` (uploaded, mounted, or used by a manifest).
pub async fn find_blob(app: &App, repo: &Repository, digest: &Digest) -> Result<BlobInfo> {
    let mut conn = app.db.reader().await?;
    let row =
        db::registry::find_repository_blob(&mut conn, repo.id, &digest.to_string(), db::now_ms())
            .await?
            .ok_or(Error::BlobUnknown)?;
    Ok(BlobInfo {
        digest: digest.clone(),
        size: u64::try_from(row.size).unwrap_or(0),
    })
}

/// Where a client may download a blob from storage directly, unless downloads pass through
/// the registry (`FEATURE_PROXY_STORAGE`) or the storage offers no such URL. Valid for 600 s,
/// as Quay's storage signs them.
pub async fn direct_download_url(app: &App, blob: &BlobInfo) -> Result<Option<String>> {
    if app.config.features.proxy_storage {
        return Ok(None);
    }
    app.storage
        .direct_download_url(&blob.digest.to_string(), DIRECT_DOWNLOAD_VALIDITY)
        .await
        .map_err(Error::Storage)
}

const DIRECT_DOWNLOAD_VALIDITY: std::time::Duration = std::time::Duration::from_secs(600);

/// `length` bytes of a blob from `offset` on, streamed from storage.
pub async fn read_blob(
    app: &App,
    blob: &BlobInfo,
    offset: u64,
    length: u64,
) -> Result<StoredBytes> {
    app.storage
        .read_blob(&blob.digest.to_string(), offset, length)
        .await
        .map_err(|err| match err.kind() {
            io::ErrorKind::NotFound | io::ErrorKind::UnexpectedEof => {
                tracing::error!(digest = %blob.digest, error = %err, "a recorded blob is missing or damaged in storage");
                Error::Damaged(blob.digest.clone())
            }
            _ => Error::Storage(err),
        })
}

/// A recorded blob whose bytes storage does not hold as recorded.
#[derive(Debug, Clone)]
pub struct DamagedBlob {
    pub digest: String,
    pub recorded_size: u64,
    /// None when storage has no such blob.
    pub stored_size: Option<u64>,
    /// With `verify`: whether the stored bytes hash to the digest (None when not read).
    pub hash_matches: Option<bool>,
}

/// Hands `damaged` every recorded blob whose bytes storage lacks, holds at another size, or
/// (with `verify`, which reads them all) holds with another hash; answers how many blobs
/// were checked and how many were damaged.
pub async fn check_storage(
    app: &App,
    verify: bool,
    mut damaged: impl FnMut(&DamagedBlob),
) -> Result<(u64, u64)> {
    const PAGE: i64 = 500;
    let (mut after, mut checked, mut damaged_count) = (0, 0, 0);
    loop {
        let mut conn = app.db.reader().await?;
        let page = db::registry::list_blobs_page(&mut conn, after, PAGE).await?;
        drop(conn);
        let Some(last) = page.last() else {
            return Ok((checked, damaged_count));
        };
        after = last.id;
        for row in page {
            checked += 1;
            let recorded_size = u64::try_from(row.size).unwrap_or(0);
            let stored_size = app
                .storage
                .blob_size(&row.digest)
                .await
                .map_err(Error::Storage)?;
            let hash_matches = match (verify, stored_size) {
                (true, Some(size)) if size == recorded_size => {
                    Some(stored_hash_matches(app, &row.digest, size).await?)
                }
                _ => None,
            };
            if stored_size != Some(recorded_size) || hash_matches == Some(false) {
                damaged_count += 1;
                damaged(&DamagedBlob {
                    digest: row.digest,
                    recorded_size,
                    stored_size,
                    hash_matches,
                });
            }
        }
    }
}

/// Whether the `size` stored bytes of blob `digest` hash to it.
async fn stored_hash_matches(app: &App, digest: &str, size: u64) -> Result<bool> {
    let Ok(expected) = Digest::parse(digest) else {
        return Ok(false);
    };
    let mut hasher = Hasher::new(expected.algorithm());
    let mut chunks = app
        .storage
        .read_blob(digest, 0, size)
        .await
        .map_err(Error::Storage)?;
    match uploads::hash_chunks(&mut hasher, &mut chunks).await {
        Ok(()) => Ok(hasher.finish() == expected),
        Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(err) => Err(Error::Storage(err)),
    }
}

/// Cross-repository mount: links blob `digest` of repository `from` into `target` when the
/// caller may read `from` and the blob is linked there. False means "upload it instead".
pub async fn mount_blob(
    app: &App,
    caller: &RegistryCaller,
    target: &Repository,
    from: &RepoName,
    digest: &Digest,
) -> Result<bool> {
    let Some(source) = repositories::find_repository(app, from).await? else {
        return Ok(false);
    };
    if !caller.can_read(app, &source).await? {
        return Ok(false);
    }
    let mut tx = app.db.begin().await?;
    // Checked again under the digest's lock: the collector cannot take the blob in between.
    let text = digest.to_string();
    db::registry::lock_digest(&mut tx, app.db.backend(), &text).await?;
    let found = db::registry::find_repository_blob(&mut tx, source.id, &text, db::now_ms()).await?;
    let Some(row) = found else {
        return Ok(false);
    };
    let blob = BlobInfo {
        digest: digest.clone(),
        size: u64::try_from(row.size).unwrap_or(0),
    };
    link_blob(app, &mut tx, target, &blob).await?;
    db::commit(tx).await?;
    Ok(true)
}

/// `DELETE /v2/<name>/blobs/<digest>`: `repo` no longer serves the blob, even where one of
/// its manifests names it (decision 13), until it is uploaded or mounted again. The bytes stay
/// while any repository still uses them; the garbage collector removes the rest.
pub async fn delete_blob(app: &App, repo: &Repository, digest: &Digest) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let row =
        db::registry::find_repository_blob(&mut tx, repo.id, &digest.to_string(), db::now_ms())
            .await?
            .ok_or(Error::BlobUnknown)?;
    db::registry::delete_uploaded_blob(&mut tx, repo.id, row.id).await?;
    db::registry::insert_withdrawn_blob(&mut tx, repo.id, row.id).await?;
    db::commit(tx).await?;
    tracing::info!(repo.name = %repo.full_name(), digest = %digest, "blob unlinked");
    Ok(())
}

/// Records a stored blob and links it to `repo` for `PUSH_TEMP_TAG_EXPIRATION_SEC`, long
/// enough for the manifest that uses it to arrive. Takes the digest's lock, so the garbage
/// collector either sees the new row or has finished removing the old bytes.
async fn link_blob(
    app: &App,
    conn: &mut db::DbConn,
    repo: &Repository,
    blob: &BlobInfo,
) -> Result<()> {
    let now = db::now_ms();
    let size = i64::try_from(blob.size).unwrap_or(i64::MAX);
    let digest = blob.digest.to_string();
    db::registry::lock_digest(conn, app.db.backend(), &digest).await?;
    let row = db::registry::upsert_blob(conn, &digest, size, now).await?;
    let expires = now + app.config.push_temp_tag_expiration_s * 1000;
    db::registry::upsert_uploaded_blob(conn, repo.id, row.id, expires).await?;
    Ok(())
}
