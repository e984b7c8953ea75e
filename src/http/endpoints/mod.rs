//! The `/api/v1` route table: every operation once, with the name Quay gives it. The router
//! and the discovery document (`GET /api/v1/discovery`) are both built from it, so a route
//! cannot exist without its description or the other way round.

pub mod docs;
mod table;

use axum::body::Body;
use axum::http::{Method, Request, Uri};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

use crate::accounts::Scopes;
use crate::app::AppState;
use crate::config::Config;

pub use table::table;

/// Where the API is mounted; table paths start with it, as Quay's discovery shows them.
pub const API_PREFIX: &str = "/api/v1";

/// The repository path parameter; its value may hold `/`.
const REPOSITORY_PARAMETER: &str = "{repository}";

/// What the discovery document says of one operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: Method,
    /// Quay's path template, e.g. `/api/v1/repository/{repository}/tag/{tag}`.
    pub path: &'static str,
    /// Quay's nickname: generated clients call operations by it.
    pub operation_id: &'static str,
    /// Quay's module name (`x-tag`), e.g. `repository`, `superuser`.
    pub tag: &'static str,
    /// The OAuth scope a token needs, as declared to clients.
    pub scope: Option<Scopes>,
    /// Left out of the public document (Quay's `@internal_only`).
    pub internal: bool,
}

pub struct Endpoint {
    pub operation: Operation,
    handler: MethodRouter<AppState>,
}

impl Endpoint {
    pub fn new<H, T>(
        method: Method,
        path: &'static str,
        operation_id: &'static str,
        handler: H,
    ) -> Endpoint
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("an HTTP method axum routes");
        Endpoint {
            operation: Operation {
                method,
                path,
                operation_id,
                tag: "",
                scope: None,
                internal: false,
            },
            handler: on(filter, handler),
        }
    }

    pub fn tag(mut self, tag: &'static str) -> Endpoint {
        self.operation.tag = tag;
        self
    }

    pub fn scope(mut self, scope: Scopes) -> Endpoint {
        self.operation.scope = Some(scope);
        self
    }

    pub fn internal(mut self) -> Endpoint {
        self.operation.internal = true;
        self
    }
}

/// The paths a template answers on: itself, without its trailing slash, and for the superuser
/// panel also with one (Berth's decision 3, so `curl` without `-L` works everywhere).
fn route_paths(template: &str) -> Vec<String> {
    let relative = template
        .strip_prefix(API_PREFIX)
        .expect("table paths start with /api/v1");
    let mut paths = vec![relative.to_owned()];
    match relative.strip_suffix('/') {
        Some(bare) if !bare.is_empty() => paths.push(bare.to_owned()),
        Some(_) => {}
        None if relative.starts_with("/superuser/") => paths.push(format!("{relative}/")),
        None => {}
    }
    paths
}

/// The router of the operations of `table`, relative to [`API_PREFIX`].
pub fn router(table: Vec<Endpoint>) -> Router<AppState> {
    table.into_iter().fold(Router::new(), |router, endpoint| {
        route_paths(endpoint.operation.path)
            .into_iter()
            .fold(router, |router, path| {
                router.route(&path, endpoint.handler.clone())
            })
    })
}

/// The enabled operations, for the discovery document.
pub fn operations(config: &Config) -> Vec<Operation> {
    table(config).into_iter().map(|e| e.operation).collect()
}

/// Repository names may hold `/` (`FEATURE_EXTENDED_REPOSITORY_NAMES`), which a router cannot
/// tell from a path separator. Before routing, the name's inner slashes are percent-encoded, so
/// the name is one path segment and `Path` extraction decodes it again.
#[derive(Clone)]
pub struct RepositoryNames {
    /// Path prefixes a repository name follows, e.g. `/api/v1/repository/`.
    prefixes: Vec<String>,
    /// The first segments after a repository name that name a sub-resource (`tag`, `logs`...).
    resources: Vec<String>,
}

impl RepositoryNames {
    pub fn new(table: &[Endpoint]) -> RepositoryNames {
        let mut prefixes: Vec<String> = Vec::new();
        let mut resources: Vec<String> = Vec::new();
        for Endpoint { operation, .. } in table {
            let Some((prefix, rest)) = operation.path.split_once(REPOSITORY_PARAMETER) else {
                continue;
            };
            if !prefixes.iter().any(|p| p == prefix) {
                prefixes.push(prefix.to_owned());
            }
            let resource = rest.trim_start_matches('/').split('/').next().unwrap_or("");
            if !resource.is_empty() && !resources.iter().any(|r| r == resource) {
                resources.push(resource.to_owned());
            }
        }
        RepositoryNames {
            prefixes,
            resources,
        }
    }

    /// `ns/a/b/tag/latest` after a prefix becomes `ns%2Fa%2Fb/tag/latest`.
    fn encode_path(&self, path: &str) -> Option<String> {
        let (prefix, rest) = self
            .prefixes
            .iter()
            .find_map(|p| path.strip_prefix(p.as_str()).map(|rest| (p, rest)))?;
        let mut segments: Vec<&str> = rest.split('/').collect();
        // A trailing slash ends the path, never the name: `ns/app/` is `ns/app` and `/`.
        let trailing_slash = segments.len() > 1 && segments.last() == Some(&"");
        if trailing_slash {
            segments.pop();
        }
        // A name has at least a namespace and a repository segment.
        let name_end = (2..segments.len())
            .find(|&i| self.resources.iter().any(|r| r == segments[i]))
            .unwrap_or(segments.len());
        if name_end < 2 {
            return None;
        }
        let name = segments[..name_end].join("%2F");
        let mut tail: Vec<&str> = segments[name_end..].to_vec();
        if trailing_slash {
            tail.push("");
        }
        Some(if tail.is_empty() {
            format!("{prefix}{name}")
        } else {
            format!("{prefix}{name}/{}", tail.join("/"))
        })
    }

    pub fn rewrite(&self, mut request: Request<Body>) -> Request<Body> {
        let uri = request.uri();
        let Some(path) = self.encode_path(uri.path()) else {
            return request;
        };
        let path_and_query = match uri.query() {
            Some(query) => format!("{path}?{query}"),
            None => path,
        };
        let mut parts = uri.clone().into_parts();
        if let Ok(encoded) = path_and_query.parse() {
            parts.path_and_query = Some(encoded);
            if let Ok(uri) = Uri::from_parts(parts) {
                *request.uri_mut() = uri;
            }
        }
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> RepositoryNames {
        RepositoryNames {
            prefixes: vec![
                "/api/v1/repository/".to_owned(),
                "/api/v1/user/starred/".to_owned(),
            ],
            resources: vec!["tag".to_owned(), "logs".to_owned()],
        }
    }

    #[test]
    fn nested_names_become_one_segment() {
        let names = names();
        assert_eq!(
            names.encode_path("/api/v1/repository/ns/a/b/tag/latest"),
            Some("/api/v1/repository/ns%2Fa%2Fb/tag/latest".to_owned())
        );
        assert_eq!(
            names.encode_path("/api/v1/repository/ns/logs/logs"),
            Some("/api/v1/repository/ns%2Flogs/logs".to_owned())
        );
        assert_eq!(
            names.encode_path("/api/v1/user/starred/ns/a/b"),
            Some("/api/v1/user/starred/ns%2Fa%2Fb".to_owned())
        );
        assert_eq!(
            names.encode_path("/api/v1/repository/ns/app"),
            Some("/api/v1/repository/ns%2Fapp".to_owned())
        );
        assert_eq!(
            names.encode_path("/api/v1/repository/ns/tag/"),
            Some("/api/v1/repository/ns%2Ftag/".to_owned())
        );
        assert_eq!(
            names.encode_path("/api/v1/repository/ns/app/tag/"),
            Some("/api/v1/repository/ns%2Fapp/tag/".to_owned())
        );
        assert_eq!(names.encode_path("/api/v1/repository/ns"), None);
        assert_eq!(names.encode_path("/api/v1/repository/ns/"), None);
        assert_eq!(names.encode_path("/api/v1/user/"), None);
    }

    /// Every operation, whatever turns it on, is described once, and every body it reads is
    /// defined.
    #[test]
    fn every_operation_is_documented() {
        let yaml = "FEATURE_QUOTA_MANAGEMENT: true\nFEATURE_PROXY_CACHE: true\n\
                    FEATURE_REPO_MIRROR: true\nFEATURE_AUTO_PRUNE: true\n\
                    FEATURE_IMMUTABLE_TAGS: true\nFEATURE_APP_SPECIFIC_TOKENS: true\n\
                    FEATURE_SUPER_USERS: true\n";
        let config = Config::from_yaml(yaml, std::path::Path::new("/nonexistent/berth"))
            .expect("a configuration");
        let operations = operations(&config);
        let definitions = docs::definitions();
        for op in &operations {
            let doc = docs::find(op.method.as_str(), op.path)
                .unwrap_or_else(|| panic!("{} {} is not in docs.rs", op.method, op.path));
            if let Some(body) = doc.body {
                assert!(definitions.contains_key(body), "{body} is not defined");
            }
        }
        assert_eq!(operations.len(), docs::OPERATIONS.len());
    }

    #[test]
    fn twins_follow_the_slash_rules() {
        assert_eq!(route_paths("/api/v1/user/"), vec!["/user/", "/user"]);
        assert_eq!(route_paths("/api/v1/user/logs"), vec!["/user/logs"]);
        assert_eq!(
            route_paths("/api/v1/superuser/logs"),
            vec!["/superuser/logs", "/superuser/logs/"]
        );
    }
}
