//! The `{repository}` of `/api/v1/repository/{repository}/...`. Repository names may hold `/`
//! (`FEATURE_EXTENDED_REPOSITORY_NAMES`); the router sees them with their slashes
//! percent-encoded (`http::endpoints::RepositoryNames`), so the parameter is one segment.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use super::Caller;
use crate::accounts::Role;
use crate::app::AppState;
use crate::http::error::ApiError;
use crate::repositories::grants::{self, Need};
use crate::repositories::management;
use crate::repositories::names::{NamingRules, RepoName};
use crate::repositories::Repository;

pub struct RepositoryPath {
    pub repo: RepoName,
}

impl FromRequestParts<AppState> for RepositoryPath {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, app)
            .await
            .map_err(|_| ApiError::not_found())?;
        // Parameters arrive percent-decoded.
        let name = params
            .iter()
            .find(|(key, _)| *key == "repository")
            .map(|(_, value)| value)
            .ok_or_else(ApiError::not_found)?;
        let repo = RepoName::parse(name, NamingRules::from_config(&app.config))
            .map_err(|_| ApiError::not_found())?;
        Ok(RepositoryPath { repo })
    }
}

/// The least role an operation needs on the repository in its path.
pub trait NeededRole {
    const ROLE: Role;
}

pub struct Read;
pub struct Write;
pub struct Admin;

impl NeededRole for Read {
    const ROLE: Role = Role::Read;
}
impl NeededRole for Write {
    const ROLE: Role = Role::Write;
}
impl NeededRole for Admin {
    const ROLE: Role = Role::Admin;
}

/// The repository in the path, resolved for the caller, who holds at least `R`'s role on it.
pub struct RepositoryAccess<R> {
    pub repo: Repository,
    /// The caller's own role, which may exceed the one needed.
    pub role: Option<Role>,
    needed: PhantomData<R>,
}

impl<R: NeededRole> FromRequestParts<AppState> for RepositoryAccess<R> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let path = RepositoryPath::from_request_parts(parts, app).await?;
        let caller = Caller::from_request_parts(parts, app).await?;
        let (repo, role) = resolve_repository(app, &caller, &path.repo, R::ROLE).await?;
        Ok(RepositoryAccess {
            repo,
            role,
            needed: PhantomData,
        })
    }
}

/// The repository and the caller's role, or the error Quay gives this caller.
pub async fn resolve_repository(
    app: &AppState,
    caller: &Caller,
    name: &RepoName,
    needed: Role,
) -> Result<(Repository, Option<Role>), ApiError> {
    management::resolve(app, caller.requester(), name, needed)
        .await
        .map_err(|err| resolution_error(caller, err))
}

/// A failed repository rule, as this caller is told: 401 anonymous, 403 otherwise.
pub fn resolution_error(caller: &Caller, err: management::Error) -> ApiError {
    match err {
        management::Error::Unauthorized => caller.unauthorized(),
        other => other.into(),
    }
}

/// The repository of `path` for reading what only its admins see (notifications, mirror
/// settings): its admins, and global read-only superusers.
pub async fn read_as_admin(
    app: &AppState,
    caller: &Caller,
    path: &RepositoryPath,
) -> Result<Repository, ApiError> {
    let principal = caller.principal()?;
    Ok(grants::administered(app, &principal, &path.repo, Need::Read).await?)
}
