//! One client for another OCI registry, for the proxy cache: it authenticates as the
//! upstream's challenge asks (anonymous, Basic, or a bearer token from the challenge's realm,
//! with the configured credentials when there are any), fetches manifests whole (they are
//! small and bounded) and streams blobs, with a timeout on every request and retries of
//! connections that fail before an answer. TLS certificates are always verified; `insecure`
//! speaks plain HTTP instead, as Quay's proxy does.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::{Stream, TryStreamExt};
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::telemetry::{self, UpstreamLabels};

/// The manifest types asked for, in Quay's order of preference.
pub const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// The largest manifest accepted from an upstream (Berth's own limit on a push).
const MAX_MANIFEST_BYTES: usize = 4 << 20;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest wait for an answer, or between two chunks of a blob.
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// How long an upstream that could not be connected to is not tried again, so that pulls
/// served from a cache while it is down do not each wait for its connection retries.
const REST_AFTER_FAILURE: Duration = Duration::from_secs(5);

/// Upstreams (by root URL) that could not be connected to, with when they may be tried again.
static UNREACHABLE: LazyLock<Mutex<HashMap<String, Instant>>> = LazyLock::new(Mutex::default);

/// Tags asked for in one page of a tag list, and the most pages followed.
const TAGS_PAGE: usize = 1000;
const MAX_TAG_PAGES: usize = 100;
/// Attempts for a request whose connection fails before any answer.
const ATTEMPTS: u32 = 3;

/// Bytes read from the upstream, chunk by chunk.
pub type UpstreamStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// Where and how to reach an upstream registry (Quay's proxy-cache fields).
#[derive(Debug, Clone)]
pub struct UpstreamConfig {
    /// `host[:port][/namespace...]`, no scheme: `quay.io`, `docker.io/library`.
    pub registry: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Plain HTTP instead of HTTPS.
    pub insecure: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("the upstream registry could not be reached: {0}")]
    Unreachable(String),
    #[error("the upstream registry refused the credentials (HTTP {0})")]
    Refused(u16),
    #[error("the upstream registry answered HTTP {0}")]
    Status(u16),
    #[error("the upstream registry sent {0}")]
    Invalid(String),
    #[error("the upstream registry's address is not one Berth may reach")]
    NotAllowed,
}

impl From<reqwest::Error> for UpstreamError {
    fn from(err: reqwest::Error) -> Self {
        UpstreamError::Unreachable(err.without_url().to_string())
    }
}

type Result<T> = std::result::Result<T, UpstreamError>;

/// What validating an upstream found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `/v2/` answers with the credentials given (or with none needed).
    Valid,
    /// The registry answers, but only to anonymous pulls of what it makes public.
    Anonymous,
}

/// A manifest as the upstream serves it, its digest checked.
#[derive(Debug, Clone)]
pub struct UpstreamManifest {
    pub bytes: Bytes,
    pub media_type: String,
    /// `sha256:<hex>` of `bytes`.
    pub digest: String,
}

/// An authentication challenge (`WWW-Authenticate`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
}

fn parse_challenge(value: &str) -> Option<Challenge> {
    let (scheme, params) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    let mut fields = HashMap::new();
    let mut rest = params.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let (value, remainder) = match after.strip_prefix('"') {
            Some(quoted) => {
                let end = quoted.find('"')?;
                (&quoted[..end], &quoted[end + 1..])
            }
            None => after.split_once(',').unwrap_or((after, "")),
        };
        fields.insert(key, value.trim().to_owned());
        rest = remainder.trim_start_matches(',').trim();
    }
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => Some(Challenge::Basic),
        "bearer" => Some(Challenge::Bearer {
            realm: fields.remove("realm")?,
            service: fields.remove("service"),
            scope: fields.remove("scope"),
        }),
        _ => None,
    }
}

pub struct Upstream {
    http: reqwest::Client,
    /// `https://host[:port]`
    base: String,
    /// The namespace the registry path names (`library` of `docker.io/library`).
    namespace: Option<String>,
    credentials: Option<(String, String)>,
    /// Bearer tokens by the scope they were asked for, with when they lapse.
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

impl Upstream {
    pub fn new(config: &UpstreamConfig) -> Result<Upstream> {
        let registry = config.registry.trim().trim_end_matches('/');
        let (host, namespace) = match registry.split_once('/') {
            Some((host, namespace)) => (host, Some(namespace.to_owned())),
            None => (registry, None),
        };
        if host.is_empty() || registry.contains("://") || host.contains('@') {
            return Err(UpstreamError::Invalid(format!(
                "no registry host in {registry:?}"
            )));
        }
        // Docker Hub's registry is not served at the name people use for it.
        let host = if host == "docker.io" {
            "registry-1.docker.io"
        } else {
            host
        };
        let scheme = if config.insecure { "http" } else { "https" };
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let credentials = match (&config.username, &config.password) {
            (Some(user), Some(password)) if !user.is_empty() => {
                Some((user.clone(), password.clone()))
            }
            _ => None,
        };
        Ok(Upstream {
            http,
            base: format!("{scheme}://{host}"),
            namespace,
            credentials,
            tokens: Mutex::default(),
        })
    }

    /// The client for `config`, if Berth may reach its host: an address inside the network
    /// only when `SSRF_ALLOWED_HOSTS` names it.
    pub fn reachable(config: &UpstreamConfig, policy: &Config) -> Result<Upstream> {
        let client = Upstream::new(config)?;
        let allowed = reqwest::Url::parse(&client.base).is_ok_and(|url| policy.may_reach(&url));
        if allowed {
            Ok(client)
        } else {
            Err(UpstreamError::NotAllowed)
        }
    }

    /// The registry's root URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The upstream repository for a local one, named by what follows the organization:
    /// the registry path's namespace comes first (`docker.io/library` + `nginx`).
    pub fn repository(&self, local: &str) -> String {
        match &self.namespace {
            Some(namespace) => format!("{namespace}/{local}"),
            None => local.to_owned(),
        }
    }

    /// Whether the registry answers `/v2/` with the configured credentials, or only to
    /// anonymous callers; an error when it cannot be reached or refuses the credentials.
    pub async fn validate(&self) -> Result<Access> {
        let url = format!("{}/v2/", self.base);
        let first = self.send(Method::GET, &url, None, None).await?;
        if first.status().is_success() {
            return Ok(Access::Valid);
        }
        if first.status() != StatusCode::UNAUTHORIZED {
            return Err(UpstreamError::Status(first.status().as_u16()));
        }
        let authorization = match challenge_of(first.headers()) {
            Some(Challenge::Basic) => match &self.credentials {
                Some((user, password)) => basic(user, password),
                None => return Ok(Access::Anonymous),
            },
            Some(Challenge::Bearer { realm, service, .. }) => {
                match self.fetch_token(&realm, service.as_deref(), None).await {
                    Ok((token, _)) => format!("Bearer {token}"),
                    Err(UpstreamError::Refused(_)) if self.credentials.is_none() => {
                        return Ok(Access::Anonymous)
                    }
                    Err(err) => return Err(err),
                }
            }
            None => return Err(UpstreamError::Invalid("no usable challenge".into())),
        };
        let second = self
            .send(Method::GET, &url, None, Some(&authorization))
            .await?;
        match second.status() {
            status if status.is_success() => Ok(Access::Valid),
            StatusCode::UNAUTHORIZED if self.credentials.is_none() => Ok(Access::Anonymous),
            status @ (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
                Err(UpstreamError::Refused(status.as_u16()))
            }
            status => Err(UpstreamError::Status(status.as_u16())),
        }
    }

    /// The digest the upstream gives `reference` of `repository` now (a HEAD, and a GET when
    /// the answer does not name it); None when it has no such manifest.
    pub async fn manifest_digest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<Option<String>> {
        let url = format!("{}/v2/{repository}/manifests/{reference}", self.base);
        let Some(response) = self.authorized(Method::HEAD, &url, repository).await? else {
            return Ok(None);
        };
        let sent = response
            .headers()
            .get("Docker-Content-Digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match sent {
            Some(digest) => Ok(Some(digest)),
            // Registries need not send the digest; the manifest's own bytes tell it.
            None => Ok(self
                .manifest(repository, reference)
                .await?
                .map(|manifest| manifest.digest)),
        }
    }

    /// `reference` (a tag or digest) of `repository`; None when the upstream has none.
    pub async fn manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<Option<UpstreamManifest>> {
        let url = format!("{}/v2/{repository}/manifests/{reference}", self.base);
        let Some(response) = self.authorized(Method::GET, &url, repository).await? else {
            return Ok(None);
        };
        let media_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_owned())
            .unwrap_or_default();
        let bytes = read_limited(response, MAX_MANIFEST_BYTES, "a manifest").await?;
        let digest = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
        if reference.contains(':') && reference != digest {
            return Err(UpstreamError::Invalid(format!(
                "a manifest whose digest is {digest}, not {reference}"
            )));
        }
        Ok(Some(UpstreamManifest {
            bytes: Bytes::from(bytes),
            media_type,
            digest,
        }))
    }

    /// Blob `digest` of `repository` whole, refused past `limit` bytes (an image config);
    /// None when the upstream has no such blob.
    pub async fn small_blob(
        &self,
        repository: &str,
        digest: &str,
        limit: usize,
    ) -> Result<Option<Vec<u8>>> {
        let url = format!("{}/v2/{repository}/blobs/{digest}", self.base);
        let Some(response) = self.authorized(Method::GET, &url, repository).await? else {
            return Ok(None);
        };
        Ok(Some(read_limited(response, limit, "a blob").await?))
    }

    /// Blob `digest` of `repository` as a stream, with its length when the upstream says;
    /// None when the upstream has no such blob. Redirects (to a CDN or a bucket) are
    /// followed without the registry's credentials.
    pub async fn blob(
        &self,
        repository: &str,
        digest: &str,
    ) -> Result<Option<(Option<u64>, UpstreamStream)>> {
        let url = format!("{}/v2/{repository}/blobs/{digest}", self.base);
        let Some(response) = self.authorized(Method::GET, &url, repository).await? else {
            return Ok(None);
        };
        let length = response.content_length();
        let received = &telemetry::metrics().upstream_bytes;
        let stream = response
            .bytes_stream()
            .map_err(|err| io::Error::other(err.without_url()))
            .inspect_ok(|chunk| {
                received.inc_by(chunk.len() as u64);
            });
        Ok(Some((length, Box::pin(stream))))
    }

    /// Every tag of `repository`, following the upstream's pages (`Link: <...>; rel="next"`);
    /// None when the upstream has no such repository.
    pub async fn list_tags(&self, repository: &str) -> Result<Option<Vec<String>>> {
        let mut url = format!("{}/v2/{repository}/tags/list?n={TAGS_PAGE}", self.base);
        let mut tags = Vec::new();
        for _ in 0..MAX_TAG_PAGES {
            let Some(response) = self.authorized(Method::GET, &url, repository).await? else {
                return Ok(None);
            };
            let next = response
                .headers()
                .get(reqwest::header::LINK)
                .and_then(|v| v.to_str().ok())
                .and_then(next_link);
            let page: serde_json::Value = response
                .json()
                .await
                .map_err(|_| UpstreamError::Invalid("a tag list that is not JSON".into()))?;
            let names = page["tags"].as_array().into_iter().flatten();
            tags.extend(names.filter_map(|t| t.as_str().map(str::to_owned)));
            match next {
                Some(next) if next.starts_with('/') => url = format!("{}{next}", self.base),
                Some(next) => url = next,
                None => return Ok(Some(tags)),
            }
        }
        Err(UpstreamError::Invalid(format!(
            "more than {MAX_TAG_PAGES} pages of tags"
        )))
    }

    /// Sends `method url` with the credential the upstream asks for; None on 404.
    async fn authorized(
        &self,
        method: Method,
        url: &str,
        repository: &str,
    ) -> Result<Option<reqwest::Response>> {
        let scope = format!("repository:{repository}:pull");
        let cached = self.cached_token(&scope).map(|t| format!("Bearer {t}"));
        let mut response = self
            .send(method.clone(), url, Some(MANIFEST_TYPES), cached.as_deref())
            .await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            let authorization = match challenge_of(response.headers()) {
                Some(Challenge::Basic) => match &self.credentials {
                    Some((user, password)) => basic(user, password),
                    None => return Err(UpstreamError::Refused(401)),
                },
                Some(Challenge::Bearer {
                    realm,
                    service,
                    scope: asked,
                }) => {
                    let scope = asked.unwrap_or(scope);
                    let (token, lapses) = self
                        .fetch_token(&realm, service.as_deref(), Some(&scope))
                        .await?;
                    self.tokens
                        .lock()
                        .expect("token cache")
                        .insert(scope, (token.clone(), lapses));
                    format!("Bearer {token}")
                }
                None => return Err(UpstreamError::Refused(401)),
            };
            response = self
                .send(method, url, Some(MANIFEST_TYPES), Some(&authorization))
                .await?;
        }
        match response.status() {
            status if status.is_success() => Ok(Some(response)),
            StatusCode::NOT_FOUND => Ok(None),
            status @ (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
                Err(UpstreamError::Refused(status.as_u16()))
            }
            status => Err(UpstreamError::Status(status.as_u16())),
        }
    }

    fn cached_token(&self, scope: &str) -> Option<String> {
        let tokens = self.tokens.lock().expect("token cache");
        tokens
            .get(scope)
            .filter(|(_, lapses)| *lapses > Instant::now())
            .map(|(token, _)| token.clone())
    }

    /// A token from `realm` for `scope` (none: a plain login), with the configured
    /// credentials when there are any; answers it and when it lapses.
    async fn fetch_token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: Option<&str>,
    ) -> Result<(String, Instant)> {
        let mut url = reqwest::Url::parse(realm)
            .map_err(|_| UpstreamError::Invalid(format!("a token realm {realm:?}")))?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(service) = service {
                query.append_pair("service", service);
            }
            if let Some(scope) = scope {
                query.append_pair("scope", scope);
            }
        }
        let authorization = self.credentials.as_ref().map(|(u, p)| basic(u, p));
        let response = self
            .send(Method::GET, url.as_str(), None, authorization.as_deref())
            .await?;
        match response.status() {
            status if status.is_success() => {}
            status @ (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
                return Err(UpstreamError::Refused(status.as_u16()))
            }
            status => return Err(UpstreamError::Status(status.as_u16())),
        }
        let body: serde_json::Value = response
            .json()
            .await
            .map_err(|_| UpstreamError::Invalid("a token answer that is not JSON".into()))?;
        let token = body["token"]
            .as_str()
            .or_else(|| body["access_token"].as_str())
            .ok_or_else(|| UpstreamError::Invalid("a token answer without a token".into()))?;
        let lifetime = body["expires_in"].as_u64().unwrap_or(60).max(20);
        let lapses = Instant::now() + Duration::from_secs(lifetime - 10);
        Ok((token.to_owned(), lapses))
    }

    /// One request, its connection retried when it fails before any answer.
    async fn send(
        &self,
        method: Method,
        url: &str,
        accept: Option<&[&str]>,
        authorization: Option<&str>,
    ) -> Result<reqwest::Response> {
        let resting = UNREACHABLE
            .lock()
            .expect("unreachable upstreams")
            .get(&self.base)
            .is_some_and(|until| *until > Instant::now());
        if resting {
            return Err(UpstreamError::Unreachable(
                "it could not be connected to a moment ago".into(),
            ));
        }
        let mut attempt = 1;
        loop {
            let mut request = self.http.request(method.clone(), url);
            if let Some(types) = accept {
                request = request.header(ACCEPT, types.join(", "));
            }
            if let Some(value) = authorization {
                request = request.header(AUTHORIZATION, value);
            }
            let sent = request.timeout(READ_TIMEOUT).send().await;
            let status = match &sent {
                Ok(response) => response.status().as_u16().to_string(),
                Err(_) => "error".to_owned(),
            };
            telemetry::metrics()
                .upstream_requests
                .get_or_create(&UpstreamLabels {
                    method: method.as_str().to_owned(),
                    status,
                })
                .inc();
            match sent {
                Ok(response) => {
                    UNREACHABLE
                        .lock()
                        .expect("unreachable upstreams")
                        .remove(&self.base);
                    return Ok(response);
                }
                Err(err) if err.is_connect() && attempt < ATTEMPTS => {
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                    attempt += 1;
                }
                Err(err) => {
                    if err.is_connect() {
                        UNREACHABLE
                            .lock()
                            .expect("unreachable upstreams")
                            .insert(self.base.clone(), Instant::now() + REST_AFTER_FAILURE);
                    }
                    return Err(err.into());
                }
            }
        }
    }
}

/// The target of a `Link` header's `rel="next"`.
/// The body of `response` (`what`), refused past `limit` bytes, counted as received.
async fn read_limited(response: reqwest::Response, limit: usize, what: &str) -> Result<Vec<u8>> {
    let too_large = || UpstreamError::Invalid(format!("{what} too large"));
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = response.bytes_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = body.try_next().await? {
        if bytes.len() + chunk.len() > limit {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    telemetry::metrics()
        .upstream_bytes
        .inc_by(bytes.len() as u64);
    Ok(bytes)
}

fn next_link(value: &str) -> Option<String> {
    value.split(',').find_map(|link| {
        let (target, params) = link.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().trim_matches('"') == "rel=next" || p.trim() == "rel=\"next\"");
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| target.to_owned())
    })
}

fn challenge_of(headers: &HeaderMap) -> Option<Challenge> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(parse_challenge)
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    let pair = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:library/nginx:pull".into()),
            })
        );
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="http://127.0.0.1:8080/v2/auth",service="127.0.0.1:8080""#
            ),
            Some(Challenge::Bearer {
                realm: "http://127.0.0.1:8080/v2/auth".into(),
                service: Some("127.0.0.1:8080".into()),
                scope: None,
            })
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="registry""#),
            Some(Challenge::Basic)
        );
        assert_eq!(parse_challenge("Negotiate"), None);
        assert_eq!(parse_challenge("Bearer service=x"), None);
    }

    /// A registry that answers HEAD without `Docker-Content-Digest`: the digest comes from
    /// the manifest's bytes.
    #[tokio::test]
    async fn digest_without_the_header() {
        const BODY: &str = r#"{"schemaVersion": 2}"#;
        let app = axum::Router::new().route(
            "/v2/team/app/manifests/v1",
            axum::routing::get(|| async {
                (
                    [("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
                    BODY,
                )
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let upstream = Upstream::new(&UpstreamConfig {
            registry: addr.to_string(),
            username: None,
            password: None,
            insecure: true,
        })
        .unwrap();
        let expected = format!("sha256:{}", hex::encode(Sha256::digest(BODY)));
        let digest = upstream.manifest_digest("team/app", "v1").await.unwrap();
        assert_eq!(digest, Some(expected));
        assert_eq!(
            upstream.manifest_digest("team/other", "v1").await.unwrap(),
            None
        );
    }

    #[test]
    fn next_links() {
        assert_eq!(
            next_link(r#"</v2/a/tags/list?n=2&last=b>; rel="next""#).as_deref(),
            Some("/v2/a/tags/list?n=2&last=b")
        );
        assert_eq!(next_link(r#"<https://x/y>; rel="prev""#), None);
    }

    #[test]
    fn registry_paths() {
        let config = |registry: &str, insecure| UpstreamConfig {
            registry: registry.into(),
            username: None,
            password: None,
            insecure,
        };
        let hub = Upstream::new(&config("docker.io/library", false)).unwrap();
        assert_eq!(hub.base_url(), "https://registry-1.docker.io");
        assert_eq!(hub.repository("nginx"), "library/nginx");
        let local = Upstream::new(&config("127.0.0.1:5000", true)).unwrap();
        assert_eq!(local.base_url(), "http://127.0.0.1:5000");
        assert_eq!(local.repository("team/app"), "team/app");
        assert!(Upstream::new(&config("https://quay.io", false)).is_err());
        assert!(Upstream::new(&config("", false)).is_err());
    }
}
