//! Repository mirrors (Quay's `repomirror`): a repository in the mirror state copies the tags
//! of another registry's repository that match its glob patterns, as its robot, on a schedule
//! (the grid `sync_start_date + k × sync_interval`) or when asked to sync now; tags gone
//! upstream or no longer matching are removed. One sync per repository runs at a time across
//! every node (a lease on the mirror's row, renewed as tags are copied); nobody but the robot
//! pushes to a mirror. Each run and each tag is logged with Quay's `repo_mirror_*` kinds.

use serde_json::{json, Value};

use super::{copy_image, Error as CopyError, Source};
use crate::accounts::passwords::{decrypt_stored, encrypt_stored};
use crate::app::App;
use crate::db::{self, mirrors::MirrorRow};
use crate::jobs;
use crate::logs::{self, Actor, Scope};
use crate::manifests::{Arrival, Reference};
use crate::repositories::{notifications, RegistryCaller, Repository, STATE_MIRROR};
use crate::upstream::{Upstream, UpstreamConfig};

/// How long a sync holds its mirror before another node may take it, renewed after each tag.
const LEASE_MS: i64 = 10 * 60 * 1000;
/// The log kinds of a run's start and end, which are also notification events.
const RUN_EVENTS: [&str; 3] = [
    "repo_mirror_sync_started",
    "repo_mirror_sync_success",
    "repo_mirror_sync_failed",
];
/// Failed runs retried before a mirror waits for its next interval (Quay's).
const MAX_RETRIES: i64 = 3;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Mirror configuration already exits for repository {0}")]
    Exists(String),
    #[error("The provided registry location is not allowed")]
    NotAllowed,
    #[error("External registry reference must include a repository path")]
    NoRepositoryPath,
    #[error(
        "validation failed: rule_value for TAG_GLOB_CSV must be a list with at least one rule"
    )]
    EmptyRule,
    #[error("invalid tag pattern {0:?}")]
    BadPattern(String),
    #[error("Could not find robot with specified username")]
    UnknownRobot,
    #[error("Invalid robot")]
    InvalidRobot,
    #[error("Unable to set a new password without also specifying a username.")]
    PasswordWithoutUsername,
    #[error("Not Found")]
    NotFound,
    #[error("Architecture filtering requires FEATURE_SPARSE_INDEX to be enabled.")]
    SparseIndexRequired,
    #[error("Invalid architectures: {0}")]
    InvalidArchitectures(String),
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// A mirror as the API shows it (the password never).
#[derive(Debug, Clone)]
pub struct Mirror {
    pub is_enabled: bool,
    pub external_reference: String,
    pub username: Option<String>,
    pub external_registry_config: Value,
    pub sync_interval_s: i64,
    pub sync_start_ms: Option<i64>,
    pub sync_expiration_ms: Option<i64>,
    pub sync_retries_remaining: i64,
    pub sync_status: String,
    pub tag_patterns: Vec<String>,
    pub robot_username: Option<String>,
    pub skopeo_timeout_s: i64,
    pub architecture_filter: Vec<String>,
}

/// The fields a create or an update sets (None: unchanged; on create, the default).
#[derive(Debug, Clone, Default)]
pub struct MirrorSettings {
    pub is_enabled: Option<bool>,
    pub external_reference: Option<String>,
    /// `Some(None)` removes the credentials.
    pub username: Option<Option<String>>,
    pub password: Option<Option<String>>,
    pub external_registry_config: Option<Value>,
    pub sync_interval_s: Option<i64>,
    pub sync_start_ms: Option<i64>,
    pub tag_patterns: Option<Vec<String>>,
    pub robot_username: Option<String>,
    pub skopeo_timeout_s: Option<i64>,
    /// Empty: every architecture.
    pub architecture_filter: Option<Vec<String>>,
}

/// The architectures a filter may name (Quay's).
const ARCHITECTURES: [&str; 4] = ["amd64", "arm64", "ppc64le", "s390x"];

/// A filter names known architectures, and needs sparse manifest lists (the list is stored
/// whole, with only the filtered images).
fn check_architectures(app: &App, filter: &[String]) -> Result<()> {
    if filter.is_empty() {
        return Ok(());
    }
    if !app.config.features.sparse_index {
        return Err(Error::SparseIndexRequired);
    }
    let mut unknown: Vec<&str> = filter
        .iter()
        .map(String::as_str)
        .filter(|a| !ARCHITECTURES.contains(a))
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidArchitectures(unknown.join(", ")))
    }
}

fn verify_tls(config: &Value) -> bool {
    config["verify_tls"].as_bool().unwrap_or(true)
}

/// `host[:port]` and the repository path of an external reference.
fn split_reference(reference: &str) -> Result<(&str, &str)> {
    match reference.split_once('/') {
        Some((host, path)) if !host.is_empty() && !path.is_empty() => Ok((host, path)),
        _ => Err(Error::NoRepositoryPath),
    }
}

/// The client for the mirror's upstream; an address inside the network is refused unless
/// `SSRF_ALLOWED_HOSTS` names it. Without TLS verification the upstream is spoken to over
/// plain HTTP, as skopeo does for `--src-tls-verify=false` registries.
fn upstream(app: &App, row: &MirrorRow) -> Result<(Upstream, String)> {
    let (host, path) = split_reference(&row.external_reference)?;
    let config: Value = serde_json::from_str(&row.external_registry_config).unwrap_or_default();
    let secret = |stored: &Option<String>| stored.as_deref().and_then(|s| decrypt_stored(app, s));
    let upstream = UpstreamConfig {
        registry: host.to_owned(),
        username: secret(&row.username_encrypted),
        password: secret(&row.password_encrypted),
        insecure: !verify_tls(&config),
    };
    let client = Upstream::reachable(&upstream, &app.config).map_err(|_| Error::NotAllowed)?;
    Ok((client, path.to_owned()))
}

fn patterns(rule: &[String]) -> Result<Vec<glob::Pattern>> {
    if rule.is_empty() {
        return Err(Error::EmptyRule);
    }
    rule.iter()
        .map(|p| glob::Pattern::new(p).map_err(|_| Error::BadPattern(p.clone())))
        .collect()
}

/// The robot `username` of the repository's namespace, by id.
async fn mirror_robot(conn: &mut db::DbConn, repo: &Repository, username: &str) -> Result<i64> {
    let account = db::accounts::find_account_by_name(conn, username)
        .await?
        .ok_or(Error::UnknownRobot)?;
    let owner = crate::accounts::robots::owner_name(username);
    if account.robot == 0 || owner != Some(repo.namespace.as_str()) {
        return Err(Error::InvalidRobot);
    }
    Ok(account.id)
}

pub async fn get_mirror(app: &App, repo: &Repository) -> Result<Mirror> {
    let mut conn = app.db.reader().await?;
    let row = db::mirrors::find_mirror(&mut conn, repo.id)
        .await?
        .ok_or(Error::NotFound)?;
    let robot_username = match row.robot_id {
        Some(id) => db::accounts::find_account_by_id(&mut conn, id)
            .await?
            .map(|a| a.username),
        None => None,
    };
    Ok(Mirror {
        is_enabled: row.is_enabled != 0,
        external_reference: row.external_reference,
        username: row
            .username_encrypted
            .as_deref()
            .and_then(|s| decrypt_stored(app, s)),
        external_registry_config: serde_json::from_str(&row.external_registry_config)
            .unwrap_or_else(|_| json!({})),
        sync_interval_s: row.sync_interval_s,
        sync_start_ms: row.sync_start_ms,
        sync_expiration_ms: row.sync_expiration_ms,
        sync_retries_remaining: row.sync_retries_remaining,
        sync_status: row.sync_status,
        tag_patterns: serde_json::from_str(&row.tag_patterns).unwrap_or_default(),
        robot_username,
        skopeo_timeout_s: row.skopeo_timeout_s,
        architecture_filter: serde_json::from_str(&row.architecture_filter).unwrap_or_default(),
    })
}

/// Quay's `repo_mirror_config_changed` entry: what changed and to what.
async fn log_change(
    conn: &mut db::DbConn,
    actor: &Actor,
    repo: &Repository,
    changed: &str,
    to: Value,
) -> db::Result<()> {
    let metadata =
        json!({ "repo": repo.name, "namespace": repo.namespace, "changed": changed, "to": to });
    logs::record(
        conn,
        actor,
        "repo_mirror_config_changed",
        repo_scope(repo),
        metadata,
    )
    .await
}

/// Applies `settings` to `row`, checking each; answers the `(changed, to)` pairs to log.
async fn apply(
    app: &App,
    conn: &mut db::DbConn,
    repo: &Repository,
    row: &mut MirrorRow,
    settings: MirrorSettings,
) -> Result<Vec<(&'static str, Value)>> {
    let mut changes = Vec::new();
    if let Some(enabled) = settings.is_enabled {
        row.is_enabled = i64::from(enabled);
        changes.push(("is_enabled", json!(enabled)));
    }
    if let Some(reference) = settings.external_reference {
        row.external_reference = reference.trim().to_owned();
        changes.push(("external_reference", json!(row.external_reference)));
    }
    if let Some(robot) = settings.robot_username {
        let robot_id = mirror_robot(conn, repo, &robot).await?;
        robot_writes(conn, repo.id, robot_id).await?;
        row.robot_id = Some(robot_id);
        changes.push(("robot_username", json!(robot)));
    }
    if let Some(start) = settings.sync_start_ms {
        row.sync_start_ms = Some(start);
        changes.push(("sync_start_date", json!(start / 1000)));
    }
    if let Some(interval) = settings.sync_interval_s {
        row.sync_interval_s = interval;
        changes.push(("sync_interval", json!(interval)));
    }
    if let Some(timeout) = settings.skopeo_timeout_s {
        row.skopeo_timeout_s = timeout;
        changes.push(("skopeo_timeout_interval", json!(timeout)));
    }
    match (settings.username, settings.password) {
        (None, Some(_)) => return Err(Error::PasswordWithoutUsername),
        (Some(username), password) => {
            let username = username.filter(|u| !u.is_empty());
            row.username_encrypted = username.as_deref().map(|u| encrypt_stored(app, u));
            changes.push(("external_registry_username", json!(username)));
            if let Some(password) = password {
                let password = password.filter(|p| !p.is_empty());
                row.password_encrypted = password.as_deref().map(|p| encrypt_stored(app, p));
                let shown = password.map(|_| "********");
                changes.push(("external_registry_password", json!(shown)));
            }
        }
        (None, None) => {}
    }
    if let Some(config) = settings.external_registry_config {
        let mut stored: Value =
            serde_json::from_str(&row.external_registry_config).unwrap_or_else(|_| json!({}));
        for (key, value) in config.as_object().into_iter().flatten() {
            changes.push((config_key(key), value.clone()));
            stored[key] = value.clone();
        }
        row.verify_tls = i64::from(verify_tls(&stored));
        row.external_registry_config = stored.to_string();
    }
    if let Some(filter) = settings.architecture_filter {
        check_architectures(app, &filter)?;
        row.architecture_filter = json!(filter).to_string();
        changes.push(("architecture_filter", json!(filter)));
    }
    if let Some(rule) = settings.tag_patterns {
        patterns(&rule)?;
        changes.push(("mirror_rule", json!(rule)));
        row.tag_patterns = json!(rule).to_string();
    }
    // Checked once everything is applied, so that a refused update changes nothing.
    upstream(app, row)?;
    Ok(changes)
}

fn config_key(key: &str) -> &'static str {
    match key {
        "verify_tls" => "verify_tls",
        "unsigned_images" => "unsigned_images",
        _ => "proxy",
    }
}

/// `POST .../mirror`: stores the mirror, puts the repository in the mirror state and makes
/// sure its robot may write there.
pub async fn create_mirror(
    app: &App,
    actor: &Actor,
    repo: &Repository,
    settings: MirrorSettings,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if db::mirrors::find_mirror(&mut tx, repo.id).await?.is_some() {
        return Err(Error::Exists(repo.full_name()));
    }
    let mut row = MirrorRow {
        repository_id: repo.id,
        is_enabled: 1,
        external_reference: String::new(),
        username_encrypted: None,
        password_encrypted: None,
        external_registry_config: "{}".into(),
        verify_tls: 1,
        sync_interval_s: 86_400,
        sync_start_ms: Some(db::now_ms()),
        sync_expiration_ms: None,
        sync_retries_remaining: MAX_RETRIES,
        sync_status: "NEVER_RUN".into(),
        tag_patterns: "[]".into(),
        robot_id: None,
        skopeo_timeout_s: 300,
        architecture_filter: "[]".into(),
    };
    let reference = settings.external_reference.clone().unwrap_or_default();
    if settings.tag_patterns.is_none() {
        return Err(Error::EmptyRule);
    }
    apply(app, &mut tx, repo, &mut row, settings).await?;
    if !db::mirrors::insert_mirror(&mut tx, &row, db::now_ms()).await? {
        return Err(Error::Exists(repo.full_name()));
    }
    db::repositories::set_repository_state(&mut tx, repo.id, STATE_MIRROR).await?;
    jobs::enqueue(&mut tx, &jobs::SyncMirrors::default()).await?;
    log_change(&mut tx, actor, repo, "external_reference", json!(reference)).await?;
    db::commit(tx).await?;
    Ok(())
}

/// `PUT .../mirror`: changes what is given, each change logged.
pub async fn update_mirror(
    app: &App,
    actor: &Actor,
    repo: &Repository,
    settings: MirrorSettings,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let mut row = db::mirrors::find_mirror(&mut tx, repo.id)
        .await?
        .ok_or(Error::NotFound)?;
    let changes = apply(app, &mut tx, repo, &mut row, settings).await?;
    db::mirrors::update_mirror(&mut tx, &row).await?;
    for (changed, to) in changes {
        log_change(&mut tx, actor, repo, changed, to).await?;
    }
    db::commit(tx).await?;
    Ok(())
}

/// The mirror's robot may write to the repository (a stronger grant stays).
async fn robot_writes(conn: &mut db::DbConn, repository_id: i64, robot_id: i64) -> Result<()> {
    let role = db::registry::find_repository_role(conn, repository_id, robot_id).await?;
    if matches!(role.as_deref(), None | Some("read")) {
        db::registry::upsert_repository_permission(conn, repository_id, robot_id, "write").await?;
    }
    Ok(())
}

fn repo_scope(repo: &Repository) -> Scope {
    Scope::repository(repo.namespace_id, repo.id)
}

/// `POST .../mirror/sync-now` (404 while a sync runs) and `.../sync-cancel` (404 unless one
/// runs or waits to).
pub async fn request_sync(app: &App, actor: &Actor, repo: &Repository, now: bool) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let mut row = db::mirrors::find_mirror(&mut tx, repo.id)
        .await?
        .ok_or(Error::NotFound)?;
    let running = row.sync_status == "SYNCING";
    let (status, logged) = if now {
        if running {
            return Err(Error::NotFound);
        }
        row.sync_retries_remaining = row.sync_retries_remaining.max(1);
        ("SYNC_NOW", "SYNC_NOW")
    } else {
        if !running && row.sync_status != "SYNC_NOW" {
            return Err(Error::NotFound);
        }
        row.sync_retries_remaining = 0;
        ("CANCEL", "SYNC_CANCEL")
    };
    row.sync_status = status.into();
    row.sync_expiration_ms = None;
    db::mirrors::update_mirror(&mut tx, &row).await?;
    if now {
        jobs::enqueue(&mut tx, &jobs::SyncMirrors::default()).await?;
    }
    log_change(&mut tx, actor, repo, "sync_status", json!(logged)).await?;
    db::commit(tx).await?;
    Ok(())
}

/// Syncs every mirror that is due, one after another; each is claimed first, so a mirror
/// syncs on one node at a time.
pub async fn sync_due_mirrors(app: &App) -> anyhow::Result<()> {
    let now = db::now_ms();
    let due = db::mirrors::due_mirrors(&mut *app.db.reader().await?, now).await?;
    for repository_id in due {
        let mut tx = app.db.begin().await?;
        let claimed =
            db::mirrors::claim_mirror(&mut tx, repository_id, now, now + LEASE_MS).await?;
        db::commit(tx).await?;
        if claimed {
            sync(app, repository_id).await?;
        }
    }
    Ok(())
}

/// One run of a claimed mirror.
async fn sync(app: &App, repository_id: i64) -> anyhow::Result<()> {
    let mut conn = app.db.reader().await?;
    let row = db::mirrors::find_mirror(&mut conn, repository_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("mirror vanished"))?;
    let repo_row = db::registry::find_repository_by_id(&mut conn, repository_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("repository vanished"))?;
    let namespace = db::accounts::find_account_by_id(&mut conn, repo_row.namespace_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("namespace vanished"))?;
    let robot = match row.robot_id {
        Some(id) => db::accounts::find_account_by_id(&mut conn, id).await?,
        None => None,
    };
    drop(conn);
    let repo = Repository::from_row(repo_row, &namespace.username);
    let rule: Vec<String> = serde_json::from_str(&row.tag_patterns).unwrap_or_default();
    let pattern_text = rule.join(",");
    let source = format!(
        "'{}' with tag pattern '{pattern_text}'",
        row.external_reference
    );
    let entry = |verb: &str, message: String, tag: &str, tags: String| {
        json!({
            "verb": verb, "namespace": repo.namespace, "repo": repo.name, "message": message,
            "tag": tag, "tags": tags, "stdout": "Not applicable", "stderr": "Not applicable",
        })
    };
    log_run(
        app,
        &repo,
        "repo_mirror_sync_started",
        entry("start", source.clone(), "", String::new()),
    )
    .await?;

    let run_start = db::now_ms();
    let outcome = copy_matching_tags(app, &repo, &row, robot.map(|r| r.username), &rule).await;
    let (status, kind, metadata) = match outcome {
        Ok(Run::Cancelled(tags)) => (
            "CANCEL",
            "repo_mirror_sync_failed",
            entry("Cancelled", source, "", tags.join(", ")),
        ),
        Ok(Run::Done { copied, failed }) if failed.is_empty() => {
            let tags = if copied.is_empty() {
                "No tags matched".to_owned()
            } else {
                copied.join(", ")
            };
            (
                "SUCCESS",
                "repo_mirror_sync_success",
                entry("end", source, "", tags),
            )
        }
        Ok(Run::Done { copied, failed }) => {
            let mut tags: Vec<String> = copied;
            tags.extend(failed.iter().map(|t| format!("{t}(FAILED)")));
            tags.sort();
            let message = format!("{source}: PARTIAL SYNC");
            (
                "FAIL",
                "repo_mirror_sync_failed",
                entry("lost", message, "", tags.join(", ")),
            )
        }
        Err(err) => {
            let message = format!("{source}: {err}");
            (
                "FAIL",
                "repo_mirror_sync_failed",
                entry("end", message, "", String::new()),
            )
        }
    };
    log_run(app, &repo, kind, metadata).await?;
    // A failed tag never changed (each copy is one transaction); with REPO_MIRROR_ROLLBACK the
    // run's other changes are undone too, as Quay does.
    if status == "FAIL" && app.config.repo_mirror_rollback {
        roll_back(app, &repo, run_start).await?;
    }
    release(app, &row, status).await
}

/// Puts every visible tag of `repo` back where it pointed at `since_ms`: tags created since
/// are ended, moved or removed ones point at their earlier manifest again (a reversion).
async fn roll_back(app: &App, repo: &Repository, since_ms: i64) -> anyhow::Result<()> {
    let mut tx = app.db.begin().await?;
    db::registry::lock_repository(&mut tx, app.db.backend(), repo.id).await?;
    let now = db::now_ms();
    for name in db::tags::tags_changed_since(&mut tx, repo.id, since_ms).await? {
        db::registry::end_alive_tag(&mut tx, repo.id, &name, now).await?;
        let Some(manifest_id) =
            db::tags::manifest_of_tag_at(&mut tx, repo.id, &name, since_ms).await?
        else {
            continue;
        };
        let tag = db::registry::NewTag {
            repository_id: repo.id,
            name: &name,
            manifest_id,
            hidden: false,
            immutable: false,
            lifetime_start_ms: now,
            lifetime_end_ms: None,
        };
        db::registry::insert_tag(&mut tx, &tag).await?;
        db::tags::mark_reversion(&mut tx, repo.id, &name, now).await?;
    }
    db::commit(tx).await?;
    tracing::info!(repo.name = %repo.full_name(), "failed mirror run rolled back");
    Ok(())
}

/// How a run ended: cancelled (with the tags it matched), or with the tags copied and failed.
enum Run {
    Cancelled(Vec<String>),
    Done {
        copied: Vec<String>,
        failed: Vec<String>,
    },
}

/// Copies each upstream tag matching `rule`, in name order, as the robot; then removes the
/// local tags that are not among them.
async fn copy_matching_tags(
    app: &App,
    repo: &Repository,
    row: &MirrorRow,
    robot: Option<String>,
    rule: &[String],
) -> anyhow::Result<Run> {
    let globs = patterns(rule)?;
    let (client, remote) = upstream(app, row)?;
    let listed = client
        .list_tags(&remote)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the repository is not in the upstream"))?;
    let mut matched: Vec<String> = listed
        .into_iter()
        .filter(|tag| globs.iter().any(|g| g.matches(tag)))
        .collect();
    matched.sort();
    matched.dedup();
    if matched.is_empty() {
        return Ok(Run::Done {
            copied: Vec::new(),
            failed: Vec::new(),
        });
    }
    let caller = RegistryCaller {
        username: robot,
        ..RegistryCaller::default()
    };
    let architectures: Vec<String> =
        serde_json::from_str(&row.architecture_filter).unwrap_or_default();
    check_architectures(app, &architectures)?;
    let source = Source {
        upstream: &client,
        remote: &remote,
    };
    let (mut copied, mut failed) = (Vec::new(), Vec::new());
    for tag in &matched {
        let reference = Reference::Tag(tag.clone());
        let copy = copy_image(
            app,
            &caller,
            &source,
            repo,
            &reference,
            Arrival::Pushed,
            &architectures,
        )
        .await;
        let (kind, message) = match &copy {
            Ok(()) => ("repo_mirror_sync_tag_success", "successful sync"),
            Err(_) => ("repo_mirror_sync_tag_failed", "failed to sync"),
        };
        let source = format!(
            "Source 'docker://{}:{tag}' {message}",
            row.external_reference
        );
        let stderr = copy
            .as_ref()
            .err()
            .map(CopyError::to_string)
            .unwrap_or_default();
        let metadata = json!({
            "verb": "finish", "namespace": repo.namespace, "repo": repo.name, "message": source,
            "tag": tag, "tags": "", "stdout": "", "stderr": stderr,
        });
        log_run(app, repo, kind, metadata).await?;
        match copy {
            Ok(()) => copied.push(tag.clone()),
            Err(_) => failed.push(tag.clone()),
        }
        let mut tx = app.db.begin().await?;
        let still_running =
            db::mirrors::renew_mirror(&mut tx, repo.id, db::now_ms() + LEASE_MS).await?;
        db::commit(tx).await?;
        if !still_running {
            return Ok(Run::Cancelled(matched));
        }
    }
    let now = db::now_ms();
    let mut tx = app.db.begin().await?;
    for tag in db::registry::list_alive_tag_names(&mut tx, repo.id, now).await? {
        if !matched.contains(&tag) {
            db::registry::end_alive_tag(&mut tx, repo.id, &tag, now).await?;
        }
    }
    db::commit(tx).await?;
    Ok(Run::Done { copied, failed })
}

/// Logs a run's or a tag's outcome; the run's start and end also notify the repository's
/// `repo_mirror_sync_*` notifications, with the message, as Quay does.
async fn log_run(app: &App, repo: &Repository, kind: &str, metadata: Value) -> anyhow::Result<()> {
    let mut tx = app.db.begin().await?;
    if RUN_EVENTS.contains(&kind) {
        let mut data = serde_json::Map::new();
        data.insert("message".into(), metadata["message"].clone());
        notifications::notify(&app.config, &mut tx, repo, kind, data, None).await?;
    }
    logs::record(
        &mut tx,
        &Actor::anonymous(None),
        kind,
        repo_scope(repo),
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(())
}

/// Ends the run: a success (or a failure with no retries left) waits for the next point of the
/// schedule's grid, a failure is retried at once; a cancelled mirror waits for sync-now.
async fn release(app: &App, row: &MirrorRow, status: &str) -> anyhow::Result<()> {
    let now = db::now_ms();
    let interval_ms = row.sync_interval_s.max(1) * 1000;
    let next_on_grid = |start: i64| {
        let elapsed = (now - start).max(0);
        now + (interval_ms - elapsed % interval_ms)
    };
    let start = row.sync_start_ms.unwrap_or(now);
    let (next, retries) = match status {
        "CANCEL" => (None, 0),
        "FAIL" if row.sync_retries_remaining > 1 => (Some(start), row.sync_retries_remaining - 1),
        _ => (Some(next_on_grid(start)), MAX_RETRIES),
    };
    let mut tx = app.db.begin().await?;
    db::mirrors::release_mirror(&mut tx, row.repository_id, status, next, retries).await?;
    db::commit(tx).await?;
    Ok(())
}

/// `PUT .../changestate`: `NORMAL`, `READ_ONLY` or `MIRROR` (as Quay names them), logged as
/// `change_repo_state`. The mirror, if any, stays; it syncs only in the mirror state.
pub async fn change_state(app: &App, actor: &Actor, repo: &Repository, state: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    db::repositories::set_repository_state(&mut tx, repo.id, &state.to_ascii_lowercase()).await?;
    let metadata =
        json!({ "repo": repo.name, "namespace": repo.namespace, "state_changed": state });
    logs::record(
        &mut tx,
        actor,
        "change_repo_state",
        repo_scope(repo),
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(())
}
