//! Manifest labels through `/api/v1` (core-api.md §3.5): list, read, add and delete, each
//! change logged with the manifest it belongs to.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::json;

use super::Repository;
use crate::app::App;
use crate::db::{self, labels::LabelRow, registry::ManifestRow};
use crate::logs::{self, Actor};

/// Label keys: lower-case words separated by single `.` or `-` (the lookahead of Quay's
/// expression is spelled out as "no separator next to another").
static KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$").expect("valid regex"));

/// Prefixes reserved for labels the registry or image tooling sets.
const RESERVED_PREFIXES: &[&str] = &[
    "com.docker.",
    "io.docker.",
    "org.dockerproject.",
    "org.opencontainers.",
    "io.cncf.",
    "io.kubernetes.",
    "io.k8s.",
    "io.quay",
    "com.coreos",
    "com.tectonic",
    "internal",
    "quay",
];

pub const MEDIA_TYPES: &[&str] = &["text/plain", "application/json"];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Invalid label format, must be a valid key: {0}")]
    InvalidKey(String),
    #[error("Label has a reserved prefix: {0}")]
    ReservedKey(String),
    #[error("Invalid media type for label: {0}")]
    InvalidMediaType(String),
    #[error("Not Found")]
    NotFound,
    #[error(transparent)]
    NotNormal(#[from] super::NotNormal),
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

fn valid_key(key: &str) -> bool {
    key.len() <= 255
        && KEY.is_match(key)
        && !key.contains("..")
        && !key.contains("--")
        && !key.contains(".-")
        && !key.contains("-.")
}

/// The manifest `digest` of the repository.
pub async fn find_manifest(app: &App, repo: &Repository, digest: &str) -> Result<ManifestRow> {
    let mut conn = app.db.reader().await?;
    db::registry::find_manifest(&mut conn, repo.id, digest)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn list_labels(app: &App, manifest: &ManifestRow, prefix: &str) -> Result<Vec<LabelRow>> {
    Ok(db::labels::list_labels(&mut *app.db.reader().await?, manifest.id, prefix).await?)
}

pub async fn get_label(app: &App, manifest: &ManifestRow, uuid: &str) -> Result<LabelRow> {
    db::labels::find_label(&mut *app.db.reader().await?, manifest.id, uuid)
        .await?
        .ok_or(Error::NotFound)
}

fn metadata(repo: &Repository, manifest: &ManifestRow, label: &LabelRow) -> serde_json::Value {
    json!({
        "id": label.uuid, "key": label.label_key, "value": label.label_value,
        "manifest_digest": manifest.digest, "media_type": label.media_type,
        "namespace": repo.namespace, "repo": repo.name,
    })
}

/// Adds a label set through the API (`source_type: api`).
pub async fn add_label(
    app: &App,
    actor: &Actor,
    repo: &Repository,
    manifest: &ManifestRow,
    key: &str,
    value: &str,
    media_type: Option<&str>,
) -> Result<LabelRow> {
    repo.ensure_normal()?;
    if !valid_key(key) {
        return Err(Error::InvalidKey(key.to_owned()));
    }
    if RESERVED_PREFIXES.iter().any(|p| key.starts_with(p)) {
        return Err(Error::ReservedKey(key.to_owned()));
    }
    let media_type = media_type.unwrap_or("text/plain");
    if !MEDIA_TYPES.contains(&media_type) {
        return Err(Error::InvalidMediaType(media_type.to_owned()));
    }
    let label = LabelRow {
        uuid: uuid::Uuid::new_v4().to_string(),
        label_key: key.to_owned(),
        label_value: value.to_owned(),
        source_type: "api".into(),
        media_type: media_type.to_owned(),
    };
    let mut tx = app.db.begin().await?;
    db::labels::insert_label(&mut tx, manifest.id, &label).await?;
    let scope = logs::Scope::repository(repo.namespace_id, repo.id);
    logs::record(
        &mut tx,
        actor,
        "manifest_label_add",
        scope,
        metadata(repo, manifest, &label),
    )
    .await?;
    db::commit(tx).await?;
    Ok(label)
}

pub async fn delete_label(
    app: &App,
    actor: &Actor,
    repo: &Repository,
    manifest: &ManifestRow,
    uuid: &str,
) -> Result<()> {
    repo.ensure_normal()?;
    let mut tx = app.db.begin().await?;
    let label = db::labels::find_label(&mut tx, manifest.id, uuid)
        .await?
        .ok_or(Error::NotFound)?;
    db::labels::delete_label(&mut tx, manifest.id, uuid).await?;
    let mut meta = metadata(repo, manifest, &label);
    if let Some(fields) = meta.as_object_mut() {
        fields.remove("media_type");
    }
    let scope = logs::Scope::repository(repo.namespace_id, repo.id);
    logs::record(&mut tx, actor, "manifest_label_delete", scope, meta).await?;
    Ok(db::commit(tx).await?)
}

#[cfg(test)]
mod tests {
    use super::valid_key;

    #[test]
    fn keys() {
        assert!(valid_key("foo"));
        assert!(valid_key("foo.bar-baz"));
        assert!(!valid_key("Foo"));
        assert!(!valid_key("foo..bar"));
        assert!(!valid_key("-foo"));
        assert!(!valid_key("foo-"));
    }
}
