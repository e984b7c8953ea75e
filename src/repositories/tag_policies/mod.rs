//! Tag policies of namespaces and repositories: immutability (`immutability.rs`) and
//! auto-prune (`autoprune.rs`). Namespace policies sit on Quay's `/organization/{name}/`
//! routes, which also take a user's own name; repository policies on the repository's.

pub mod autoprune;
pub mod immutability;

use regex::Regex;
use serde_json::{json, Map, Value};

use super::grants::{self, Need};
use super::names::RepoName;
use super::Repository;
use crate::accounts::{Account, Principal};
use crate::app::App;
use crate::db::{self, policies::PolicyScope};
use crate::logs;
use crate::namespaces::teams::OrgAccess;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Not Found")]
    NotFound,
    #[error("Unauthorized")]
    Unauthorized,
    /// A policy the rules refuse; the text is Quay's.
    #[error("{0}")]
    Invalid(String),
    /// A tag operation an immutable tag refuses: `Cannot <op> immutable tag '<tag>'`.
    #[error("Cannot {op} immutable tag '{tag}'")]
    TagImmutable { tag: String, op: &'static str },
    /// Quay's data-model refusals about immutable tags and expirations (400 `{"message"}`).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Grants(#[from] grants::Error),
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// What a policy belongs to.
pub enum Target {
    Namespace(Account),
    Repository(Repository),
}

impl Target {
    pub fn scope(&self) -> PolicyScope {
        match self {
            Target::Namespace(account) => PolicyScope {
                namespace_id: account.id,
                repository_id: None,
            },
            Target::Repository(repo) => PolicyScope {
                namespace_id: repo.namespace_id,
                repository_id: Some(repo.id),
            },
        }
    }

    fn log_scope(&self) -> logs::Scope {
        match self {
            Target::Namespace(account) => logs::Scope::namespace(account.id),
            Target::Repository(repo) => logs::Scope::repository(repo.namespace_id, repo.id),
        }
    }

    /// `namespace` and, for a repository, `repo`: the tail of every policy log's metadata.
    fn names(&self) -> Map<String, Value> {
        let mut names = Map::new();
        match self {
            Target::Namespace(account) => {
                names.insert("namespace".into(), json!(account.username));
            }
            Target::Repository(repo) => {
                names.insert("namespace".into(), json!(repo.namespace));
                names.insert("repo".into(), json!(repo.name));
            }
        }
        names
    }
}

/// The namespace of a `/organization/{name}/...` policy route for `caller`: organization
/// admins, a user on its own name, full-access superusers; for reads also global read-only
/// superusers. The name must be an enabled user or organization.
pub async fn namespace_target(
    app: &App,
    caller: &Principal<'_>,
    name: &str,
    reading: bool,
) -> Result<Target> {
    let mut conn = app.db.reader().await?;
    let access = OrgAccess::load(&mut conn, &app.config, caller, name).await?;
    if !(access.is_admin() || (reading && access.oversees())) {
        return Err(Error::Unauthorized);
    }
    let account = db::accounts::find_account_by_name(&mut conn, name)
        .await?
        .map(Account::from)
        .filter(|a| a.enabled && !a.robot)
        .ok_or(Error::NotFound)?;
    Ok(Target::Namespace(account))
}

/// The repository of a repository policy route, for its admins (reads: also global
/// read-only superusers).
pub async fn repository_target(
    app: &App,
    caller: &Principal<'_>,
    name: &RepoName,
    reading: bool,
) -> Result<Target> {
    let need = if reading { Need::Read } else { Need::Change };
    Ok(Target::Repository(
        grants::administered(app, caller, name, need).await?,
    ))
}

/// A tag pattern, fully anchored as Quay matches immutability patterns.
fn anchored(pattern: &str) -> std::result::Result<Regex, regex::Error> {
    Regex::new(&format!("^(?:{pattern})$"))
}
