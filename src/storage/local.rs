//! Blobs in a local folder.

use std::path::{Path, PathBuf};

use super::BlobStore;

pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub async fn open(root: &Path) -> anyhow::Result<LocalStore> {
        tokio::fs::create_dir_all(root).await?;
        Ok(LocalStore {
            root: root.to_owned(),
        })
    }
}

#[async_trait::async_trait]
impl BlobStore for LocalStore {
    fn describe(&self) -> String {
        format!("local {}", self.root.display())
    }
}
