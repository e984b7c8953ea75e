//! The storage seam: blob bytes live behind `BlobStore`, chosen by configuration.

mod local;

use std::sync::Arc;

use crate::config::StorageConfig;

pub use local::LocalStore;

#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    /// A short description for logs ("local /var/lib/berth/blobs").
    fn describe(&self) -> String;
}

pub async fn open(config: &StorageConfig) -> anyhow::Result<Arc<dyn BlobStore>> {
    match config {
        StorageConfig::Local { path } => Ok(Arc::new(LocalStore::open(path).await?)),
        StorageConfig::S3 { .. } => anyhow::bail!("S3Storage is not available yet"),
    }
}
