//! Container repositories: looked up by registry name, created on push, listed in the
//! catalog (core-api.md §2.6), deleted with their namespace.

pub mod access;
pub mod grants;
pub mod labels;
pub mod management;
pub mod names;
pub mod notifications;
pub mod permissions;
pub mod tag_policies;
pub mod tags;

use serde_json::{json, Map, Value};

use crate::accounts::{robots, Account};
use crate::app::App;
use crate::db::{self, accounts::AccountRow, registry::RepositoryRow, DbConn};
use crate::logs;
use crate::user_events;
pub use access::RegistryCaller;
pub use names::{NameError, NamingRules, RepoName};

/// Repository `state` values (Quay's `RepositoryState`).
pub const STATE_NORMAL: &str = "normal";
pub const STATE_MARKED_FOR_DELETION: &str = "marked_for_deletion";
/// A mirror of another registry's repository: only its robot pushes.
pub const STATE_MIRROR: &str = "mirror";
/// Nobody pushes.
pub const STATE_READ_ONLY: &str = "read_only";

#[derive(Debug, Clone)]
pub struct Repository {
    pub id: i64,
    pub namespace_id: i64,
    pub namespace: String,
    pub name: String,
    pub public: bool,
    pub kind: String,
    pub state: String,
}

impl Repository {
    pub(crate) fn from_row(row: RepositoryRow, namespace: &str) -> Repository {
        Repository {
            id: row.id,
            namespace_id: row.namespace_id,
            namespace: namespace.to_owned(),
            name: row.name,
            public: row.public != 0,
            kind: row.kind,
            state: row.state,
        }
    }

    /// Quay's guard of REST changes (tags, labels): only a repository in the normal state
    /// takes them; a mirror changes through its syncs only.
    pub fn ensure_normal(&self) -> Result<(), NotNormal> {
        if self.state == STATE_NORMAL {
            Ok(())
        } else {
            Err(NotNormal(self.state.to_uppercase()))
        }
    }

    /// `namespace/name`, as clients write it.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// A change refused because the repository is read-only or a mirror (Quay's 503).
#[derive(Debug, thiserror::Error)]
#[error("Repository is in read only or mirror mode: {0}")]
pub struct NotNormal(pub String);

/// The namespace account of `name` and its repository, each None when missing.
async fn find_with_namespace(
    conn: &mut DbConn,
    name: &RepoName,
) -> db::Result<(Option<Account>, Option<Repository>)> {
    let Some(namespace) = db::accounts::find_account_by_name(conn, &name.namespace)
        .await?
        .map(Account::from)
    else {
        return Ok((None, None));
    };
    let repo = db::registry::find_repository(conn, namespace.id, &name.name)
        .await?
        .map(|row| Repository::from_row(row, &namespace.username));
    Ok((Some(namespace), repo))
}

/// The repository `name`; None when it does not exist or is being deleted.
pub async fn find_repository(app: &App, name: &RepoName) -> db::Result<Option<Repository>> {
    let mut conn = app.db.reader().await?;
    let row = db::registry::find_repository_by_name(&mut conn, &name.namespace, &name.name).await?;
    Ok(row
        .filter(|r| r.state != STATE_MARKED_FOR_DELETION)
        .map(|r| Repository::from_row(r, &name.namespace)))
}

/// One catalog page (core-api.md §2.6): the image repositories `username` can see, from id
/// `start_id` on, plus the id the next page starts at.
pub async fn list_visible_repositories(
    app: &App,
    username: &str,
    start_id: i64,
    limit: i64,
) -> db::Result<(Vec<String>, Option<i64>)> {
    let mut conn = app.db.reader().await?;
    let Some(account) = db::accounts::find_account_by_name(&mut conn, username)
        .await?
        .map(Account::from)
    else {
        return Ok((Vec::new(), None));
    };
    if !account.enabled {
        return Ok((Vec::new(), None));
    }
    let all = account.is_global_readonly_superuser(&app.config);
    let mut rows = db::registry::list_visible_repositories_page(
        &mut conn,
        account.id,
        all,
        start_id,
        limit + 1,
    )
    .await?;
    let next = (rows.len() as i64 > limit)
        .then(|| rows.pop().map(|r| r.id))
        .flatten();
    Ok((
        rows.into_iter()
            .map(|r| format!("{}/{}", r.namespace, r.name))
            .collect(),
        next,
    ))
}

/// The account a registry token was issued to, for the usage log a registry write records in
/// its own transaction (reads resolve it when their deferred entry is written).
pub async fn registry_performer(
    conn: &mut DbConn,
    caller: &RegistryCaller,
) -> db::Result<Option<AccountRow>> {
    match &caller.username {
        Some(name) => db::accounts::find_account_by_name(conn, name).await,
        None => Ok(None),
    }
}

/// Writes a registry usage log (`push_repo`, `delete_tag`, ...) by `performer` (see
/// [`registry_performer`]) through `conn`, normally the action's transaction.
pub async fn record_registry_log(
    conn: &mut DbConn,
    caller: &RegistryCaller,
    performer: Option<&AccountRow>,
    repo: &Repository,
    kind: &str,
    extra: Value,
) -> db::Result<()> {
    let actor = registry_actor(caller, performer);
    let metadata = registry_metadata(caller, repo, extra);
    logs::record(conn, &actor, kind, registry_scope(repo), metadata).await
}

/// Queues the usage log of a registry read (`pull_repo`) for the batch writer
/// (`logs::deferred`); the performer is resolved from the token's user when it is written.
pub async fn record_registry_read(
    app: &App,
    caller: &RegistryCaller,
    repo: &Repository,
    kind: &'static str,
    extra: Value,
) {
    publish_registry_event(app, caller, repo, kind);
    let actor = registry_actor(caller, None);
    let metadata = registry_metadata(caller, repo, extra);
    logs::record_deferred(
        &app.deferred_logs,
        &actor,
        kind,
        registry_scope(repo),
        metadata,
    )
    .await
}

/// The caller's live `docker-cli` event for a registry action (`push_repo`, `pull_repo`), as
/// Quay publishes it: for users only, never for robots or anonymous callers.
pub fn publish_registry_event(app: &App, caller: &RegistryCaller, repo: &Repository, action: &str) {
    let Some(username) = caller.username.as_deref() else {
        return;
    };
    if !app.config.features.user_events || robots::owner_name(username).is_some() {
        return;
    }
    let data = json!({
        "action": action,
        "namespace": repo.namespace,
        "repository": repo.name,
    });
    app.user_events
        .publish(username, user_events::DOCKER_CLI, &data);
}

/// Who acted on `/v2`, for entries written in the action's transaction.
pub fn registry_actor(caller: &RegistryCaller, performer: Option<&AccountRow>) -> logs::Actor {
    logs::Actor {
        performer_id: performer.map(|p| p.id),
        performer_name: caller.username.clone(),
        ip: caller.ip.clone(),
        oauth: caller.oauth.clone(),
    }
}

fn registry_scope(repo: &Repository) -> logs::Scope {
    logs::Scope::repository(repo.namespace_id, repo.id)
}

/// The fields Quay adds to every `/v2` entry (core-api.md §4.1), then `extra`.
fn registry_metadata(caller: &RegistryCaller, repo: &Repository, extra: Value) -> Value {
    let mut metadata = Map::new();
    metadata.insert("repo".into(), json!(repo.name));
    metadata.insert("namespace".into(), json!(repo.namespace));
    metadata.insert("user-agent".into(), json!(caller.user_agent));
    if let Some(username) = &caller.username {
        metadata.insert("username".into(), json!(username));
        if robots::owner_name(username).is_some() {
            metadata.insert("is_robot".into(), json!(true));
        }
    }
    if let Value::Object(extra) = extra {
        metadata.extend(extra);
    }
    Value::Object(metadata)
}

/// Removes the robots and every repository of a deleted namespace, then the account itself.
/// Blob bytes no longer referenced are left to the blob collector.
pub async fn purge_namespace(app: &App, account_id: i64) -> anyhow::Result<()> {
    let mut tx = app.db.begin().await?;
    db::robots::delete_robots_of_owner(&mut tx, account_id).await?;
    db::registry::delete_repositories_of_namespace(&mut tx, account_id).await?;
    db::accounts::delete_account(&mut tx, account_id).await?;
    tx.commit().await?;
    Ok(())
}
