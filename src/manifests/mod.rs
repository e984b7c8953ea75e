//! Manifests and tags (core-api.md §2.7, §2.8): validate and store pushed manifests, retarget
//! tags atomically, serve manifests by tag or digest, delete tags, list tags and referrers.

mod layers;
mod parse;
mod referrers;

use serde_json::json;

use crate::app::App;
use crate::blobs::{Algorithm, Digest};
use crate::db::{self, labels::LabelRow, registry::ManifestRow, DbConn};
use crate::quotas;
use crate::repositories::notifications;
use crate::repositories::tag_policies::{autoprune, immutability};
use crate::repositories::{
    publish_registry_event, record_registry_log, record_registry_read, registry_actor,
    registry_performer, RegistryCaller, Repository,
};
pub use layers::{describe as describe_layers, Layer};

pub use parse::{
    essence, parse_manifest, parse_reference, ParseError, ParsedManifest, Reference,
    DOCKER_MANIFEST_LIST, OCI_INDEX,
};
pub use referrers::{list_referrers, Referrer};

/// Outcomes of manifest operations callers branch on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("manifest digest mismatch")]
    DigestMismatch,
    #[error("Unknown blob `{0}`")]
    BlobUnknown(Digest),
    #[error("blob `{digest}` has {stored} bytes, not {declared}")]
    BlobSizeMismatch {
        digest: Digest,
        declared: i64,
        stored: i64,
    },
    #[error("Unknown manifest `{0}`")]
    ChildUnknown(Digest),
    #[error("manifest unknown")]
    ManifestUnknown,
    #[error("Tag {0} was deleted or has expired. To pull, revive via time machine")]
    TagExpired(String),
    #[error("Quota has been exceeded on namespace")]
    QuotaExceeded,
    /// A push onto, or a delete of, an immutable tag.
    #[error("tag '{0}' is immutable")]
    TagImmutable(String),
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// What Quay's manifest view tells of a stored manifest beyond its bytes.
pub struct ManifestDetails {
    pub config_media_type: Option<String>,
    /// The manifest's own layers' sizes added up; 0 for lists and indexes.
    pub layers_compressed_size: i64,
    /// None for manifest lists and indexes.
    pub layers: Option<Vec<Layer>>,
}

/// The layers of an image manifest with their build history (read from its config), or
/// nothing for a list or index.
pub async fn describe_manifest(app: &App, manifest: &ManifestRow) -> ManifestDetails {
    let parsed: serde_json::Value = serde_json::from_str(&manifest.content).unwrap_or_default();
    let config_media_type = parsed["config"]["mediaType"].as_str().map(str::to_owned);
    if [OCI_INDEX, DOCKER_MANIFEST_LIST].contains(&manifest.media_type.as_str()) {
        return ManifestDetails {
            config_media_type,
            layers_compressed_size: 0,
            layers: None,
        };
    }
    let layers_compressed_size = parsed["layers"]
        .as_array()
        .map_or(0, |l| l.iter().filter_map(|x| x["size"].as_i64()).sum());
    let config = layers::read_config(app, &parsed).await;
    ManifestDetails {
        config_media_type,
        layers_compressed_size,
        layers: Some(layers::describe(&parsed, config.as_ref())),
    }
}

/// A manifest exactly as it was pushed.
#[derive(Debug, Clone)]
pub struct StoredManifest {
    pub digest: String,
    pub media_type: String,
    pub content: String,
}

impl From<ManifestRow> for StoredManifest {
    fn from(row: ManifestRow) -> Self {
        StoredManifest {
            digest: row.digest,
            media_type: row.media_type,
            content: row.content,
        }
    }
}

/// A stored manifest push: its digest and the manifest it refers to, if any.
#[derive(Debug, Clone)]
pub struct Pushed {
    pub digest: Digest,
    pub subject: Option<Digest>,
    /// The `?tag=` tags the push set.
    pub tags: Vec<String>,
}

/// Hidden tags that keep digest pushes alive are named `$temp-<uuid>` (never a valid tag).
const TEMP_TAG_PREFIX: &str = "$temp-";

/// How a manifest arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Pushed by a client: logged as `push_repo`, notified, published.
    Pushed,
    /// Fetched from a proxy cache's upstream for a pull: its tag (or, by digest, its hidden
    /// tag) lives until `lifetime_end_ms` (None: for ever), nothing is logged as a push, and
    /// layers not here yet are pending, fetched when first pulled.
    Cached { lifetime_end_ms: Option<i64> },
}

/// `PUT /v2/<name>/manifests/<reference>`: validates the manifest, checks that everything it
/// references is in the repository, stores it and points the tag at it, all in one
/// transaction. A digest push is kept alive by a hidden tag instead.
#[allow(clippy::too_many_arguments)]
pub async fn put_manifest(
    app: &App,
    caller: &RegistryCaller,
    repo: &Repository,
    reference: &Reference,
    extra_tags: &[String],
    content_type: &str,
    bytes: &[u8],
    arrival: Arrival,
) -> Result<Pushed> {
    let parsed = parse_manifest(content_type, bytes)?;
    let content = std::str::from_utf8(bytes).map_err(|e| ParseError::Invalid(e.to_string()))?;
    // A push by digest is addressed by the algorithm the client chose.
    let algorithm = match reference {
        Reference::Digest(wanted) => wanted.algorithm(),
        Reference::Tag(_) => Algorithm::Sha256,
    };
    let digest = Digest::of_bytes_with(algorithm, bytes);
    if matches!(reference, Reference::Digest(wanted) if *wanted != digest) {
        return Err(Error::DigestMismatch);
    }
    // Read before the transaction: storage I/O must not hold the repository's lock.
    let labels = manifest_labels(app, bytes).await;
    let mut tx = app.db.begin().await?;
    // Pushes to one repository take turns, so two retargets of a tag cannot both see it alive;
    // pushes into one namespace count and check their bytes in turn.
    db::registry::lock_repository(&mut tx, app.db.backend(), repo.id).await?;
    quotas::lock_namespace(app, &mut tx, repo.namespace_id)
        .await
        .map_err(quota_error)?;
    let now = db::now_ms();
    // A sparse manifest (FEATURE_SPARSE_INDEX) is stored with what it names that is here; a
    // cached one with its missing layers pending, to arrive on their first pull. The config
    // is never optional.
    let sparse = app.config.features.sparse_index;
    let lazy = matches!(arrival, Arrival::Cached { .. });
    let mut blob_ids = Vec::with_capacity(parsed.layers.len() + 1);
    let mut pending = Vec::new();
    let blobs = parsed.config.iter().map(|c| (c, false));
    let layers = parsed.layers.iter().map(|l| (l, sparse || lazy));
    for ((blob, declared), optional) in blobs.chain(layers) {
        let found =
            db::registry::find_repository_blob(&mut tx, repo.id, &blob.to_string(), now).await?;
        let row = match found {
            Some(row) => row,
            None if lazy && optional => {
                pending.push((blob.to_string(), *declared));
                continue;
            }
            None if optional => continue,
            None => return Err(Error::BlobUnknown(blob.clone())),
        };
        if row.size != *declared {
            return Err(Error::BlobSizeMismatch {
                digest: blob.clone(),
                declared: *declared,
                stored: row.size,
            });
        }
        blob_ids.push(row.id);
    }
    let mut child_ids = Vec::with_capacity(parsed.children.len());
    for child in &parsed.children {
        match db::registry::find_manifest(&mut tx, repo.id, &child.to_string()).await? {
            Some(row) => child_ids.push(row.id),
            None if sparse => {}
            None => return Err(Error::ChildUnknown(child.clone())),
        }
    }
    let subject = parsed.subject.as_ref().map(Digest::to_string);
    let (manifest_id, stored) = db::registry::upsert_manifest(
        &mut tx,
        &db::registry::NewManifest {
            repository_id: repo.id,
            digest: &digest.to_string(),
            media_type: parsed.media_type,
            artifact_type: parsed.artifact_type.as_deref(),
            subject_digest: subject.as_deref(),
            content,
            created_ms: now,
        },
    )
    .await?;
    if stored {
        for label in &labels {
            db::labels::insert_label(&mut tx, manifest_id, label).await?;
        }
    }
    for blob_id in blob_ids {
        let owner = (repo.namespace_id, repo.id);
        db::registry::insert_manifest_blob(&mut tx, owner, manifest_id, blob_id).await?;
    }
    for child_id in child_ids {
        db::registry::insert_manifest_child(&mut tx, manifest_id, child_id).await?;
    }
    for (digest, size) in &pending {
        db::registry::insert_pending_blob(&mut tx, repo.id, manifest_id, digest, *size).await?;
    }
    let performer = registry_performer(&mut tx, caller).await?;
    let actor = registry_actor(caller, performer.as_ref());
    let pending_bytes = pending.iter().map(|(_, size)| size).sum();
    let namespace = (repo.namespace_id, repo.namespace.as_str());
    quotas::check_push(app, &mut tx, &actor, namespace, pending_bytes)
        .await
        .map_err(quota_error)?;
    // The reference's tag, then the `?tag=` ones (OCI v1.1), each retargeted and logged.
    let tags: Vec<&str> = match reference {
        Reference::Tag(tag) => std::iter::once(tag.as_str()).collect(),
        Reference::Digest(_) => Vec::new(),
    };
    let tags: Vec<&str> = tags
        .into_iter()
        .chain(extra_tags.iter().map(String::as_str))
        .collect();
    if tags.is_empty() {
        // Referrers (manifests with a subject) stay until deleted; other untagged pushes
        // stay long enough for the list or tag that uses them to arrive.
        let end = match arrival {
            Arrival::Cached { lifetime_end_ms } => lifetime_end_ms,
            Arrival::Pushed => parsed
                .subject
                .is_none()
                .then(|| now + app.config.push_temp_tag_expiration_s * 1000),
        };
        let name = format!("{TEMP_TAG_PREFIX}{}", uuid::Uuid::new_v4());
        insert_hidden_tag(&mut tx, repo.id, &name, manifest_id, now, end).await?;
    } else if let Arrival::Cached { lifetime_end_ms } = arrival {
        for tag in &tags {
            retarget_tag(app, &mut tx, repo, tag, manifest_id, now).await?;
            db::registry::set_alive_tag_end(&mut tx, repo.id, tag, now, lifetime_end_ms).await?;
        }
    } else {
        for tag in &tags {
            retarget_tag(app, &mut tx, repo, tag, manifest_id, now).await?;
            let metadata = json!({ "tag": tag, "mediaType": parsed.media_type });
            record_registry_log(
                &mut tx,
                caller,
                performer.as_ref(),
                repo,
                "push_repo",
                metadata,
            )
            .await?;
            let mut pushed = serde_json::Map::new();
            pushed.insert("updated_tags".into(), json!([tag]));
            notifications::notify(&app.config, &mut tx, repo, "repo_push", pushed, None).await?;
        }
    }
    db::commit(tx).await?;
    if !tags.is_empty() && arrival == Arrival::Pushed {
        publish_registry_event(app, caller, repo, "push_repo");
    }
    tracing::info!(repo.name = %repo.full_name(), digest = %digest, "manifest pushed");
    Ok(Pushed {
        digest,
        subject: parsed.subject,
        tags: extra_tags.to_vec(),
    })
}

/// The quota checks of a push fail only on the database or a crossed Reject limit.
fn quota_error(err: quotas::Error) -> Error {
    match err {
        quotas::Error::Db(e) => Error::Db(e),
        _ => Error::QuotaExceeded,
    }
}

/// The labels Quay takes from a pushed manifest, as manifest labels (`source_type:
/// manifest`): an image's config `Labels`, then an OCI manifest's `annotations` (which win on
/// a shared key; an artifact has only those); none for lists. A value that is a JSON object
/// or array is `application/json`, as Quay marks it.
async fn manifest_labels(app: &App, bytes: &[u8]) -> Vec<LabelRow> {
    let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Vec::new();
    };
    let mut labels = serde_json::Map::new();
    if let Some(config) = layers::read_config(app, &manifest).await {
        if let Some(from_config) = config["config"]["Labels"].as_object() {
            labels.extend(from_config.clone());
        }
    }
    if manifest["config"].is_object() {
        if let Some(annotations) = manifest["annotations"].as_object() {
            labels.extend(annotations.clone());
        }
    }
    labels
        .iter()
        .filter(|(key, _)| !key.is_empty())
        .filter_map(|(key, value)| Some((key, value.as_str()?)))
        .map(|(key, value)| {
            let structured = serde_json::from_str::<serde_json::Value>(value)
                .is_ok_and(|v| v.is_object() || v.is_array());
            LabelRow {
                uuid: uuid::Uuid::new_v4().to_string(),
                label_key: key.clone(),
                label_value: value.to_owned(),
                source_type: "manifest".into(),
                media_type: if structured {
                    "application/json"
                } else {
                    "text/plain"
                }
                .into(),
            }
        })
        .collect()
}

/// Ends the tag's alive row and starts one on `manifest_id`, unless it already points there;
/// an immutable tag refuses any push. The new row is immutable when a policy or the
/// manifest's `quay.immutable` label says so, and expires as its `quay.expires-after` says.
async fn retarget_tag(
    app: &App,
    conn: &mut DbConn,
    repo: &Repository,
    tag: &str,
    manifest_id: i64,
    now: i64,
) -> Result<()> {
    let alive = db::registry::find_alive_tag(conn, repo.id, tag, now).await?;
    if alive.as_ref().is_some_and(|t| t.immutable != 0) && app.config.features.immutable_tags {
        return Err(Error::TagImmutable(tag.to_owned()));
    }
    if alive.is_some_and(|t| t.manifest_id == manifest_id) {
        return Ok(());
    }
    db::registry::end_alive_tag(conn, repo.id, tag, now).await?;
    let immutable = immutability::for_new_tag(&app.config, conn, repo, tag, manifest_id).await?;
    let expires_after = db::labels::find_label_value(conn, manifest_id, EXPIRES_AFTER_LABEL)
        .await?
        .and_then(|span| autoprune::parse_span_ms(span.trim()))
        .filter(|_| immutability::may_expire(&app.config, immutable));
    let new = db::registry::NewTag {
        repository_id: repo.id,
        name: tag,
        manifest_id,
        hidden: false,
        immutable,
        lifetime_start_ms: now,
        lifetime_end_ms: expires_after.map(|span| now.saturating_add(span)),
    };
    Ok(db::registry::insert_tag(conn, &new).await?)
}

/// The label whose span (`2h`, `3d`, `1w`) sets a pushed tag's expiry, as in Quay.
const EXPIRES_AFTER_LABEL: &str = "quay.expires-after";

/// Inserts a hidden tag that holds a manifest pushed by digest.
async fn insert_hidden_tag(
    conn: &mut DbConn,
    repository_id: i64,
    name: &str,
    manifest_id: i64,
    start: i64,
    end: Option<i64>,
) -> db::Result<()> {
    let tag = db::registry::NewTag {
        repository_id,
        name,
        manifest_id,
        hidden: true,
        immutable: false,
        lifetime_start_ms: start,
        lifetime_end_ms: end,
    };
    db::registry::insert_tag(conn, &tag).await
}

/// `GET`/`HEAD /v2/<name>/manifests/<reference>`: the stored manifest, and a `pull_repo` log.
/// By tag, the stored media type must be one the client accepts (no conversions); by digest
/// the bytes are returned as they are.
pub async fn get_manifest(
    app: &App,
    caller: &RegistryCaller,
    repo: &Repository,
    reference: &Reference,
    accepts: impl Fn(&str) -> bool,
) -> Result<StoredManifest> {
    let now = db::now_ms();
    let mut conn = app.db.reader().await?;
    let manifest: StoredManifest = match reference {
        Reference::Tag(tag) => {
            match db::registry::find_tagged_manifest(&mut conn, repo.id, tag, now).await? {
                Some(row) if accepts(&row.media_type) => row.into(),
                Some(_) => return Err(Error::ManifestUnknown),
                None if db::registry::has_ended_tag(&mut conn, repo.id, tag, now).await? => {
                    return Err(Error::TagExpired(tag.clone()))
                }
                None => return Err(Error::ManifestUnknown),
            }
        }
        Reference::Digest(digest) => {
            db::registry::find_reachable_manifest(&mut conn, repo.id, &digest.to_string(), now)
                .await?
                .ok_or(Error::ManifestUnknown)?
                .into()
        }
    };
    drop(conn);
    let metadata = match reference {
        Reference::Tag(tag) => json!({ "tag": tag, "mediaType": manifest.media_type }),
        Reference::Digest(digest) => {
            json!({ "manifest_digest": digest.to_string(), "mediaType": manifest.media_type })
        }
    };
    record_registry_read(app, caller, repo, "pull_repo", metadata).await;
    Ok(manifest)
}

/// `DELETE /v2/<name>/manifests/<reference>`: ends the tag, or, by digest, every tag on the
/// manifest with the hidden holds of a push by digest or of a referrer, and its place in the
/// lists that name it, so that the digest answers 404 at once (decision 13). Visible tags enter the time machine, with one
/// `delete_tag` log each; the manifest's rows are left to garbage collection. An unknown
/// reference is MANIFEST_UNKNOWN.
pub async fn delete_manifest(
    app: &App,
    caller: &RegistryCaller,
    repo: &Repository,
    reference: &Reference,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    db::registry::lock_repository(&mut tx, app.db.backend(), repo.id).await?;
    let now = db::now_ms();
    let (tags, digest) = match reference {
        Reference::Tag(tag) => {
            let manifest = db::registry::find_tagged_manifest(&mut tx, repo.id, tag, now)
                .await?
                .ok_or(Error::ManifestUnknown)?;
            (vec![tag.clone()], manifest.digest)
        }
        Reference::Digest(digest) => {
            // The OCI distribution spec: the manifest itself goes, every tag on it included,
            // the hidden holds of a push by digest or of a referrer, and its place in lists.
            let digest = digest.to_string();
            db::registry::find_reachable_manifest(&mut tx, repo.id, &digest, now)
                .await?
                .ok_or(Error::ManifestUnknown)?;
            db::registry::end_hidden_tags_of_manifest(&mut tx, repo.id, &digest, now).await?;
            db::registry::unlink_from_lists(&mut tx, repo.id, &digest).await?;
            (
                db::registry::list_tags_of_manifest(&mut tx, repo.id, &digest, now).await?,
                digest,
            )
        }
    };
    if app.config.features.immutable_tags {
        for tag in &tags {
            let alive = db::registry::find_alive_tag(&mut tx, repo.id, tag, now).await?;
            if alive.is_some_and(|t| t.immutable != 0) {
                return Err(Error::TagImmutable(tag.clone()));
            }
        }
    }
    let performer = registry_performer(&mut tx, caller).await?;
    for tag in &tags {
        db::registry::end_alive_tag(&mut tx, repo.id, tag, now).await?;
        let metadata = json!({ "tag": tag, "digest": digest });
        record_registry_log(
            &mut tx,
            caller,
            performer.as_ref(),
            repo,
            "delete_tag",
            metadata,
        )
        .await?;
    }
    // Signatures, attestations and SBOMs that cosign tags after the manifest go with it.
    let cosign_prefix = digest.replacen(':', "-", 1);
    for suffix in ["sig", "att", "sbom"] {
        db::registry::end_alive_tag(&mut tx, repo.id, &format!("{cosign_prefix}.{suffix}"), now)
            .await?;
    }
    db::commit(tx).await?;
    tracing::info!(repo.name = %repo.full_name(), digest = %digest, tags = tags.len(), "tags deleted");
    Ok(())
}

/// One page of alive, visible tag names after `after`, and whether more follow.
pub async fn list_tags(
    app: &App,
    repo: &Repository,
    after: &str,
    limit: i64,
) -> Result<(Vec<String>, bool)> {
    if limit <= 0 {
        return Ok((Vec::new(), false));
    }
    let mut conn = app.db.reader().await?;
    let mut names = db::registry::list_tag_names_page(
        &mut conn,
        app.db.backend(),
        repo.id,
        after,
        limit + 1,
        db::now_ms(),
    )
    .await?;
    let more = names.len() as i64 > limit;
    names.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((names, more))
}
