//! `S3Storage` and `RadosGWStorage`: blobs as objects in an S3-compatible bucket, addressed
//! path-style at a configurable endpoint (core-api.md §6.3 layout under `storage_path`).
//!
//! Uploads are stateless across nodes: every chunk (`PATCH`) becomes its own object
//! `uploads/<uuid>/<first byte, 20 digits>`, streamed in multipart parts, so any node can
//! append the next chunk or commit. A commit copies a single-chunk upload server-side, or
//! streams the chunks in order into one multipart upload at the blob's place. Objects and
//! completed multipart uploads appear atomically, so readers never see a partial blob; a
//! failed multipart upload is aborted. Memory stays bounded by a few parts per request.
//!
//! A multipart upload that a crash interrupts holds its parts, invisible to object listings,
//! until it is aborted: `list_unfinished_writes` finds them with ListMultipartUploads, which
//! object_store does not offer, so that one request is signed and sent here.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, BoxStream};
use futures::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder, AwsAuthorizer};
use object_store::buffered::BufWriter;
use object_store::client::{
    ClientOptions, HttpClient, HttpConnector, HttpRequestBody, ReqwestConnector,
};
use object_store::multipart::MultipartStore;
use object_store::path::Path as ObjectPath;
use object_store::signer::Signer;
use object_store::{GetOptions, GetRange, ObjectStore};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use super::{
    blob_key, check_upload_id, digest_of_key, BlobStore, ByteStream, StoredBlob, StoredBytes,
    StoredUpload, UnfinishedWrite, BLOB_ALGORITHMS,
};
use crate::config::S3Config;

/// Multipart part size: above S3's 5 MiB minimum; at most two parts are in flight.
const PART_BYTES: usize = 8 << 20;
const PARTS_IN_FLIGHT: usize = 2;
/// The largest object S3 copies in one request; bigger single-chunk uploads are streamed.
const MAX_COPY_BYTES: u64 = 5 << 30;
/// Quay's default region for S3 drivers.
const DEFAULT_REGION: &str = "us-east-1";

/// Query values as SigV4 canonicalizes them: everything but RFC 3986's unreserved characters
/// is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub struct S3Store {
    s3: AmazonS3,
    store: Arc<dyn ObjectStore>,
    root: String,
    description: String,
    /// `<endpoint>/<bucket>`: where bucket-level requests go (path style).
    bucket_url: String,
    region: String,
    http: HttpClient,
}

/// ListMultipartUploads' answer, the parts Berth reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MultipartListing {
    #[serde(default, rename = "Upload")]
    uploads: Vec<PendingMultipart>,
    #[serde(default)]
    is_truncated: bool,
    next_key_marker: Option<String>,
    next_upload_id_marker: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PendingMultipart {
    key: String,
    upload_id: String,
    initiated: String,
}

/// One chunk object of an upload.
struct Part {
    location: ObjectPath,
    start: u64,
    size: u64,
}

fn io_error(err: object_store::Error) -> io::Error {
    match err {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, err),
        other => io::Error::other(other),
    }
}

impl S3Store {
    pub fn open(settings: &S3Config) -> anyhow::Result<S3Store> {
        let region = settings.region.as_deref().unwrap_or(DEFAULT_REGION);
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(region)
            .with_virtual_hosted_style_request(false);
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let (Some(access_key), Some(secret_key)) = (&settings.access_key, &settings.secret_key) {
            builder = builder
                .with_access_key_id(access_key)
                .with_secret_access_key(secret_key);
        }
        let root = settings.root.trim_matches('/').to_owned();
        let endpoint = settings
            .endpoint
            .clone()
            .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let http = ReqwestConnector::default()
            .connect(&ClientOptions::new().with_allow_http(endpoint.starts_with("http://")))?;
        let s3 = builder.build()?;
        Ok(S3Store {
            store: Arc::new(s3.clone()),
            s3,
            description: format!(
                "s3 bucket {} at {} under /{root}",
                settings.bucket,
                settings.endpoint.as_deref().unwrap_or("AWS"),
            ),
            bucket_url: format!("{}/{}", endpoint.trim_end_matches('/'), settings.bucket),
            region: region.to_owned(),
            http,
            root,
        })
    }

    fn path(&self, key: &str) -> ObjectPath {
        ObjectPath::from(format!("{}/{key}", self.root))
    }

    fn uploads_prefix(&self) -> ObjectPath {
        self.path("uploads")
    }

    fn upload_prefix(&self, upload_id: &str) -> io::Result<ObjectPath> {
        check_upload_id(upload_id)?;
        Ok(self.path(&format!("uploads/{upload_id}")))
    }

    fn blob_path(&self, digest: &str) -> io::Result<ObjectPath> {
        Ok(self.path(&blob_key(digest)?))
    }

    /// The chunk objects of an upload, by first byte.
    async fn parts(&self, upload_id: &str) -> io::Result<Vec<Part>> {
        let prefix = self.upload_prefix(upload_id)?;
        let mut parts: Vec<Part> = self
            .store
            .list(Some(&prefix))
            .map_err(io_error)
            .try_filter_map(|meta| async move {
                let start = meta.location.filename().and_then(|n| n.parse::<u64>().ok());
                Ok(start.map(|start| Part {
                    location: meta.location,
                    start,
                    size: meta.size,
                }))
            })
            .try_collect()
            .await?;
        parts.sort_by_key(|p| p.start);
        Ok(parts)
    }

    /// Streams `body` into the object at `path` (one PUT when small, multipart otherwise);
    /// returns the byte count. A failed multipart upload is aborted, not left behind.
    async fn write_object(&self, path: ObjectPath, mut body: ByteStream<'_>) -> io::Result<u64> {
        let mut writer = BufWriter::with_capacity(self.store.clone(), path, PART_BYTES)
            .with_max_concurrency(PARTS_IN_FLIGHT);
        let mut written = 0u64;
        let outcome = async {
            while let Some(chunk) = body.next().await {
                let chunk = chunk?;
                written += chunk.len() as u64;
                writer.put(chunk).await.map_err(io_error)?;
            }
            Ok(())
        }
        .await;
        if let Err(err) = outcome {
            if let Err(abort) = writer.abort().await {
                tracing::warn!(error = %abort, "could not abort an S3 multipart upload");
            }
            return Err(err);
        }
        writer.shutdown().await?;
        Ok(written)
    }

    /// One page of ListMultipartUploads below the storage root, after the given markers.
    async fn list_multipart_page(
        &self,
        after: Option<(&str, &str)>,
    ) -> io::Result<MultipartListing> {
        let mut query = vec![
            ("uploads", String::new()),
            ("prefix", format!("{}/", self.root)),
        ];
        if let Some((key, upload_id)) = after {
            query.push(("key-marker", key.to_owned()));
            query.push(("upload-id-marker", upload_id.to_owned()));
        }
        let query: Vec<String> = query
            .iter()
            .map(|(name, value)| format!("{name}={}", utf8_percent_encode(value, QUERY_VALUE)))
            .collect();
        let url = format!("{}?{}", self.bucket_url, query.join("&"));
        let mut request = http::Request::get(url.as_str())
            .body(HttpRequestBody::empty())
            .map_err(io::Error::other)?;
        let credential = self
            .s3
            .credentials()
            .get_credential()
            .await
            .map_err(io_error)?;
        AwsAuthorizer::new(&credential, "s3", &self.region).authorize(&mut request, None);
        let response = self.http.execute(request).await.map_err(io::Error::other)?;
        let status = response.status();
        let body = response
            .into_body()
            .bytes()
            .await
            .map_err(io::Error::other)?;
        if !status.is_success() {
            return Err(io::Error::other(format!(
                "ListMultipartUploads: {status}: {}",
                String::from_utf8_lossy(&body)
            )));
        }
        quick_xml::de::from_reader(body.as_ref()).map_err(io::Error::other)
    }

    /// Byte range `from..to` of the object at `path`.
    fn read_range(&self, path: ObjectPath, from: u64, to: u64) -> StoredBytes {
        if from >= to {
            // S3 refuses empty ranges; an empty read needs no request.
            return Box::pin(stream::empty());
        }
        let store = self.store.clone();
        let stream = futures::stream::once(async move {
            let options = GetOptions {
                range: Some(GetRange::Bounded(from..to)),
                ..GetOptions::default()
            };
            store
                .get_opts(&path, options)
                .await
                .map(|result| result.into_stream().map_err(io_error))
                .map_err(io_error)
        })
        .try_flatten();
        Box::pin(stream)
    }
}

#[async_trait::async_trait]
impl BlobStore for S3Store {
    fn describe(&self) -> String {
        self.description.clone()
    }

    async fn create_upload(&self, upload_id: &str) -> io::Result<()> {
        // Nothing to prepare: the first chunk creates the first object.
        check_upload_id(upload_id)
    }

    async fn write_upload(
        &self,
        upload_id: &str,
        offset: u64,
        body: ByteStream<'_>,
    ) -> io::Result<u64> {
        for part in self.parts(upload_id).await? {
            if part.start >= offset {
                // Written by a request that was never acknowledged: this chunk replaces it.
                self.store.delete(&part.location).await.map_err(io_error)?;
            }
        }
        let path = self.path(&format!("uploads/{upload_id}/{offset:020}"));
        self.write_object(path, body).await
    }

    async fn read_upload(&self, upload_id: &str, length: u64) -> io::Result<StoredBytes> {
        let mut readers = Vec::new();
        let mut position = 0u64;
        for part in self.parts(upload_id).await? {
            if position >= length {
                break;
            }
            if part.start > position {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "upload chunks have a gap",
                ));
            }
            let end = (part.start + part.size).min(length);
            if end > position {
                readers.push(self.read_range(
                    part.location,
                    position - part.start,
                    end - part.start,
                ));
                position = end;
            }
        }
        if position < length {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "upload shorter than recorded",
            ));
        }
        Ok(Box::pin(stream::iter(readers).flatten()))
    }

    async fn delete_upload(&self, upload_id: &str) -> io::Result<()> {
        for part in self.parts(upload_id).await? {
            self.store.delete(&part.location).await.map_err(io_error)?;
        }
        Ok(())
    }

    async fn list_uploads(&self) -> io::Result<Vec<StoredUpload>> {
        let prefix = self.uploads_prefix();
        let objects: Vec<_> = self
            .store
            .list(Some(&prefix))
            .map_err(io_error)
            .try_collect()
            .await?;
        let mut uploads: Vec<StoredUpload> = Vec::new();
        for meta in objects {
            let Some(upload_id) = meta
                .location
                .prefix_match(&prefix)
                .and_then(|mut rest| rest.next())
                .map(|part| part.as_ref().to_owned())
            else {
                continue;
            };
            let modified_ms = meta.last_modified.timestamp_millis();
            match uploads.iter_mut().find(|u| u.upload_id == upload_id) {
                Some(known) => known.modified_ms = known.modified_ms.max(modified_ms),
                None => uploads.push(StoredUpload {
                    upload_id,
                    modified_ms,
                }),
            }
        }
        Ok(uploads)
    }

    async fn commit_upload(&self, upload_id: &str, length: u64, digest: &str) -> io::Result<()> {
        let target = self.blob_path(digest)?;
        if self.blob_size(digest).await?.is_some() {
            return Ok(());
        }
        let parts = self.parts(upload_id).await?;
        match parts.as_slice() {
            [only] if only.start == 0 && only.size == length && length <= MAX_COPY_BYTES => self
                .store
                .copy(&only.location, &target)
                .await
                .map_err(io_error),
            _ => {
                let body = self.read_upload(upload_id, length).await?;
                let written = self.write_object(target, body).await?;
                if written == length {
                    Ok(())
                } else {
                    Err(io::Error::other("upload changed while it was committed"))
                }
            }
        }
    }

    async fn blob_size(&self, digest: &str) -> io::Result<Option<u64>> {
        match self.store.head(&self.blob_path(digest)?).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(io_error(err)),
        }
    }

    async fn read_blob(&self, digest: &str, offset: u64, length: u64) -> io::Result<StoredBytes> {
        Ok(self.read_range(self.blob_path(digest)?, offset, offset + length))
    }

    async fn delete_blob(&self, digest: &str) -> io::Result<()> {
        match self.store.delete(&self.blob_path(digest)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(io_error(err)),
        }
    }

    async fn direct_download_url(
        &self,
        digest: &str,
        valid_for: Duration,
    ) -> io::Result<Option<String>> {
        let url = self
            .s3
            .signed_url(http::Method::GET, &self.blob_path(digest)?, valid_for)
            .await
            .map_err(io_error)?;
        Ok(Some(url.to_string()))
    }

    fn list_blobs(&self) -> BoxStream<'_, io::Result<StoredBlob>> {
        stream::iter(BLOB_ALGORITHMS)
            .flat_map(move |algorithm| self.store.list(Some(&self.path(algorithm))))
            .map_err(io_error)
            .try_filter_map(|meta| async move {
                let parts: Vec<_> = meta.location.parts().collect();
                let blob = match parts.as_slice() {
                    [.., algorithm, shard, hex] => {
                        digest_of_key(algorithm.as_ref(), shard.as_ref(), hex.as_ref())
                    }
                    _ => None,
                };
                Ok(blob.map(|digest| StoredBlob {
                    digest,
                    stored_ms: meta.last_modified.timestamp_millis(),
                }))
            })
            .boxed()
    }

    async fn list_unfinished_writes(&self) -> io::Result<Vec<UnfinishedWrite>> {
        let uploads_prefix = self.uploads_prefix();
        let mut writes = Vec::new();
        let mut after: Option<(String, String)> = None;
        loop {
            let markers = after.as_ref().map(|(k, u)| (k.as_str(), u.as_str()));
            let page = self.list_multipart_page(markers).await?;
            for pending in page.uploads {
                let started = chrono::DateTime::parse_from_rfc3339(&pending.initiated)
                    .map_err(io::Error::other)?;
                let location = ObjectPath::from(pending.key.as_str());
                // `uploads/<upload id>/<first byte>`: a chunk of that upload.
                let upload_id = location
                    .prefix_match(&uploads_prefix)
                    .and_then(|mut rest| rest.next())
                    .map(|part| part.as_ref().to_owned());
                writes.push(UnfinishedWrite {
                    key: pending.key,
                    write_id: pending.upload_id,
                    started_ms: started.timestamp_millis(),
                    upload_id,
                });
            }
            after = match (
                page.is_truncated,
                page.next_key_marker,
                page.next_upload_id_marker,
            ) {
                (true, Some(key), Some(upload_id)) if !key.is_empty() => Some((key, upload_id)),
                _ => return Ok(writes),
            };
        }
    }

    async fn abort_unfinished_write(&self, write: &UnfinishedWrite) -> io::Result<()> {
        let location = ObjectPath::from(write.key.as_str());
        match self.s3.abort_multipart(&location, &write.write_id).await {
            // Completed or aborted meanwhile.
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(io_error(err)),
        }
    }
}
