//! `/api/v1/repository/{namespace}/{name...}/{resource...}`: repository names may hold `/`
//! (`FEATURE_EXTENDED_REPOSITORY_NAMES`), so the path is split once, at the first segment
//! after the name that names a repository resource.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::repositories::names::{NamingRules, RepoName};

/// Sub-resources of a repository, as the first segment after its name.
const RESOURCES: &[&str] = &[
    "logs",
    "aggregatelogs",
    "exportlogs",
    "changevisibility",
    "permissions",
    "tag",
    "manifest",
];

pub struct RepositoryPath {
    pub repo: RepoName,
    /// The resource and what follows it, e.g. `logs`; empty for the repository itself.
    pub resource: String,
}

fn split(path: &str) -> (&str, &str) {
    let segments: Vec<&str> = path.split('/').collect();
    let at = segments
        .iter()
        .enumerate()
        .skip(2)
        .find(|(_, s)| RESOURCES.contains(s))
        .map(|(i, _)| i)
        .unwrap_or(segments.len());
    let name_len: usize = segments[..at]
        .iter()
        .map(|s| s.len() + 1)
        .sum::<usize>()
        .saturating_sub(1);
    let rest = path.get(name_len + 1..).unwrap_or("");
    (&path[..name_len], rest)
}

impl FromRequestParts<AppState> for RepositoryPath {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Path(path) = Path::<String>::from_request_parts(parts, app)
            .await
            .map_err(|_| ApiError::not_found())?;
        let (name, resource) = split(&path);
        let repo = RepoName::parse(name, NamingRules::from_config(&app.config))
            .map_err(|_| ApiError::not_found())?;
        Ok(RepositoryPath {
            repo,
            resource: resource.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_at_the_resource() {
        assert_eq!(split("ns/app/logs"), ("ns/app", "logs"));
        assert_eq!(split("ns/a/b/aggregatelogs"), ("ns/a/b", "aggregatelogs"));
        assert_eq!(split("ns/app"), ("ns/app", ""));
        assert_eq!(split("ns/logs/logs"), ("ns/logs", "logs"));
    }
}
