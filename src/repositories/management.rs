//! Repository management through `/api/v1` (core-api.md §3.3): create, read, list, change the
//! description or visibility, star, and delete (the name is freed at once; a job purges).

use std::collections::HashMap;

use serde_json::json;

use super::names::{NamingRules, RepoName};
use super::permissions::{can_create_in, effective_role};
use super::{find_repository, Repository};
use crate::accounts::Role;
use crate::accounts::{self, Account, Scopes};
use crate::app::App;
use crate::db::{
    self, repositories::AliveTagRow, repositories::RepositoryFilter,
    repositories::RepositoryListRow,
};
use crate::jobs;
use crate::logs::{self, Actor};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Repository already exists")]
    AlreadyExists,
    #[error("Invalid repository name")]
    InvalidName,
    #[error("Not Found")]
    NotFound,
    #[error("Unauthorized")]
    Unauthorized,
    #[error("{0}")]
    InvalidRequest(&'static str),
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Who calls: an account (None: anonymous) and the rights its credential leaves it.
#[derive(Clone, Copy)]
pub struct Requester<'a> {
    pub account: Option<&'a Account>,
    pub scopes: Scopes,
}

/// The repository and the caller's role on it. A private repository the caller cannot read is
/// reported like a missing one to outsiders (401/403), and as missing (404) to those with
/// rights over the whole namespace (core-api.md §3.3).
pub async fn resolve(
    app: &App,
    who: Requester<'_>,
    name: &RepoName,
    needed: Role,
) -> Result<(Repository, Option<Role>)> {
    let repo = find_repository(app, name).await?;
    let mut conn = app.db.reader().await?;
    let Some(repo) = repo else {
        let namespace = accounts::find_account(app, &name.namespace)
            .await
            .map_err(|_| Error::NotFound)?;
        let namespace_wide = match (who.account, namespace) {
            (Some(account), Some(namespace)) => {
                can_create_in(&mut conn, account, &namespace, who.scopes).await?
            }
            _ => false,
        };
        return Err(if namespace_wide {
            Error::NotFound
        } else {
            Error::Unauthorized
        });
    };
    let role = effective_role(&mut conn, &app.config, who.account, who.scopes, &repo).await?;
    if role.is_none_or(|r| r < needed) {
        return Err(Error::Unauthorized);
    }
    Ok((repo, role))
}

pub struct NewRepository<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    pub public: bool,
    pub description: &'a str,
}

/// Creates `namespace/name` for the caller, who becomes its admin (core-api.md §3.3).
pub async fn create_repository(
    app: &App,
    actor: &Actor,
    who: Requester<'_>,
    new: NewRepository<'_>,
) -> Result<Repository> {
    let creator = who.account.ok_or(Error::Unauthorized)?;
    let (namespace, name, public, description) =
        (new.namespace, new.name, new.public, new.description);
    let repo_name = RepoName::parse(
        &format!("{namespace}/{name}"),
        NamingRules::from_config(&app.config),
    )
    .map_err(|_| Error::InvalidName)?;
    let owner = accounts::find_account(app, &repo_name.namespace)
        .await
        .map_err(|_| Error::NotFound)?
        .filter(|a| !a.robot)
        .ok_or(Error::Unauthorized)?;
    if !can_create_in(&mut *app.db.reader().await?, creator, &owner, who.scopes).await? {
        return Err(Error::Unauthorized);
    }
    let mut tx = app.db.begin().await?;
    let row =
        db::registry::insert_repository(&mut tx, owner.id, &repo_name.name, public, db::now_ms())
            .await?
            .ok_or(Error::AlreadyExists)?;
    db::repositories::update_description(&mut tx, row.id, description).await?;
    if creator.id != owner.id {
        db::registry::upsert_repository_permission(
            &mut tx,
            row.id,
            creator.id,
            Role::Admin.as_str(),
        )
        .await?;
    }
    crate::namespaces::prototypes::apply(&mut tx, &owner, creator, row.id).await?;
    let metadata = json!({ "repo": repo_name.name, "namespace": owner.username });
    logs::record(
        &mut tx,
        actor,
        "create_repo",
        logs::Scope::repository(owner.id, row.id),
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(Repository::from_row(row, &owner.username))
}

pub async fn update_description(
    app: &App,
    actor: &Actor,
    repo: &Repository,
    description: &str,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    db::repositories::update_description(&mut tx, repo.id, description).await?;
    let metadata =
        json!({ "repo": repo.name, "namespace": repo.namespace, "description": description });
    logs::record(
        &mut tx,
        actor,
        "set_repo_description",
        scope(repo),
        metadata,
    )
    .await?;
    Ok(db::commit(tx).await?)
}

pub async fn change_visibility(
    app: &App,
    actor: &Actor,
    repo: &Repository,
    public: bool,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    db::repositories::update_visibility(&mut tx, repo.id, public).await?;
    let visibility = if public { "public" } else { "private" };
    let metadata =
        json!({ "repo": repo.name, "namespace": repo.namespace, "visibility": visibility });
    logs::record(
        &mut tx,
        actor,
        "change_repo_visibility",
        scope(repo),
        metadata,
    )
    .await?;
    Ok(db::commit(tx).await?)
}

/// Marks the repository deleted under a placeholder name and queues its purge.
pub async fn delete_repository(app: &App, actor: &Actor, repo: &Repository) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let metadata = json!({ "repo": repo.name, "namespace": repo.namespace });
    logs::record(&mut tx, actor, "delete_repo", scope(repo), metadata).await?;
    db::repositories::mark_repository_deleted(
        &mut tx,
        repo.id,
        &format!("deleted-{}", uuid::Uuid::new_v4()),
    )
    .await?;
    jobs::enqueue(
        &mut tx,
        &jobs::PurgeRepository {
            repository_id: repo.id,
        },
    )
    .await?;
    Ok(db::commit(tx).await?)
}

/// Removes a repository marked for deletion (the purge job). Blob bytes no longer referenced
/// are left to the blob collector.
pub async fn purge_repository(app: &App, repository_id: i64) -> anyhow::Result<()> {
    let mut tx = app.db.begin().await?;
    db::repositories::delete_repository(&mut tx, repository_id).await?;
    db::commit(tx).await?;
    Ok(())
}

pub async fn set_star(
    app: &App,
    account: &Account,
    repo: &Repository,
    starred: bool,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if starred {
        db::repositories::insert_star(&mut tx, account.id, repo.id, db::now_ms()).await?;
    } else {
        db::repositories::delete_star(&mut tx, account.id, repo.id).await?;
    }
    Ok(db::commit(tx).await?)
}

/// What the repository view shows besides the repository itself.
pub struct RepositoryDetails {
    pub description: String,
    pub namespace: Account,
    pub starred: bool,
    pub tags: Vec<AliveTagRow>,
}

/// At most this many tags are listed on a repository (Quay).
const MAX_LISTED_TAGS: i64 = 500;

pub async fn details(
    app: &App,
    who: Requester<'_>,
    repo: &Repository,
    include_tags: bool,
) -> Result<RepositoryDetails> {
    let mut conn = app.db.reader().await?;
    let namespace = db::accounts::find_account_by_id(&mut conn, repo.namespace_id)
        .await?
        .ok_or(Error::NotFound)?;
    let starred = match who.account {
        Some(account) => db::repositories::is_starred(&mut conn, account.id, repo.id).await?,
        None => false,
    };
    let tags = if include_tags {
        db::repositories::list_alive_tags(&mut conn, repo.id, db::now_ms(), MAX_LISTED_TAGS).await?
    } else {
        Vec::new()
    };
    Ok(RepositoryDetails {
        description: db::repositories::find_description(&mut conn, repo.id).await?,
        namespace: namespace.into(),
        starred,
        tags,
    })
}

/// Page size of repository listings.
pub const LIST_PAGE_SIZE: i64 = 100;

pub struct ListRequest<'a> {
    pub namespace: Option<&'a str>,
    pub public: bool,
    pub starred: bool,
}

/// One page of the repositories the caller may see; at least one of `namespace`, `public`
/// and `starred` is required, and `starred` needs a signed-in caller (Quay).
pub async fn list_repositories(
    app: &App,
    who: Requester<'_>,
    request: ListRequest<'_>,
    start_id: i64,
) -> Result<(Vec<RepositoryListRow>, Option<i64>)> {
    if request.namespace.is_none() && !request.public && !request.starred {
        return Err(Error::InvalidRequest(
            "Either the namespace, public or starred filter must be specified",
        ));
    }
    if request.starred && who.account.is_none() {
        return Err(Error::InvalidRequest(
            "You must be logged in to list starred repositories",
        ));
    }
    let account = who.account.filter(|_| who.scopes.allows_repo_read());
    let filter = RepositoryFilter {
        account_id: account.map_or(0, |a| a.id),
        namespace: request.namespace,
        public_only: account.is_none()
            || (request.public && request.namespace.is_none() && !request.starred),
        starred_only: request.starred,
        see_all: account.is_some_and(|a| a.is_global_readonly_superuser(&app.config)),
    };
    list_page(app, &filter, start_id).await
}

/// How far back a repository's popularity counts its actions (Quay: a week of daily counts).
const POPULARITY_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;

/// Quay's `popularity`: the usage-log entries (pulls, pushes, every action) of each repository
/// in the last week; repositories without any are absent.
pub async fn popularity(app: &App, repository_ids: &[i64]) -> Result<HashMap<i64, i64>> {
    let mut conn = app.db.reader().await?;
    let since = db::now_ms() - POPULARITY_WINDOW_MS;
    let counts = db::logs::count_repository_actions(&mut conn, repository_ids, since).await?;
    Ok(counts.into_iter().collect())
}

/// One page of the repositories `account` starred, whether or not it may still read them,
/// as Quay lists them.
pub async fn list_starred_repositories(
    app: &App,
    account: &Account,
    start_id: i64,
) -> Result<(Vec<RepositoryListRow>, Option<i64>)> {
    let filter = RepositoryFilter {
        account_id: account.id,
        namespace: None,
        public_only: false,
        starred_only: true,
        see_all: true,
    };
    list_page(app, &filter, start_id).await
}

/// One page of the repositories `filter` selects, from id `start_id` on; also the id the next
/// page starts at, if there is one.
async fn list_page(
    app: &App,
    filter: &RepositoryFilter<'_>,
    start_id: i64,
) -> Result<(Vec<RepositoryListRow>, Option<i64>)> {
    let mut conn = app.db.reader().await?;
    let mut rows =
        db::repositories::list_repositories_page(&mut conn, filter, start_id, LIST_PAGE_SIZE + 1)
            .await?;
    let next = crate::paging::split_next(&mut rows, Some(LIST_PAGE_SIZE), |r| r.id);
    Ok((rows, next))
}

fn scope(repo: &Repository) -> logs::Scope {
    logs::Scope::repository(repo.namespace_id, repo.id)
}
