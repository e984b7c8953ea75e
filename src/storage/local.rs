//! `LocalStorage`: blobs in a local folder (core-api.md §6.3 layout). Every write is fsynced,
//! and a blob reaches its content-addressed path only by an atomic rename of a complete,
//! fsynced upload, so a crash never leaves a partial blob where readers look.

use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};

use futures::StreamExt;
use tokio::fs::{self, File, OpenOptions};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufWriter};

use super::{BlobStore, ByteReader, ByteStream};

/// Upload bytes are gathered into writes of this size: fewer system calls, bounded memory.
const WRITE_BUFFER_BYTES: usize = 1 << 20;

pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub async fn open(root: &Path) -> anyhow::Result<LocalStore> {
        fs::create_dir_all(root.join("uploads")).await?;
        fs::create_dir_all(root.join("sha256")).await?;
        Ok(LocalStore {
            root: root.to_owned(),
        })
    }

    fn upload_path(&self, upload_id: &str) -> io::Result<PathBuf> {
        // Ids are generated uuids; anything else must not become a path.
        if upload_id.is_empty()
            || !upload_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "malformed upload id",
            ));
        }
        Ok(self.root.join("uploads").join(upload_id))
    }

    fn blob_path(&self, sha256_hex: &str) -> io::Result<PathBuf> {
        let valid = sha256_hex.len() == 64
            && sha256_hex
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !valid {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "malformed sha256 digest",
            ));
        }
        Ok(self
            .root
            .join("sha256")
            .join(&sha256_hex[..2])
            .join(sha256_hex))
    }
}

/// Makes a directory entry (a created or renamed file) durable.
async fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir).await?.sync_all().await
}

/// `length` bytes of `path` from `offset` on.
async fn read_range(path: &Path, offset: u64, length: u64) -> io::Result<ByteReader> {
    let mut file = File::open(path).await?;
    if offset > 0 {
        file.seek(SeekFrom::Start(offset)).await?;
    }
    Ok(Box::pin(file.take(length)))
}

#[async_trait::async_trait]
impl BlobStore for LocalStore {
    fn describe(&self) -> String {
        format!("local {}", self.root.display())
    }

    async fn create_upload(&self, upload_id: &str) -> io::Result<()> {
        let path = self.upload_path(upload_id)?;
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        file.sync_all().await?;
        sync_dir(&self.root.join("uploads")).await
    }

    async fn write_upload(
        &self,
        upload_id: &str,
        offset: u64,
        mut body: ByteStream<'_>,
    ) -> io::Result<u64> {
        let path = self.upload_path(upload_id)?;
        let mut file = OpenOptions::new().write(true).open(&path).await?;
        if file.metadata().await?.len() < offset {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "upload file shorter than recorded",
            ));
        }
        file.set_len(offset).await?;
        file.seek(SeekFrom::Start(offset)).await?;
        let mut writer = BufWriter::with_capacity(WRITE_BUFFER_BYTES, file);
        let mut written = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            writer.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        writer.flush().await?;
        writer.into_inner().sync_all().await?;
        Ok(written)
    }

    async fn read_upload(&self, upload_id: &str, length: u64) -> io::Result<ByteReader> {
        read_range(&self.upload_path(upload_id)?, 0, length).await
    }

    async fn delete_upload(&self, upload_id: &str) -> io::Result<()> {
        match fs::remove_file(self.upload_path(upload_id)?).await {
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    async fn commit_upload(&self, upload_id: &str, sha256_hex: &str) -> io::Result<()> {
        let upload = self.upload_path(upload_id)?;
        let target = self.blob_path(sha256_hex)?;
        if fs::try_exists(&target).await? {
            // Only verified, complete files are ever renamed there: the stored copy is good.
            return self.delete_upload(upload_id).await;
        }
        let dir = target.parent().unwrap_or(&self.root).to_owned();
        fs::create_dir_all(&dir).await?;
        fs::rename(&upload, &target).await?;
        sync_dir(&dir).await?;
        sync_dir(&self.root.join("sha256")).await
    }

    async fn blob_size(&self, sha256_hex: &str) -> io::Result<Option<u64>> {
        match fs::metadata(self.blob_path(sha256_hex)?).await {
            Ok(meta) => Ok(Some(meta.len())),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    async fn read_blob(
        &self,
        sha256_hex: &str,
        offset: u64,
        length: u64,
    ) -> io::Result<ByteReader> {
        read_range(&self.blob_path(sha256_hex)?, offset, length).await
    }
}
