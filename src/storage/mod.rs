//! The storage seam (core-api.md §6.3): blob bytes live behind `BlobStore`, chosen by
//! configuration. Blobs are content-addressed by their SHA-256 (`sha256/<2 hex>/<hex>`);
//! uploads in progress are files of their own (`uploads/<uuid>`) until they are committed.

mod local;

use std::io;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use futures::Stream;
use tokio::io::AsyncRead;

use crate::config::StorageConfig;

pub use local::LocalStore;

/// Request bytes on their way into storage.
pub type ByteStream<'a> = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send + 'a>>;

/// Stored bytes on their way out.
pub type ByteReader = Pin<Box<dyn AsyncRead + Send>>;

#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    /// A short description for logs ("local /var/lib/berth/blobs").
    fn describe(&self) -> String;

    /// Creates the empty, durable file of upload `upload_id`.
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
    async fn read_upload(&self, upload_id: &str, length: u64) -> io::Result<ByteReader>;

    /// Removes upload `upload_id`; a missing upload is not an error.
    async fn delete_upload(&self, upload_id: &str) -> io::Result<()>;

    /// Moves verified upload `upload_id` durably to the place of blob `sha256_hex`. When that
    /// blob is already stored the upload is discarded instead.
    async fn commit_upload(&self, upload_id: &str, sha256_hex: &str) -> io::Result<()>;

    /// The size of blob `sha256_hex`, or None when it is not stored.
    async fn blob_size(&self, sha256_hex: &str) -> io::Result<Option<u64>>;

    /// `length` bytes of blob `sha256_hex` from byte `offset` on.
    async fn read_blob(&self, sha256_hex: &str, offset: u64, length: u64)
        -> io::Result<ByteReader>;
}

pub async fn open(config: &StorageConfig) -> anyhow::Result<Arc<dyn BlobStore>> {
    match config {
        StorageConfig::Local { path } => Ok(Arc::new(LocalStore::open(path).await?)),
        StorageConfig::S3 { .. } => anyhow::bail!("S3Storage is not available yet"),
    }
}
