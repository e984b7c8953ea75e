//! Proxy-cache organizations (Quay's `proxycache` resources): an organization configured with
//! an upstream registry serves pulls of `<org>/<upstream path>` from its own storage, fetching
//! from the upstream what it lacks. Here: the configuration, readable by the organization's
//! members, created, validated and removed by its admins. Credentials are stored encrypted and
//! never shown. Removing the configuration keeps what was cached, as a normal organization.

use crate::accounts::passwords::{decrypt_stored, encrypt_stored};
use crate::accounts::Principal;
use crate::app::App;
use crate::db::{self, proxy_cache::ProxyCacheRow};
use crate::logs::{self, Scope};
use crate::namespaces::teams::{self, OrgAccess};
use crate::upstream::{Access, Upstream, UpstreamConfig};

/// How long a cached tag lives unless pulled again, when the request does not say (Quay's).
pub const DEFAULT_EXPIRATION_S: i64 = 86_400;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Proxy Cache Configuration already exists")]
    Exists,
    #[error("Cannot convert organization to proxy cache: immutable tags exist")]
    ImmutableTags,
    #[error("The provided registry URL is not allowed")]
    NotAllowed,
    #[error("Failed login to remote registry. Please verify entered details and try again.")]
    FailedLogin,
    #[error("Not Found")]
    NotFound,
    #[error(transparent)]
    Access(#[from] teams::Error),
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// An organization's proxy-cache configuration.
#[derive(Debug, Clone)]
pub struct ProxyCache {
    pub namespace_id: i64,
    /// `host[:port][/namespace]`
    pub upstream_registry: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// None: cached tags never expire.
    pub expiration_s: Option<i64>,
    pub insecure: bool,
}

impl ProxyCache {
    /// The client for the upstream, with the configured credentials.
    pub fn upstream(&self, app: &App) -> Result<Upstream> {
        Upstream::reachable(&self.upstream_config(), &app.config).map_err(|_| Error::NotAllowed)
    }

    fn upstream_config(&self) -> UpstreamConfig {
        UpstreamConfig {
            registry: self.upstream_registry.clone(),
            username: self.username.clone(),
            password: self.password.clone(),
            insecure: self.insecure,
        }
    }

    fn from_row(app: &App, row: ProxyCacheRow) -> ProxyCache {
        let secret = |stored: Option<String>| stored.and_then(|s| decrypt_stored(app, &s));
        ProxyCache {
            namespace_id: row.namespace_id,
            upstream_registry: row.upstream_registry,
            username: secret(row.username_encrypted),
            password: secret(row.password_encrypted),
            expiration_s: row.expiration_s.filter(|s| *s > 0),
            insecure: row.insecure != 0,
        }
    }
}

/// What a create or validate request gives (Quay's fields).
#[derive(Debug, Clone)]
pub struct NewProxyCache {
    pub upstream_registry: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `expiration_s`; 0 keeps cached tags for ever.
    pub expiration_s: i64,
    pub insecure: bool,
}

impl NewProxyCache {
    fn as_config(&self, namespace_id: i64) -> ProxyCache {
        ProxyCache {
            namespace_id,
            upstream_registry: self.upstream_registry.clone(),
            username: self.username.clone(),
            password: self.password.clone(),
            expiration_s: Some(self.expiration_s).filter(|s| *s > 0),
            insecure: self.insecure,
        }
    }
}

/// The configuration of the organization named `org`, for pulls (no access check).
pub async fn find(app: &App, namespace_id: i64) -> Result<Option<ProxyCache>> {
    let mut conn = app.db.reader().await?;
    let row = db::proxy_cache::find_config(&mut conn, namespace_id).await?;
    Ok(row.map(|row| ProxyCache::from_row(app, row)))
}

/// `GET .../proxycache`: for the organization's members and global read-only superusers.
pub async fn get_config(
    app: &App,
    caller: &Principal<'_>,
    org: &str,
) -> Result<Option<ProxyCache>> {
    let access = teams::org_access(app, caller, org).await?;
    let org = access.read_as_member()?;
    find(app, org.id).await
}

/// Admins of the organization, and full-access superusers; with no configuration yet.
async fn unconfigured_org(
    app: &App,
    caller: &Principal<'_>,
    org: &str,
) -> Result<(OrgAccess, i64)> {
    let access = teams::org_access(app, caller, org).await?;
    let id = access.administer()?.id;
    if find(app, id).await?.is_some() {
        return Err(Error::Exists);
    }
    Ok((access, id))
}

/// `POST .../proxycache`: stores the configuration and logs `create_proxy_cache_config`.
pub async fn create_config(
    app: &App,
    caller: &Principal<'_>,
    org: &str,
    new: &NewProxyCache,
) -> Result<()> {
    let (_, namespace_id) = unconfigured_org(app, caller, org).await?;
    let now = db::now_ms();
    let mut tx = app.db.begin().await?;
    if app.config.features.immutable_tags
        && db::proxy_cache::has_immutable_tags(&mut tx, namespace_id, now).await?
    {
        return Err(Error::ImmutableTags);
    }
    new.as_config(namespace_id).upstream(app)?;
    let row = ProxyCacheRow {
        namespace_id,
        upstream_registry: new.upstream_registry.clone(),
        username_encrypted: new.username.as_deref().map(|u| encrypt_stored(app, u)),
        password_encrypted: new.password.as_deref().map(|p| encrypt_stored(app, p)),
        expiration_s: Some(new.expiration_s),
        insecure: i64::from(new.insecure),
    };
    if !db::proxy_cache::insert_config(&mut tx, &row, now).await? {
        return Err(Error::Exists);
    }
    let metadata = serde_json::json!({ "upstream_registry": new.upstream_registry });
    logs::record(
        &mut tx,
        &caller.actor,
        "create_proxy_cache_config",
        Scope::namespace(namespace_id),
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(())
}

/// `DELETE .../proxycache`: removes the configuration (what was cached stays) and logs
/// `delete_proxy_cache_config`.
pub async fn delete_config(app: &App, caller: &Principal<'_>, org: &str) -> Result<()> {
    let access = teams::org_access(app, caller, org).await?;
    let namespace_id = access.administer()?.id;
    let mut tx = app.db.begin().await?;
    if !db::proxy_cache::delete_config(&mut tx, namespace_id).await? {
        return Err(Error::NotFound);
    }
    logs::record(
        &mut tx,
        &caller.actor,
        "delete_proxy_cache_config",
        Scope::namespace(namespace_id),
        serde_json::json!({}),
    )
    .await?;
    db::commit(tx).await?;
    Ok(())
}

/// `POST .../validateproxycache`: whether the upstream answers with the credentials given
/// (`Valid`) or only anonymously (`Anonymous`); stores nothing.
pub async fn validate_config(
    app: &App,
    caller: &Principal<'_>,
    org: &str,
    new: &NewProxyCache,
) -> Result<Access> {
    let (_, namespace_id) = unconfigured_org(app, caller, org).await?;
    let upstream = new.as_config(namespace_id).upstream(app)?;
    upstream.validate().await.map_err(|err| {
        tracing::info!(upstream = %new.upstream_registry, error = %err, "proxy cache validation failed");
        Error::FailedLogin
    })
}
