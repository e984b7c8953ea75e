//! A build's context: the dropped file or the archive URL's download, unpacked into the
//! build's folder (a gzipped tar, a tar, or a bare Dockerfile), and the Dockerfile and
//! context directory the request names inside it.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::app::App;
use crate::storage::StoredBytes;

/// Why a context cannot be used; the texts go to the build log.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("Could not download the build package: {0}")]
    Download(String),
    #[error("Could not extract the contents of the build package: {0}")]
    Extract(String),
    #[error("Could not find or parse Dockerfile: {0}")]
    Dockerfile(String),
    #[error("Could not find the build context directory: {0}")]
    Context(String),
}

/// What a build package is: by its declared type when that names one (as Quay's builder
/// decides), else by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PackageKind {
    TarGz,
    Tar,
    Dockerfile,
}

impl PackageKind {
    fn of(content_type: &str, head: &[u8]) -> PackageKind {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        match essence {
            "application/gzip"
            | "application/x-gzip"
            | "application/x-compressed"
            | "application/x-tar+gzip" => PackageKind::TarGz,
            "application/x-tar" | "application/tar" => PackageKind::Tar,
            "text/plain" => PackageKind::Dockerfile,
            _ if head.starts_with(&[0x1f, 0x8b]) => PackageKind::TarGz,
            _ if head.get(257..262) == Some(b"ustar") => PackageKind::Tar,
            _ => PackageKind::Dockerfile,
        }
    }
}

/// The package's kind, and a reader of all its bytes.
fn open_package(
    content_type: &str,
    mut reader: impl Read,
) -> std::io::Result<(PackageKind, impl Read)> {
    let mut head = Vec::with_capacity(512);
    (&mut reader).take(512).read_to_end(&mut head)?;
    let kind = PackageKind::of(content_type, &head);
    Ok((kind, std::io::Cursor::new(head).chain(reader)))
}

/// Whether `written` (a path of the request, or of an archive entry) names `expected`.
fn same_path(entry: &Path, expected: &str) -> bool {
    let root = Path::new("/");
    inside(root, &entry.to_string_lossy()).is_some_and(|e| Some(e) == inside(root, expected))
}

/// Checks a package before a build is queued: an archive must open and hold the Dockerfile.
fn check_package(
    content_type: &str,
    reader: impl Read,
    dockerfile_path: &str,
) -> Result<(), ContextError> {
    let extract = |e: &dyn std::fmt::Display| ContextError::Extract(e.to_string());
    let (kind, reader) = open_package(content_type, reader).map_err(|e| extract(&e))?;
    let entries_of = |reader: Box<dyn Read>| -> Result<bool, ContextError> {
        let mut archive = tar::Archive::new(reader);
        for item in archive.entries().map_err(|e| extract(&e))? {
            let item = item.map_err(|e| extract(&e))?;
            let path = item.path().map_err(|e| extract(&e))?;
            if item.header().entry_type().is_file() && same_path(&path, dockerfile_path) {
                return Ok(true);
            }
        }
        Ok(false)
    };
    let found = match kind {
        PackageKind::Dockerfile => return Ok(()),
        PackageKind::Tar => entries_of(Box::new(reader))?,
        PackageKind::TarGz => entries_of(Box::new(flate2::read::GzDecoder::new(reader)))?,
    };
    if found {
        Ok(())
    } else {
        Err(ContextError::Dockerfile(dockerfile_path.to_owned()))
    }
}

/// `check_package` on stored bytes, off the async threads.
pub async fn check_stored_package(
    content_type: String,
    bytes: StoredBytes,
    dockerfile_path: String,
) -> Result<(), ContextError> {
    let reader = tokio_util::io::StreamReader::new(bytes);
    tokio::task::spawn_blocking(move || {
        let reader = tokio_util::io::SyncIoBridge::new(reader);
        check_package(&content_type, reader, &dockerfile_path)
    })
    .await
    .map_err(|e| ContextError::Extract(e.to_string()))?
}

/// Where the build package comes from.
pub enum Source<'a> {
    /// A dropped file's type and stored bytes.
    File(String, StoredBytes),
    /// `archive_url`.
    Url(&'a str),
}

/// Writes the package to `path`; returns its declared type.
pub async fn fetch(app: &App, source: Source<'_>, path: &Path) -> Result<String, ContextError> {
    let download = |e: &dyn std::fmt::Display| ContextError::Download(e.to_string());
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(|e| download(&e))?;
    let (content_type, mut chunks): (String, StoredBytes) = match source {
        Source::File(content_type, bytes) => (content_type, bytes),
        Source::Url(url) => {
            let parsed = url::Url::parse(url).map_err(|e| download(&e))?;
            if !app.config.may_reach(&parsed) {
                return Err(ContextError::Download(format!(
                    "{url} is not an address builds may fetch from (SSRF_ALLOWED_HOSTS)"
                )));
            }
            let client = reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(600))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| download(&e))?;
            let response = client
                .get(parsed)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map_err(|e| download(&e))?;
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = response
                .bytes_stream()
                .map(|c| c.map_err(std::io::Error::other));
            (content_type, Box::pin(body))
        }
    };
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| download(&e))?;
        file.write_all(&chunk).await.map_err(|e| download(&e))?;
    }
    file.flush().await.map_err(|e| download(&e))?;
    Ok(content_type)
}

/// `written` (a path of the request, `/` meaning the package's top) below `root`; None when
/// it climbs out.
fn inside(root: &Path, written: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for component in Path::new(written).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::RootDir | Component::CurDir => {}
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    Some(path)
}

/// Unpacks `package` into `root`: an archive is extracted; a Dockerfile is placed where the
/// request expects it (`dockerfile_path`).
pub async fn unpack(
    package: PathBuf,
    content_type: String,
    root: PathBuf,
    dockerfile_path: String,
) -> Result<(), ContextError> {
    tokio::task::spawn_blocking(move || {
        unpack_blocking(&package, &content_type, &root, &dockerfile_path)
    })
    .await
    .map_err(|e| ContextError::Extract(e.to_string()))?
}

fn unpack_blocking(
    package: &Path,
    content_type: &str,
    root: &Path,
    dockerfile_path: &str,
) -> Result<(), ContextError> {
    let extract = |e: &dyn std::fmt::Display| ContextError::Extract(e.to_string());
    let file = std::fs::File::open(package).map_err(|e| extract(&e))?;
    let (kind, reader) = open_package(content_type, file).map_err(|e| extract(&e))?;
    std::fs::create_dir_all(root).map_err(|e| extract(&e))?;
    match kind {
        PackageKind::TarGz => untar(flate2::read::GzDecoder::new(reader), root),
        PackageKind::Tar => untar(reader, root),
        PackageKind::Dockerfile => {
            let target = inside(root, dockerfile_path)
                .ok_or_else(|| ContextError::Dockerfile(dockerfile_path.to_owned()))?;
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| extract(&e))?;
            }
            std::fs::copy(package, &target).map_err(|e| extract(&e))?;
            Ok(())
        }
    }
}

/// Extracts a tar stream; the tar crate keeps every entry inside `root`.
fn untar(reader: impl Read, root: &Path) -> Result<(), ContextError> {
    let mut archive = tar::Archive::new(reader);
    archive.set_overwrite(true);
    archive
        .unpack(root)
        .map_err(|e| ContextError::Extract(e.to_string()))
}

/// The Dockerfile and the context directory the request names, inside the unpacked package.
pub fn locate(
    root: &Path,
    dockerfile_path: &str,
    context: &str,
) -> Result<(PathBuf, PathBuf), ContextError> {
    let dockerfile = inside(root, dockerfile_path)
        .filter(|p| p.is_file())
        .ok_or_else(|| ContextError::Dockerfile(dockerfile_path.to_owned()))?;
    let directory = inside(root, context)
        .filter(|p| p.is_dir())
        .ok_or_else(|| ContextError::Context(context.to_owned()))?;
    Ok((dockerfile, directory))
}

/// The base images a Dockerfile pulls: each `FROM` image that is not `scratch`, an earlier
/// stage or built from build arguments (buildah resolves those itself).
pub fn base_images(dockerfile: &str) -> Vec<String> {
    let mut stages: Vec<String> = Vec::new();
    let mut images: Vec<String> = Vec::new();
    for line in dockerfile.lines() {
        let mut words = line.split_whitespace();
        if !words.next().is_some_and(|w| w.eq_ignore_ascii_case("FROM")) {
            continue;
        }
        let mut words = words.skip_while(|w| w.starts_with("--"));
        let Some(image) = words.next() else {
            continue;
        };
        let skip = image.eq_ignore_ascii_case("scratch")
            || image.contains('$')
            || stages.iter().any(|s| s.eq_ignore_ascii_case(image))
            || images.iter().any(|i| i == image);
        if words.next().is_some_and(|w| w.eq_ignore_ascii_case("AS")) {
            if let Some(stage) = words.next() {
                stages.push(stage.to_owned());
            }
        }
        if skip {
            continue;
        }
        images.push(image.to_owned());
    }
    images
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_stay_inside_the_package() {
        let root = Path::new("/b/ctx");
        assert_eq!(inside(root, "/"), Some(root.to_path_buf()));
        assert_eq!(
            inside(root, "/app/Dockerfile"),
            Some(root.join("app/Dockerfile"))
        );
        assert_eq!(inside(root, "sub/./x"), Some(root.join("sub/x")));
        assert_eq!(inside(root, "/../etc/passwd"), None);
    }

    #[test]
    fn base_images_skip_scratch_stages_and_arguments() {
        let dockerfile = "FROM --platform=linux/amd64 host/ns/base:1 AS build\nRUN x\n\
                          from build\nFROM scratch\nFROM $IMAGE\nFROM other:2 as final\n\
                          FROM host/ns/base:1\n";
        assert_eq!(base_images(dockerfile), vec!["host/ns/base:1", "other:2"]);
    }
}
