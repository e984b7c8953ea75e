//! Running builds. A worker takes the oldest waiting build (or one whose worker stopped
//! renewing its lease, while attempts remain), unpacks its context, pulls its base images,
//! builds it with buildah and pushes every requested tag to the repository through Berth's
//! own registry, with a credential that lives as long as the run. The phases move as Quay's
//! do, each a log entry; usage logs say when a build starts building, succeeds or fails.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use super::buildah::Buildah;
use super::context::{self, ContextError, Source};
use super::log::{self, entry, EntryKind, LogWriter};
use super::{Error, Result};
use crate::accounts::{build_tokens, passwords::secret_digest};
use crate::app::App;
use crate::db::{self, builds::BuildRow};
use crate::logs::{self, Actor, Scope};
use crate::repositories::{notifications, Repository};

/// Runs a build gets before it is given up as `expired` (Quay's `retries_remaining`).
pub const MAX_ATTEMPTS: i64 = 3;
/// How long a worker holds a build without renewing; a worker that stops renewing (it died)
/// loses the build when this runs out. Quay reports such a build after a minute.
pub const LEASE: Duration = Duration::from_secs(60);
/// How often a running build's lease is renewed, which is also how soon a cancel stops it.
const HEARTBEAT: Duration = Duration::from_secs(2);

/// How this node runs builds: the buildah it calls and the folder builds run in.
pub struct Builder {
    buildah: PathBuf,
    folder: PathBuf,
}

impl Builder {
    /// Builds with the `buildah` on `PATH`, in `<data dir>/builds` (emptied first: a run
    /// cut short leaves its image store there, as much as it can be while a process of that
    /// run may still be ending); None without buildah.
    pub fn prepare(data_dir: &Path) -> std::io::Result<Option<Builder>> {
        let Some(buildah) = std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("buildah"))
                .find(|candidate| candidate.is_file())
        }) else {
            return Ok(None);
        };
        let folder = data_dir.join("builds");
        match std::fs::remove_dir_all(&folder) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                tracing::warn!(folder = %folder.display(), error = %err, "could not empty the build folder");
            }
            _ => {}
        }
        std::fs::create_dir_all(&folder)?;
        Ok(Some(Builder { buildah, folder }))
    }
}

/// How a run ended short of pushing.
enum Stop {
    /// The build failed: the reason goes to the log and the build ends in `error`.
    Failed(String),
    /// The run lost its build: cancelled, or taken by another worker after a lapse.
    Lost,
    /// Berth itself failed; the build is released to be run again.
    Internal(Error),
}

impl From<Error> for Stop {
    fn from(err: Error) -> Stop {
        Stop::Internal(err)
    }
}

impl From<ContextError> for Stop {
    fn from(err: ContextError) -> Stop {
        Stop::Failed(err.to_string())
    }
}

impl From<db::Error> for Stop {
    fn from(err: db::Error) -> Stop {
        Stop::Internal(err.into())
    }
}

/// The usage-log details of a build event.
fn event_metadata(build: &BuildRow, job: &Value) -> Value {
    json!({
        "build_id": build.uuid,
        "build_name": build.display_name,
        "docker_tags": job.get("docker_tags").cloned().unwrap_or_else(|| json!([])),
        "repo": build.repository,
        "namespace": build.namespace,
        "manual_user": job.get("manual_user").cloned().unwrap_or(Value::Null),
    })
}

/// Logs a build event (`build_start`, `build_success`, `build_failure`) and notifies the
/// repository's notifications of the same event.
async fn record_event(app: &App, build: &BuildRow, kind: &str, metadata: Value) -> Result<()> {
    let scope = Scope::repository(build.namespace_id, build.repository_id);
    let mut tx = app.db.begin().await?;
    logs::record(
        &mut tx,
        &Actor::anonymous(None),
        kind,
        scope,
        metadata.clone(),
    )
    .await?;
    let mut event = metadata.as_object().cloned().unwrap_or_default();
    for key in ["repo", "namespace", "manual_user"] {
        event.remove(key);
    }
    event.insert("trigger_id".into(), Value::Null);
    event.insert("trigger_kind".into(), Value::Null);
    event.insert("trigger_metadata".into(), json!({}));
    let row =
        db::registry::find_repository_by_name(&mut tx, &build.namespace, &build.repository).await?;
    if let Some(row) = row {
        let repo = Repository::from_row(row, &build.namespace);
        let subpage = format!("build/{}", build.uuid);
        notifications::notify(&app.config, &mut tx, &repo, kind, event, Some(&subpage)).await?;
    }
    Ok(db::commit(tx).await?)
}

/// Takes and runs one build; false when none was ready. Builds whose worker vanished after
/// their last attempt end here too.
pub async fn run_next(app: &App, builder: &Builder) -> Result<bool> {
    let secret = crate::random::random_code(48);
    let hash = secret_digest(&secret);
    let now = db::now_ms();
    let lease_ms = i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX);
    let mut tx = app.db.begin().await?;
    let lapsed = db::builds::end_lapsed_builds(&mut tx, now, MAX_ATTEMPTS).await?;
    let claimed = db::builds::claim_build(
        &mut tx,
        app.db.backend(),
        now,
        now + lease_ms,
        &hash,
        MAX_ATTEMPTS,
    )
    .await?;
    db::commit(tx).await?;
    for uuid in lapsed {
        let build = super::find_build(app, &uuid, |_| Error::NotFound).await?;
        log::append(app, &uuid, entry("internalerror", Some(EntryKind::Phase))).await?;
        log::archive(app, &uuid).await?;
        let job = serde_json::from_str(&build.job_config).unwrap_or(Value::Null);
        let mut metadata = event_metadata(&build, &job);
        metadata["error_message"] = json!("The build worker stopped responding");
        record_event(app, &build, "build_failure", metadata).await?;
    }
    let Some(uuid) = claimed else {
        return Ok(false);
    };
    let build = super::find_build(app, &uuid, |_| Error::NotFound).await?;
    tracing::info!(build = %uuid, attempt = build.attempts, "build started");
    // A folder of this run's own: what an earlier run of the build left is never reused.
    let folder = builder.folder.join(format!("{uuid}.{}", build.attempts));
    let mut run = Run {
        app,
        builder,
        job: serde_json::from_str(&build.job_config).unwrap_or(Value::Null),
        log: LogWriter::open(app, &uuid).await?,
        build,
        secret,
        hash,
        folder: folder.clone(),
    };
    let outcome = run.execute().await;
    // The folder holds the whole image store (vfs): never keep it.
    let _ = tokio::fs::remove_dir_all(&folder).await;
    outcome.map(|()| true)
}

/// One run of one build.
struct Run<'a> {
    app: &'a App,
    builder: &'a Builder,
    build: BuildRow,
    job: Value,
    log: LogWriter<'a>,
    secret: String,
    hash: String,
    folder: PathBuf,
}

impl Run<'_> {
    fn job_text(&self, key: &str) -> String {
        self.job
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    fn tags(&self) -> Vec<String> {
        self.job
            .get("docker_tags")
            .and_then(Value::as_array)
            .map(|tags| {
                tags.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    async fn execute(&mut self) -> Result<()> {
        self.log
            .push(entry("build-scheduled", Some(EntryKind::Phase)));
        self.log.flush().await?;
        let (app, uuid, hash) = (self.app, self.build.uuid.clone(), self.hash.clone());
        let outcome = {
            let heartbeat = keep_lease(app, &uuid, &hash);
            tokio::select! {
                outcome = self.steps() => outcome,
                lost = heartbeat => Err(lost),
            }
        };
        let ended = match outcome {
            Ok(()) => Some(("complete", None)),
            Err(Stop::Failed(reason)) => Some(("error", Some(reason))),
            Err(Stop::Lost) => None,
            Err(Stop::Internal(err)) => {
                tracing::warn!(build = %uuid, error = ?err, "build run failed; released to run again");
                self.log.flush().await.ok();
                let mut tx = self.app.db.begin().await?;
                db::builds::release_run(&mut tx, &uuid, &self.hash).await?;
                db::commit(tx).await?;
                return Ok(());
            }
        };
        let Some((phase, reason)) = ended else {
            // Cancelled (its phase entry is the canceller's) or taken over: retire the secret.
            self.log.flush().await?;
            let mut tx = self.app.db.begin().await?;
            let now =
                db::builds::set_run_phase(&mut tx, &uuid, &self.hash, "cancelled", true).await?;
            db::commit(tx).await?;
            if now.is_some() {
                log::archive(self.app, &uuid).await?;
            }
            tracing::info!(build = %uuid, "build stopped: cancelled or taken over");
            return Ok(());
        };
        if let Some(reason) = &reason {
            self.log.push(entry(reason, Some(EntryKind::Error)));
        }
        // The whole log is stored where readers find it before the phase says the build
        // ended, so a client that sees `complete` or `error` reads the log to its end.
        self.log.push(entry(phase, Some(EntryKind::Phase)));
        self.log.flush().await?;
        log::archive(self.app, &uuid).await?;
        let mut tx = self.app.db.begin().await?;
        let now = db::builds::set_run_phase(&mut tx, &uuid, &self.hash, phase, true).await?;
        db::commit(tx).await?;
        if now.as_deref() == Some(phase) {
            let mut metadata = event_metadata(&self.build, &self.job);
            let kind = match reason {
                None => "build_success",
                Some(reason) => {
                    metadata["error_message"] = json!(reason);
                    "build_failure"
                }
            };
            record_event(self.app, &self.build, kind, metadata).await?;
        }
        tracing::info!(build = %uuid, phase, "build ended");
        Ok(())
    }

    /// Moves to the next running phase; stops when the run lost the build.
    async fn enter(&mut self, phase: &str) -> std::result::Result<(), Stop> {
        let mut tx = self.app.db.begin().await?;
        let now =
            db::builds::set_run_phase(&mut tx, &self.build.uuid, &self.hash, phase, false).await?;
        db::commit(tx).await?;
        if now.as_deref() != Some(phase) {
            return Err(Stop::Lost);
        }
        self.log.push(entry(phase, Some(EntryKind::Phase)));
        self.log.flush().await?;
        Ok(())
    }

    async fn steps(&mut self) -> std::result::Result<(), Stop> {
        let dockerfile_path = self.job_text("build_subdir");
        let context_dir = self.job_text("context");
        let registry = self.job_text("registry");
        let image = format!(
            "{registry}/{}/{}",
            self.build.namespace, self.build.repository
        );
        let tags = self.tags();

        self.enter("unpacking").await?;
        tokio::fs::create_dir_all(&self.folder)
            .await
            .map_err(|e| Stop::Internal(anyhow::Error::from(e).into()))?;
        let package = self.folder.join("package");
        let source = match &self.build.resource_key {
            Some(file_id) => {
                let (content_type, _, bytes) = super::read_file(self.app, file_id).await?;
                Source::File(content_type, bytes)
            }
            None => Source::Url(
                self.job
                    .get("archive_url")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            ),
        };
        let content_type = context::fetch(self.app, source, &package).await?;
        let root = self.folder.join("context");
        context::unpack(package, content_type, root.clone(), dockerfile_path.clone()).await?;
        let (dockerfile, directory) = context::locate(&root, &dockerfile_path, &context_dir)?;
        let text = tokio::fs::read_to_string(&dockerfile)
            .await
            .map_err(|e| ContextError::Dockerfile(format!("{dockerfile_path}: {e}")))?;

        let tls_verify = self.app.config.preferred_url_scheme == "https";
        let buildah = Buildah::prepare(
            &self.builder.buildah,
            &self.folder,
            &registry,
            build_tokens::USERNAME,
            &self.secret,
            tls_verify,
        )
        .map_err(|e| Stop::Internal(anyhow::Error::from(e).into()))?;
        let tls = buildah.tls_flag();

        self.enter("pulling").await?;
        for base in context::base_images(&text) {
            self.log
                .push(entry(&format!("Pulling base image: {base}"), None));
            if !buildah.run(["pull", &tls, &base], &mut self.log).await? {
                return Err(Stop::Failed(format!("Could not pull base image {base}")));
            }
        }

        self.enter("building").await?;
        record_event(
            self.app,
            &self.build,
            "build_start",
            event_metadata(&self.build, &self.job),
        )
        .await?;
        let first = format!("{image}:{}", tags.first().map_or("latest", String::as_str));
        let built = buildah
            .run(
                [
                    "bud".as_ref(),
                    "--isolation=chroot".as_ref(),
                    "--format=docker".as_ref(),
                    tls.as_ref(),
                    "-f".as_ref(),
                    dockerfile.as_os_str(),
                    "-t".as_ref(),
                    first.as_ref(),
                    directory.as_os_str(),
                ],
                &mut self.log,
            )
            .await?;
        if !built {
            return Err(Stop::Failed("The Dockerfile could not be built".into()));
        }

        self.enter("pushing").await?;
        for tag in &tags {
            let target = format!("docker://{image}:{tag}");
            if !buildah
                .run(["push", &tls, &first, &target], &mut self.log)
                .await?
            {
                return Err(Stop::Failed(format!("Could not push tag {tag}")));
            }
        }
        Ok(())
    }
}

/// Renews the run's lease until it is lost (cancelled or taken over); never returns before.
async fn keep_lease(app: &App, uuid: &str, hash: &str) -> Stop {
    let lease_ms = i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX);
    loop {
        tokio::time::sleep(HEARTBEAT).await;
        let renewed = async {
            let mut tx = app.db.begin().await?;
            let held =
                db::builds::renew_lease(&mut tx, uuid, hash, db::now_ms() + lease_ms).await?;
            db::commit(tx).await?;
            Ok::<bool, db::Error>(held)
        };
        match renewed.await {
            Ok(true) => {}
            Ok(false) => return Stop::Lost,
            // A database hiccup: the lease outlasts several heartbeats, so try again.
            Err(err) => {
                tracing::warn!(build = %uuid, error = ?err, "could not renew a build's lease")
            }
        }
    }
}
