//! Tags through `/api/v1` (core-api.md §3.4): history, create or move, expiration, delete and
//! time-machine restore. Every change ends the alive row and starts a new one in one
//! transaction, under the repository's lock, so a tag always points at one complete manifest.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::json;

use super::tag_policies::{self, immutability};
use super::Repository;
use crate::app::App;
use crate::db::{self, registry::NewTag, tags::TagHistoryRow, DbTx};
use crate::logs::{self, Actor};

static TAG_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\w][\w.-]{0,127}$").expect("valid regex"));

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Invalid tag name")]
    InvalidName,
    #[error("Not Found")]
    NotFound,
    #[error("{0}")]
    InvalidRequest(&'static str),
    #[error(transparent)]
    NotNormal(#[from] super::NotNormal),
    #[error(transparent)]
    Policy(#[from] tag_policies::Error),
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

fn check_name(name: &str) -> Result<()> {
    if TAG_NAME.is_match(name) {
        Ok(())
    } else {
        Err(Error::InvalidName)
    }
}

pub struct HistoryPage {
    pub tags: Vec<TagHistoryRow>,
    pub has_additional: bool,
}

/// Page `page` (from 1) of `limit` tag rows, newest first.
pub async fn list_history(
    app: &App,
    repo: &Repository,
    name: Option<&str>,
    only_active: bool,
    page: i64,
    limit: i64,
) -> Result<HistoryPage> {
    let mut conn = app.db.reader().await?;
    let alive_at = only_active.then(db::now_ms);
    let offset = (page - 1) * limit;
    let mut tags =
        db::tags::list_tag_history(&mut conn, repo.id, name, alive_at, offset, limit + 1).await?;
    let has_additional = tags.len() as i64 > limit;
    tags.truncate(limit as usize);
    Ok(HistoryPage {
        tags,
        has_additional,
    })
}

/// A transaction holding the repository's lock, for a change to its tags.
async fn begin_locked(app: &App, repo: &Repository) -> Result<DbTx> {
    repo.ensure_normal()?;
    let mut tx = app.db.begin().await?;
    db::registry::lock_repository(&mut tx, app.db.backend(), repo.id).await?;
    Ok(tx)
}

/// Ends the alive row of `name` (unless it is immutable) and starts one on `manifest_id`,
/// immutable when a policy or the manifest's label says so.
async fn retarget(
    app: &App,
    tx: &mut DbTx,
    repo: &Repository,
    name: &str,
    manifest_id: i64,
    now: i64,
) -> Result<()> {
    if let Some(alive) = db::registry::find_alive_tag(tx, repo.id, name, now).await? {
        immutability::check_mutable(&app.config, alive.immutable != 0, name, "overwrite")?;
    }
    db::registry::end_alive_tag(tx, repo.id, name, now).await?;
    let immutable = immutability::for_new_tag(&app.config, tx, repo, name, manifest_id).await?;
    let new = NewTag {
        repository_id: repo.id,
        name,
        manifest_id,
        hidden: false,
        immutable,
        lifetime_start_ms: now,
        lifetime_end_ms: None,
    };
    Ok(db::registry::insert_tag(tx, &new).await?)
}

fn metadata(
    actor: &Actor,
    repo: &Repository,
    tag: &str,
) -> serde_json::Map<String, serde_json::Value> {
    let mut map = serde_json::Map::new();
    map.insert("username".into(), json!(actor.performer_name));
    map.insert("repo".into(), json!(repo.name));
    map.insert("tag".into(), json!(tag));
    map.insert("namespace".into(), json!(repo.namespace));
    map
}

fn scope(repo: &Repository) -> logs::Scope {
    logs::Scope::repository(repo.namespace_id, repo.id)
}

/// Points `name` at the manifest `digest` of this repository (create or move).
pub async fn set_tag(
    app: &App,
    actor: &Actor,
    repo: &Repository,
    name: &str,
    digest: &str,
) -> Result<()> {
    check_name(name)?;
    let mut tx = begin_locked(app, repo).await?;
    let manifest = db::registry::find_manifest(&mut tx, repo.id, digest)
        .await?
        .ok_or(Error::NotFound)?;
    let now = db::now_ms();
    let previous = db::tags::find_alive_tag(&mut tx, repo.id, name, now).await?;
    retarget(app, &mut tx, repo, name, manifest.id, now).await?;
    let mut meta = metadata(actor, repo, name);
    meta.insert("manifest_digest".into(), json!(digest));
    let kind = match &previous {
        Some(previous) => {
            meta.insert(
                "original_manifest_digest".into(),
                json!(previous.manifest_digest),
            );
            "move_tag"
        }
        None => "create_tag",
    };
    logs::record(&mut tx, actor, kind, scope(repo), meta.into()).await?;
    Ok(db::commit(tx).await?)
}

/// Sets (epoch seconds, in the future) or clears the expiry of the alive tag `name`.
pub async fn set_expiration(
    app: &App,
    actor: &Actor,
    repo: &Repository,
    name: &str,
    expiration_s: Option<i64>,
) -> Result<()> {
    let now = db::now_ms();
    if expiration_s.is_some_and(|s| s * 1000 <= now) {
        return Err(Error::InvalidRequest("Expiration must be in the future"));
    }
    let mut tx = begin_locked(app, repo).await?;
    let tag = db::tags::find_alive_tag(&mut tx, repo.id, name, now)
        .await?
        .ok_or(Error::NotFound)?;
    if expiration_s.is_some() && !immutability::may_expire(&app.config, tag.immutable != 0) {
        return Err(tag_policies::Error::Conflict(format!(
            "Cannot set expiration on immutable tag '{name}'"
        ))
        .into());
    }
    db::tags::update_tag_end(&mut tx, tag.id, expiration_s.map(|s| s * 1000)).await?;
    let mut meta = metadata(actor, repo, name);
    meta.insert("expiration_date".into(), json!(expiration_s));
    meta.insert(
        "old_expiration_date".into(),
        json!(tag.lifetime_end_ms.map(|ms| ms / 1000)),
    );
    logs::record(
        &mut tx,
        actor,
        "change_tag_expiration",
        scope(repo),
        meta.into(),
    )
    .await?;
    Ok(db::commit(tx).await?)
}

/// Ends the alive tag `name`; it stays restorable for the namespace's time-machine window.
pub async fn delete_tag(app: &App, actor: &Actor, repo: &Repository, name: &str) -> Result<()> {
    let now = db::now_ms();
    let mut tx = begin_locked(app, repo).await?;
    let tag = db::tags::find_alive_tag(&mut tx, repo.id, name, now)
        .await?
        .ok_or(Error::NotFound)?;
    immutability::check_mutable(&app.config, tag.immutable != 0, name, "delete")?;
    db::registry::end_alive_tag(&mut tx, repo.id, name, now).await?;
    logs::record(
        &mut tx,
        actor,
        "delete_tag",
        scope(repo),
        metadata(actor, repo, name).into(),
    )
    .await?;
    Ok(db::commit(tx).await?)
}

/// Points `name` back at `digest`, a manifest the tag held before (time machine).
pub async fn restore_tag(
    app: &App,
    actor: &Actor,
    repo: &Repository,
    name: &str,
    digest: &str,
) -> Result<()> {
    check_name(name)?;
    let mut tx = begin_locked(app, repo).await?;
    if !db::tags::tag_ever_pointed_at(&mut tx, repo.id, name, digest).await? {
        return Err(Error::NotFound);
    }
    let manifest = db::registry::find_manifest(&mut tx, repo.id, digest)
        .await?
        .ok_or(Error::NotFound)?;
    let now = db::now_ms();
    retarget(app, &mut tx, repo, name, manifest.id, now).await?;
    db::tags::mark_reversion(&mut tx, repo.id, name, now).await?;
    let mut meta = metadata(actor, repo, name);
    meta.remove("namespace");
    meta.insert("manifest_digest".into(), json!(digest));
    logs::record(&mut tx, actor, "revert_tag", scope(repo), meta.into()).await?;
    Ok(db::commit(tx).await?)
}
