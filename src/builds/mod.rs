//! Repository builds (core-api.md §5, superuser-api.md §11): files dropped for them, build
//! requests with Quay's job configuration, the build list, status, log and cancelling.
//!
//! A requested build waits in phase `waiting` until a build worker takes it (`run`).

mod buildah;
mod context;
pub mod log;
pub mod run;

use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha224};

use crate::accounts::{self, roles::superuser_override, Principal};
use crate::app::App;
use crate::blobs::{self, StoredBlob};
use crate::db::{self, builds::BuildRow, builds::UserFileRow};
use crate::logs::{self, Actor, Scope};
use crate::repositories::{notifications, Repository};
use crate::storage::{ByteStream, StoredBytes};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Not Found")]
    NotFound,
    /// Quay's answer on the status and log routes for an unknown build.
    #[error("Unable to locate a build by id: {0}")]
    UnknownBuild(String),
    #[error("file_id or archive_url required")]
    NoSource,
    #[error("Invalid Archive URL: Must be http or https")]
    ArchiveUrlScheme,
    #[error("Invalid Archive URL: Must be a valid URI")]
    ArchiveUrlInvalid,
    #[error("File {0} could not be found or is invalid")]
    FileNotFound(String),
    #[error("Build is currently running or has finished")]
    NotCancellable,
    /// A dropped package that cannot be built: not the archive it says it is, or without the
    /// Dockerfile the request names.
    #[error(transparent)]
    InvalidPackage(context::ContextError),
    /// The pull robot does not exist.
    #[error("Not Found")]
    UnknownRobot,
    /// The pull robot, or the file's earlier build, is not the caller's to use.
    #[error("Unauthorized")]
    Unauthorized,
    #[error(transparent)]
    Blob(#[from] blobs::Error),
    #[error(transparent)]
    Db(#[from] db::Error),
    #[error(transparent)]
    Namespace(#[from] crate::namespaces::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Registers a file to be uploaded with `PUT /userfiles/<id>`; returns its id.
pub async fn drop_file(app: &App, content_type: &str) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = app.db.begin().await?;
    db::builds::insert_user_file(&mut tx, &id, content_type, db::now_ms()).await?;
    db::commit(tx).await?;
    Ok(id)
}

/// Stores the bytes of dropped file `id`.
pub async fn store_file(
    app: &App,
    id: &str,
    content_type: &str,
    body: ByteStream<'_>,
) -> Result<StoredBlob> {
    {
        let mut conn = app.db.reader().await?;
        db::builds::find_user_file(&mut conn, id)
            .await?
            .ok_or(Error::NotFound)?;
    }
    let reference = async |conn: &mut db::DbConn, blob: &StoredBlob| {
        db::builds::set_user_file_blob(conn, id, blob.id, content_type).await
    };
    Ok(blobs::store_stream(app, body, blobs::Algorithm::Sha256, reference).await?)
}

/// A stored dropped file: its type, size and bytes.
pub async fn read_file(app: &App, id: &str) -> Result<(String, u64, StoredBytes)> {
    let file = {
        let mut conn = app.db.reader().await?;
        db::builds::find_user_file(&mut conn, id).await?
    };
    // A file announced but never uploaded is not found either.
    let Some(UserFileRow {
        content_type,
        digest: Some(digest),
        size: Some(size),
        ..
    }) = file
    else {
        return Err(Error::NotFound);
    };
    let size = u64::try_from(size).unwrap_or(0);
    let bytes = app
        .storage
        .read_blob(&digest, 0, size)
        .await
        .map_err(blobs::Error::Storage)?;
    Ok((content_type, size, bytes))
}

/// What a build request asks (Quay's `RepositoryBuildRequest`).
#[derive(Debug, Default)]
pub struct BuildRequest {
    pub file_id: Option<String>,
    pub archive_url: Option<String>,
    pub subdirectory: Option<String>,
    pub dockerfile_path: Option<String>,
    pub context: Option<String>,
    pub docker_tags: Option<Vec<String>>,
    pub pull_robot: Option<String>,
}

/// A tag as Quay escapes a requested one: a leading non-word character and every character
/// outside `[\w.-]` become `_`, at most 127 characters, `latest` when empty.
fn escape_tag(tag: &str) -> String {
    let mut escaped: String = tag
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let word = c.is_ascii_alphanumeric() || c == '_';
            if word || (i > 0 && matches!(c, '.' | '-')) {
                c
            } else {
                '_'
            }
        })
        .take(127)
        .collect();
    if escaped.is_empty() {
        escaped = "latest".into();
    }
    escaped
}

/// Quay's `(build_subdir, context)` of a request: `dockerfile_path` wins over `subdirectory`.
fn dockerfile_and_context(request: &BuildRequest) -> (String, String) {
    if let Some(path) = &request.dockerfile_path {
        let context = request.context.clone().unwrap_or_else(|| {
            let parent = std::path::Path::new(path)
                .parent()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            parent
        });
        return (path.clone(), context);
    }
    if let Some(subdirectory) = &request.subdirectory {
        let dir = if subdirectory.ends_with('/') {
            subdirectory.clone()
        } else {
            format!("{subdirectory}/")
        };
        return (format!("{dir}Dockerfile"), subdirectory.clone());
    }
    let context = request.context.clone().unwrap_or_else(|| "/".into());
    let dockerfile = if context.ends_with('/') {
        format!("{context}Dockerfile")
    } else {
        format!("{context}/Dockerfile")
    };
    (dockerfile, context)
}

/// A dropped file builds only if it is what it says: an archive that opens and holds the
/// Dockerfile, or a Dockerfile.
async fn check_file(app: &App, file_id: &str, dockerfile: &str) -> Result<()> {
    let (content_type, _, bytes) = match read_file(app, file_id).await {
        Err(Error::NotFound) => return Err(Error::FileNotFound(file_id.to_owned())),
        other => other?,
    };
    context::check_stored_package(content_type, bytes, dockerfile.to_owned())
        .await
        .map_err(Error::InvalidPackage)
}

/// Quay's rule for a pull robot: it exists, and the caller administers its namespace.
async fn check_pull_robot(app: &App, caller: &Principal<'_>, robot: &str) -> Result<()> {
    let Some((namespace, _)) = robot.split_once('+') else {
        return Err(Error::Unauthorized);
    };
    let mut conn = app.db.reader().await?;
    let robot_row = db::accounts::find_account_by_name(&mut conn, robot).await?;
    if robot_row.is_none_or(|a| a.robot == 0) {
        return Err(Error::UnknownRobot);
    }
    if caller.account.username == namespace
        || superuser_override(&app.config, caller.account, caller.scopes)
    {
        return Ok(());
    }
    let organization = db::accounts::find_account_by_name(&mut conn, namespace)
        .await?
        .map(accounts::Account::from)
        .filter(|a| a.organization);
    drop(conn);
    match organization {
        Some(org)
            if crate::namespaces::is_org_admin(app, &org, caller.account, caller.scopes)
                .await? =>
        {
            Ok(())
        }
        _ => Err(Error::Unauthorized),
    }
}

/// A file an earlier build used may build again only for who may write where it was built.
async fn check_file_reuse(app: &App, caller: &Principal<'_>, file_id: &str) -> Result<()> {
    let mut conn = app.db.reader().await?;
    let Some(first) = db::builds::find_first_build_of_file(&mut conn, file_id).await? else {
        return Ok(());
    };
    let Some(row) =
        db::registry::find_repository_by_name(&mut conn, &first.namespace, &first.repository)
            .await?
    else {
        return Ok(());
    };
    let repo = Repository::from_row(row, &first.namespace);
    let role = crate::repositories::permissions::effective_role(
        &mut conn,
        &app.config,
        Some(caller.account),
        caller.scopes,
        &repo,
    )
    .await?;
    if role >= Some(accounts::Role::Write) {
        Ok(())
    } else {
        Err(Error::Unauthorized)
    }
}

/// Queues a build of `repo` for `caller` (who may write there), logged `build_dockerfile`.
pub async fn request_build(
    app: &App,
    caller: &Principal<'_>,
    repo: &Repository,
    request: BuildRequest,
) -> Result<BuildRow> {
    if let Some(robot) = &request.pull_robot {
        check_pull_robot(app, caller, robot).await?;
    }
    let (dockerfile, context) = dockerfile_and_context(&request);
    let (display_name, resource_key) = match (&request.file_id, &request.archive_url) {
        (Some(file_id), _) => {
            check_file_reuse(app, caller, file_id).await?;
            check_file(app, file_id, &dockerfile).await?;
            let mut conn = app.db.reader().await?;
            let file = db::builds::find_user_file(&mut conn, file_id).await?;
            let digest = file
                .and_then(|f| f.digest)
                .ok_or_else(|| Error::FileNotFound(file_id.clone()))?;
            let hex = digest.split_once(':').map_or(digest.as_str(), |(_, h)| h);
            (
                hex.chars().take(7).collect::<String>(),
                Some(file_id.clone()),
            )
        }
        (None, Some(url)) => {
            let parsed = url::Url::parse(url).map_err(|_| Error::ArchiveUrlInvalid)?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(Error::ArchiveUrlScheme);
            }
            let hash = hex::encode(Sha224::digest(url.as_bytes()));
            (hash[..7].to_owned(), None)
        }
        (None, None) => return Err(Error::NoSource),
    };
    let tags: Vec<String> = request
        .docker_tags
        .clone()
        .unwrap_or_else(|| vec!["latest".into()])
        .iter()
        .map(|t| escape_tag(t))
        .collect();
    let manual_user = caller.account.username.clone();
    let mut job_config = Map::new();
    job_config.insert("docker_tags".into(), json!(tags));
    job_config.insert("registry".into(), json!(app.config.server_hostname));
    job_config.insert("build_subdir".into(), json!(dockerfile));
    job_config.insert("context".into(), json!(context));
    job_config.insert("trigger_metadata".into(), json!({}));
    job_config.insert("is_manual".into(), json!(true));
    job_config.insert("manual_user".into(), json!(manual_user));
    if let Some(url) = &request.archive_url {
        job_config.insert("archive_url".into(), json!(url));
    }
    let uuid = uuid::Uuid::new_v4().to_string();
    let mut tx = app.db.begin().await?;
    db::builds::insert_build(
        &mut tx,
        &db::builds::NewBuild {
            uuid: &uuid,
            repository_id: repo.id,
            started_ms: db::now_ms(),
            display_name: &display_name,
            resource_key: resource_key.as_deref(),
            job_config: &Value::Object(job_config).to_string(),
            pull_robot: request.pull_robot.as_deref(),
        },
    )
    .await?;
    // Quay writes this entry without a performer.
    let metadata = json!({
        "build_id": uuid,
        "docker_tags": tags,
        "repo": repo.name,
        "namespace": repo.namespace,
        "is_manual": true,
        "manual_user": manual_user,
    });
    let actor = Actor::anonymous(caller.actor.ip.clone());
    let scope = Scope::repository(repo.namespace_id, repo.id);
    logs::record(&mut tx, &actor, "build_dockerfile", scope, metadata.clone()).await?;
    let subpage = format!("build/{uuid}");
    let event = metadata.as_object().cloned().unwrap_or_default();
    notifications::notify(
        &app.config,
        &mut tx,
        repo,
        "build_queued",
        event,
        Some(&subpage),
    )
    .await?;
    db::commit(tx).await?;
    let mut conn = app.db.reader().await?;
    db::builds::find_build(&mut conn, &uuid)
        .await?
        .ok_or(Error::NotFound)
}

/// The repository's builds started since `since_ms`, newest first.
pub async fn list_builds(
    app: &App,
    repo: &Repository,
    since_ms: i64,
    limit: i64,
) -> Result<Vec<BuildRow>> {
    let mut conn = app.db.reader().await?;
    Ok(db::builds::list_builds(&mut conn, repo.id, since_ms, limit).await?)
}

/// The phase a build view shows: a running build whose worker stopped renewing its lease is
/// `internalerror` (Quay's stale heartbeat), `expired` once it has no attempts left.
pub fn reported_phase(build: &BuildRow, now_ms: i64) -> &str {
    let running = db::builds::RUNNING_PHASES.contains(&build.phase.as_str());
    let lapsed = running && build.lease_until_ms.is_some_and(|until| until < now_ms);
    if lapsed || build.phase == "internalerror" {
        if build.attempts >= run::MAX_ATTEMPTS {
            "expired"
        } else {
            "internalerror"
        }
    } else {
        &build.phase
    }
}

/// Build `uuid`, wherever it is; `missing` is the error for an unknown one.
pub async fn find_build(app: &App, uuid: &str, missing: fn(&str) -> Error) -> Result<BuildRow> {
    let mut conn = app.db.reader().await?;
    db::builds::find_build(&mut conn, uuid)
        .await?
        .ok_or_else(|| missing(uuid))
}

/// Build `uuid` of `repo`: one of another repository is not found there.
pub async fn repository_build(
    app: &App,
    repo: &Repository,
    uuid: &str,
    missing: fn(&str) -> Error,
) -> Result<BuildRow> {
    let build = find_build(app, uuid, missing).await?;
    if build.repository_id != repo.id {
        return Err(Error::NotFound);
    }
    Ok(build)
}

/// The build's log from entry `start` on.
pub async fn read_log(app: &App, build: &BuildRow, start: i64) -> Result<log::LogPage> {
    log::read(app, &build.uuid, start).await
}

/// Cancels a build that waits or runs but is not pushing yet, logged `cancel_build`; the
/// worker running it stops within a heartbeat.
pub async fn cancel_build(app: &App, actor: &Actor, repo: &Repository, uuid: &str) -> Result<()> {
    let build = repository_build(app, repo, uuid, |_| Error::NotFound).await?;
    let mut tx = app.db.begin().await?;
    if !db::builds::cancel_build(&mut tx, &build.uuid).await? {
        return Err(Error::NotCancellable);
    }
    let scope = Scope::repository(repo.namespace_id, repo.id);
    let metadata = json!({ "build_uuid": build.uuid });
    logs::record(&mut tx, actor, "cancel_build", scope, metadata).await?;
    let job: Value = serde_json::from_str(&build.job_config).unwrap_or(Value::Null);
    let event = json!({
        "build_id": build.uuid, "build_name": build.display_name,
        "docker_tags": job.get("docker_tags").cloned().unwrap_or_else(|| json!([])),
        "trigger_id": null, "trigger_kind": null, "trigger_metadata": {},
    });
    let subpage = format!("build/{}", build.uuid);
    let event = event.as_object().cloned().unwrap_or_default();
    notifications::notify(
        &app.config,
        &mut tx,
        repo,
        "build_cancelled",
        event,
        Some(&subpage),
    )
    .await?;
    db::commit(tx).await?;
    log::append(
        app,
        &build.uuid,
        log::entry("cancelled", Some(log::EntryKind::Phase)),
    )
    .await?;
    if build.phase == "waiting" {
        // No worker holds it to archive its log.
        log::archive(app, &build.uuid).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_escaped_as_quay_does() {
        assert_eq!(escape_tag("v1.0-rc"), "v1.0-rc");
        assert_eq!(escape_tag("-x"), "_x");
        assert_eq!(escape_tag("a b/c"), "a_b_c");
        assert_eq!(escape_tag(""), "latest");
        assert_eq!(escape_tag(&"x".repeat(200)).len(), 127);
    }

    #[test]
    fn dockerfile_and_context_follow_quay() {
        let request =
            |subdirectory: Option<&str>, path: Option<&str>, context: Option<&str>| BuildRequest {
                subdirectory: subdirectory.map(str::to_owned),
                dockerfile_path: path.map(str::to_owned),
                context: context.map(str::to_owned),
                ..BuildRequest::default()
            };
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            dockerfile_and_context(&request(None, None, None)),
            pair("/Dockerfile", "/")
        );
        assert_eq!(
            dockerfile_and_context(&request(Some("app"), None, None)),
            pair("app/Dockerfile", "app")
        );
        assert_eq!(
            dockerfile_and_context(&request(None, Some("/src/Dockerfile"), None)),
            pair("/src/Dockerfile", "/src")
        );
        assert_eq!(
            dockerfile_and_context(&request(None, None, Some("/ctx"))),
            pair("/ctx/Dockerfile", "/ctx")
        );
    }
}
