//! `LocalStorage`: blobs in a local folder (core-api.md §6.3 layout). Every write is fsynced,
//! and a blob reaches its content-addressed path only by an atomic hard link to a complete,
//! fsynced upload, so a crash never leaves a partial blob where readers look.

use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::stream::{self, BoxStream};
use futures::{StreamExt, TryStreamExt};
use tokio::fs::{self, File, OpenOptions};
use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};

use super::{
    blob_key, check_upload_id, digest_of_key, BlobStore, ByteStream, StoredBlob, StoredBytes,
    StoredUpload, BLOB_ALGORITHMS,
};

/// Upload bytes are gathered into writes of this size: fewer system calls, bounded memory.
const WRITE_BUFFER_BYTES: usize = 1 << 20;
/// Stored bytes are read in chunks of this size, each straight into the buffer that goes out.
const READ_CHUNK_BYTES: u64 = 2 << 20;
/// Chunks read ahead of the one being sent.
const READ_AHEAD_CHUNKS: usize = 2;
/// Upload ids never contain a dot, so this suffix cannot clash with an id.
const SEALED_SUFFIX: &str = ".sealed";

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
        check_upload_id(upload_id)?;
        Ok(self.root.join("uploads").join(upload_id))
    }

    /// Where a committed upload waits for `delete_upload`: out of reach of `write_upload`.
    fn sealed_path(&self, upload_id: &str) -> io::Result<PathBuf> {
        check_upload_id(upload_id)?;
        Ok(self
            .root
            .join("uploads")
            .join(format!("{upload_id}{SEALED_SUFFIX}")))
    }

    fn blob_path(&self, digest: &str) -> io::Result<PathBuf> {
        Ok(self.root.join(blob_key(digest)?))
    }
}

/// Makes a directory entry (a created or linked file) durable.
async fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir).await?.sync_all().await
}

/// `length` bytes of `path` from `offset` on, in chunks read with positioned reads, the next
/// chunks read while the current one is sent. A file cut short behind Berth's back fails the
/// read with `UnexpectedEof` (before the first byte when it already was, else mid-stream),
/// never the process, as a memory mapping of it would.
async fn read_range(path: &Path, offset: u64, length: u64) -> io::Result<StoredBytes> {
    let file = File::open(path).await?.into_std().await;
    let end = offset + length;
    if file.metadata()?.len() < end {
        return Err(shorter_than_recorded());
    }
    let file = Arc::new(file);
    let chunks =
        stream::iter((offset..end).step_by(READ_CHUNK_BYTES as usize))
            .map(move |start| {
                let file = file.clone();
                let length = (end - start).min(READ_CHUNK_BYTES) as usize;
                async move {
                    tokio::task::spawn_blocking(move || read_chunk(&file, start, length)).await?
                }
            })
            .buffered(READ_AHEAD_CHUNKS);
    Ok(Box::pin(chunks))
}

fn shorter_than_recorded() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "stored file shorter than recorded",
    )
}

/// `length` bytes of `file` from `start` on.
fn read_chunk(file: &std::fs::File, start: u64, length: usize) -> io::Result<Bytes> {
    use std::os::unix::fs::FileExt;
    let mut chunk = vec![0; length];
    file.read_exact_at(&mut chunk, start)
        .map_err(|err| match err.kind() {
            io::ErrorKind::UnexpectedEof => shorter_than_recorded(),
            _ => err,
        })?;
    Ok(Bytes::from(chunk))
}

/// When a file got its current name: its change time, which a hard link (how a blob is put
/// in place) sets, unlike the modification time it keeps from the upload.
fn stored_ms(meta: &std::fs::Metadata) -> i64 {
    use std::os::unix::fs::MetadataExt;
    let changed = meta.ctime() * 1000 + meta.ctime_nsec() / 1_000_000;
    let modified = meta.mtime() * 1000 + meta.mtime_nsec() / 1_000_000;
    changed.max(modified)
}

/// The entries of `dir` with their names and metadata; a missing folder has none, and
/// entries removed while listed are skipped.
async fn entries(dir: &Path) -> io::Result<Vec<(String, std::fs::Metadata)>> {
    let mut listing = match fs::read_dir(dir).await {
        Ok(listing) => listing,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut found = Vec::new();
    while let Some(entry) = listing.next_entry().await? {
        if let Ok(meta) = entry.metadata().await {
            found.push((entry.file_name().to_string_lossy().into_owned(), meta));
        }
    }
    Ok(found)
}

/// The blobs of one shard folder `<algorithm>/<2 hex>`.
async fn shard_blobs(root: &Path, algorithm: &str, shard: String) -> io::Result<Vec<StoredBlob>> {
    let files = entries(&root.join(algorithm).join(&shard)).await?;
    Ok(files
        .into_iter()
        .filter(|(_, meta)| meta.is_file())
        .filter_map(|(name, meta)| {
            Some(StoredBlob {
                digest: digest_of_key(algorithm, &shard, &name)?,
                stored_ms: stored_ms(&meta),
            })
        })
        .collect())
}

fn ignore_missing(outcome: io::Result<()>) -> io::Result<()> {
    match outcome {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
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

    async fn read_upload(&self, upload_id: &str, length: u64) -> io::Result<StoredBytes> {
        read_range(&self.upload_path(upload_id)?, 0, length).await
    }

    async fn delete_upload(&self, upload_id: &str) -> io::Result<()> {
        ignore_missing(fs::remove_file(self.upload_path(upload_id)?).await)?;
        ignore_missing(fs::remove_file(self.sealed_path(upload_id)?).await)
    }

    async fn list_uploads(&self) -> io::Result<Vec<StoredUpload>> {
        let mut entries = fs::read_dir(self.root.join("uploads")).await?;
        let mut uploads = Vec::new();
        while let Some(entry) = entries.next_entry().await? {
            // An upload committed or cancelled meanwhile is simply gone.
            let Ok(modified) = entry.metadata().await.and_then(|m| m.modified()) else {
                continue;
            };
            let modified_ms = chrono::DateTime::<chrono::Utc>::from(modified).timestamp_millis();
            let name = entry.file_name().to_string_lossy().into_owned();
            uploads.push(StoredUpload {
                upload_id: name.trim_end_matches(SEALED_SUFFIX).to_owned(),
                modified_ms,
            });
        }
        Ok(uploads)
    }

    async fn commit_upload(&self, upload_id: &str, length: u64, digest: &str) -> io::Result<()> {
        let sealed = self.sealed_path(upload_id)?;
        // Sealing first takes the file away from any late chunk of the same session: the
        // blob shares its inode and must never change again.
        ignore_missing(fs::rename(self.upload_path(upload_id)?, &sealed).await)?;
        let target = self.blob_path(digest)?;
        if fs::try_exists(&target).await? {
            // Only verified, complete files are ever linked there: the stored copy is good.
            return Ok(());
        }
        // Bytes past `length` were never acknowledged; they must not become part of the blob.
        let file = OpenOptions::new().write(true).open(&sealed).await?;
        file.set_len(length).await?;
        file.sync_all().await?;
        let dir = target.parent().unwrap_or(&self.root).to_owned();
        fs::create_dir_all(&dir).await?;
        match fs::hard_link(&sealed, &target).await {
            // Another commit of the same content won the race: equally good.
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
            other => other?,
        }
        sync_dir(&dir).await?;
        sync_dir(dir.parent().unwrap_or(&self.root)).await
    }

    async fn blob_size(&self, digest: &str) -> io::Result<Option<u64>> {
        match fs::metadata(self.blob_path(digest)?).await {
            Ok(meta) => Ok(Some(meta.len())),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    async fn read_blob(&self, digest: &str, offset: u64, length: u64) -> io::Result<StoredBytes> {
        read_range(&self.blob_path(digest)?, offset, length).await
    }

    async fn delete_blob(&self, digest: &str) -> io::Result<()> {
        let path = self.blob_path(digest)?;
        ignore_missing(fs::remove_file(&path).await)?;
        sync_dir(path.parent().unwrap_or(&self.root))
            .await
            .or_else(|err| {
                // The folder may be gone too; nothing is left to make durable then.
                ignore_missing(Err(err))
            })
    }

    fn list_blobs(&self) -> BoxStream<'_, io::Result<StoredBlob>> {
        // One shard folder at a time: memory stays at a 256th of the blobs per algorithm.
        let root = self.root.as_path();
        stream::iter(BLOB_ALGORITHMS)
            .then(move |algorithm| async move {
                let shards = entries(&root.join(algorithm)).await?;
                let shards = shards.into_iter().filter(|(_, meta)| meta.is_dir());
                Ok::<_, io::Error>(stream::iter(
                    shards.map(move |(name, _)| Ok((algorithm, name))),
                ))
            })
            .try_flatten()
            .and_then(move |(algorithm, shard)| shard_blobs(root, algorithm, shard))
            .map_ok(|blobs| stream::iter(blobs.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file cut short while it is read fails the stream; it does not take the process down,
    /// as a memory mapping of the cut pages would (SIGBUS).
    #[tokio::test]
    async fn a_file_cut_while_read_fails_the_read() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("blob");
        let chunks = 5;
        std::fs::write(&path, vec![1u8; chunks * READ_CHUNK_BYTES as usize]).expect("a file");
        let mut stream = read_range(&path, 0, chunks as u64 * READ_CHUNK_BYTES)
            .await
            .expect("a stream");
        let first = stream.try_next().await.expect("a chunk").expect("bytes");
        assert_eq!(first.len() as u64, READ_CHUNK_BYTES);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_len(1))
            .expect("cut");
        let rest: Vec<io::Result<Bytes>> = stream.collect().await;
        let failure = rest
            .iter()
            .find_map(|r| r.as_ref().err())
            .expect("an error");
        assert_eq!(failure.kind(), io::ErrorKind::UnexpectedEof);
        // Cut before the read: refused up front.
        let refused = read_range(&path, 0, 2).await.err().expect("refused");
        assert_eq!(refused.kind(), io::ErrorKind::UnexpectedEof);
    }
}
