//! The storage seam (core-api.md §6.3): blob bytes live behind `BlobStore`, chosen by
//! configuration. Blobs are content-addressed by their digest (`<algorithm>/<2 hex>/<hex>`,
//! `sha256/ab/ab12…`); uploads in progress are stored apart (`uploads/<uuid>…`) until they
//! are committed.

mod local;
mod s3;

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::Stream;

use crate::config::StorageConfig;

pub use local::LocalStore;
pub use s3::S3Store;

/// Request bytes on their way into storage.
pub type ByteStream<'a> = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send + 'a>>;

/// Stored bytes on their way out, in chunks that go to the client as they are.
pub type StoredBytes = ByteStream<'static>;

/// An upload whose bytes are in storage, and when they last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUpload {
    pub upload_id: String,
    pub modified_ms: i64,
}

/// A stored blob, and when its bytes were put in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub digest: String,
    pub stored_ms: i64,
}

/// A write the store holds unfinished: an S3 multipart upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfinishedWrite {
    /// The object it writes, as the store names it.
    pub key: String,
    /// The store's id of the write.
    pub write_id: String,
    pub started_ms: i64,
    /// The upload session it writes a chunk of, if any.
    pub upload_id: Option<String>,
}

/// The digest algorithms blobs are stored under, each a folder of the storage root.
const BLOB_ALGORITHMS: [&str; 2] = ["sha256", "sha512"];

#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    /// A short description for logs ("local /var/lib/berth/blobs").
    fn describe(&self) -> String;

    /// Prepares upload `upload_id` (a durable empty file where the store needs one).
    async fn create_upload(&self, upload_id: &str) -> io::Result<()>;

    /// Writes `body` into upload `upload_id` from byte `offset` on, first cutting off anything
    /// stored past `offset` (bytes written before a crash that were never acknowledged), and
    /// returns how many bytes were written once they are durable.
    async fn write_upload(
        &self,
        upload_id: &str,
        offset: u64,
        body: ByteStream<'_>,
    ) -> io::Result<u64>;

    /// The first `length` bytes of upload `upload_id`.
    async fn read_upload(&self, upload_id: &str, length: u64) -> io::Result<StoredBytes>;

    /// Removes upload `upload_id`; a missing upload is not an error.
    async fn delete_upload(&self, upload_id: &str) -> io::Result<()>;

    /// Every upload with bytes in storage, for sweeping the ones nobody finished.
    async fn list_uploads(&self) -> io::Result<Vec<StoredUpload>>;

    /// Makes the first `length` bytes of verified upload `upload_id` durable at the place of
    /// blob `digest` (`<algorithm>:<hex>`), unless that blob is already stored. The upload
    /// itself stays until `delete_upload`, so a commit can be repeated.
    async fn commit_upload(&self, upload_id: &str, length: u64, digest: &str) -> io::Result<()>;

    /// The size of blob `digest`, or None when it is not stored.
    async fn blob_size(&self, digest: &str) -> io::Result<Option<u64>>;

    /// `length` bytes of blob `digest` from byte `offset` on.
    async fn read_blob(&self, digest: &str, offset: u64, length: u64) -> io::Result<StoredBytes>;

    /// Removes blob `digest`; a missing blob is not an error.
    async fn delete_blob(&self, digest: &str) -> io::Result<()>;

    /// A URL from which a client may fetch blob `digest` without credentials for `valid_for`,
    /// if the store offers one (S3 signs one); None: the registry streams the blob itself.
    async fn direct_download_url(
        &self,
        digest: &str,
        valid_for: Duration,
    ) -> io::Result<Option<String>> {
        let _ = (digest, valid_for);
        Ok(None)
    }

    /// Every stored blob, for finding bytes no database row owns. Anything under the blob
    /// folders that is not a well-formed blob key is left out.
    fn list_blobs(&self) -> BoxStream<'_, io::Result<StoredBlob>>;

    /// The writes the store itself holds unfinished, those in flight and those a crash or a
    /// lost connection left (S3 keeps a multipart upload's parts, which listings do not show,
    /// until it is aborted). Stores whose writes cannot be left half-done have none.
    async fn list_unfinished_writes(&self) -> io::Result<Vec<UnfinishedWrite>> {
        Ok(Vec::new())
    }

    /// Aborts an unfinished write; one completed or aborted meanwhile is not an error.
    async fn abort_unfinished_write(&self, write: &UnfinishedWrite) -> io::Result<()> {
        let _ = write;
        Ok(())
    }
}

pub async fn open(config: &StorageConfig) -> anyhow::Result<Arc<dyn BlobStore>> {
    match config {
        StorageConfig::Local { path } => Ok(Arc::new(LocalStore::open(path).await?)),
        StorageConfig::S3(s3) => Ok(Arc::new(S3Store::open(s3)?)),
    }
}

/// The place of blob `digest` below the storage root: `<algorithm>/<2 hex>/<hex>`. Only
/// well-formed SHA-256 and SHA-512 digests become paths.
fn blob_key(digest: &str) -> io::Result<String> {
    let malformed = || io::Error::new(io::ErrorKind::InvalidInput, "malformed digest");
    let (algorithm, hex) = digest.split_once(':').ok_or_else(malformed)?;
    let length = match algorithm {
        "sha256" => 64,
        "sha512" => 128,
        _ => return Err(malformed()),
    };
    let valid = hex.len() == length && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !valid {
        return Err(malformed());
    }
    Ok(format!("{algorithm}/{}/{hex}", &hex[..2]))
}

/// The digest of blob key `<algorithm>/<2 hex>/<hex>`, if it is one `blob_key` makes.
fn digest_of_key(algorithm: &str, shard: &str, hex: &str) -> Option<String> {
    let digest = format!("{algorithm}:{hex}");
    let key = blob_key(&digest).ok()?;
    (key == format!("{algorithm}/{shard}/{hex}")).then_some(digest)
}

/// Upload ids are generated uuids; anything else must not become a path.
fn check_upload_id(upload_id: &str) -> io::Result<()> {
    let valid = !upload_id.is_empty()
        && upload_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "malformed upload id",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_keys() {
        let hex = "ab".repeat(32);
        assert_eq!(
            blob_key(&format!("sha256:{hex}")).unwrap(),
            format!("sha256/ab/{hex}")
        );
        let long = "cd".repeat(64);
        assert_eq!(
            blob_key(&format!("sha512:{long}")).unwrap(),
            format!("sha512/cd/{long}")
        );
        for bad in [
            "sha256:ab",
            "md5:abcd",
            "sha256",
            &format!("sha256:{}", "AB".repeat(32)),
            &format!("sha512:{hex}"),
            &format!("sha256:../{}", "a".repeat(61)),
        ] {
            assert!(blob_key(bad).is_err(), "{bad}");
        }
        assert_eq!(
            digest_of_key("sha256", "ab", &hex),
            Some(format!("sha256:{hex}"))
        );
        for (algorithm, shard, name) in [
            ("sha256", "cd", hex.as_str()),
            ("sha256", "ab", "ab12"),
            ("md5", "ab", hex.as_str()),
            ("sha256", "ab", &format!("{hex}.tmp")),
        ] {
            assert_eq!(digest_of_key(algorithm, shard, name), None, "{name}");
        }
        assert!(check_upload_id("0f2c-11").is_ok());
        assert!(check_upload_id("../x").is_err());
        assert!(check_upload_id("").is_err());
    }
}
