//! Namespace quotas (superuser-api.md §4.4, §9, §10): a policy per namespace with Warning and
//! Reject limits, the namespace sizes they are checked against, and the checks a push makes.
//!
//! Sizes are exact at all times: the data layer counts a blob when the first manifest of a
//! repository names it and uncounts it when the last such manifest is collected, in the same
//! transaction (`db::quotas`). A push into a namespace holds the namespace's size row while
//! it counts and checks, so two pushes at the edge cannot both pass.

use std::collections::HashMap;

use serde_json::json;

use crate::accounts::Account;
use crate::app::App;
use crate::db::{self, quotas::QuotaRow, DbConn};
use crate::logs::{self, Actor, Scope};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such namespace (robots are none), quota or limit.
    #[error("Not Found")]
    NotFound,
    #[error("Quota for '{0}' already exists")]
    QuotaExists(String),
    #[error("Organization quota for '{0}' already exists")]
    OrganizationQuotaExists(String),
    #[error("Invalid quota size limit value: '{0}'")]
    InvalidLimitBytes(i64),
    #[error("Invalid limit format")]
    InvalidLimit,
    #[error("Invalid limit format, use a number followed by a unit (e.g. 1GiB)")]
    InvalidLimitWithHint,
    #[error("Unsupported quota size limit.")]
    UnsupportedLimit,
    #[error("Quota limit already exists")]
    LimitExists,
    #[error("Quota type must be one of [Warning, Reject]")]
    InvalidLimitType,
    #[error("Quota limit threshold must be between 1 and 100")]
    InvalidPercent(i64),
    #[error("Quota has been exceeded on namespace")]
    Exceeded,
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    Warning,
    Reject,
}

impl LimitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::Warning => "Warning",
            LimitKind::Reject => "Reject",
        }
    }

    /// `warning` or `reject`, in any case.
    fn parse(text: &str) -> Result<LimitKind> {
        match text.to_ascii_lowercase().as_str() {
            "warning" => Ok(LimitKind::Warning),
            "reject" => Ok(LimitKind::Reject),
            _ => Err(Error::InvalidLimitType),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub id: i64,
    pub kind: LimitKind,
    pub percent: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    pub id: i64,
    pub limit_bytes: i64,
    pub limits: Vec<Limit>,
}

impl Quota {
    /// The type of the crossed limit with the largest threshold, if `size` crosses any
    /// (superuser-api.md §10.6; a Warning above a crossed Reject wins, as in Quay).
    fn severity(&self, size: i64) -> Option<LimitKind> {
        self.limits
            .iter()
            .map(|l| {
                let allowed = i128::from(self.limit_bytes) * i128::from(l.percent) / 100;
                (allowed, l.kind)
            })
            .filter(|(allowed, _)| i128::from(size) >= *allowed)
            .max_by_key(|(allowed, _)| *allowed)
            .map(|(_, kind)| kind)
    }
}

/// A namespace's counted size and quota, as views show them.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    pub size_bytes: i64,
    /// Whether the namespace has been counted: once it first held something (Quay's
    /// backfill is then complete; Berth keeps every size exact from the first push on).
    pub counted: bool,
    pub quota: Option<Quota>,
}

/// Who changes a quota and how Quay answers them: the superuser routes write no usage log,
/// the organization routes do (superuser-api.md §7.5, §10).
pub enum Route<'a> {
    Superuser,
    Organization(&'a Actor),
}

/// The byte count of a `limit` string: digits, an optional space, an optional unit (`K`/`KB`
/// decimal, `Ki`/`KiB` binary, up to exa); `B`, zetta and yotta are refused.
pub fn parse_limit(text: &str, route: &Route<'_>) -> Result<i64> {
    let invalid = || match route {
        Route::Superuser => Error::InvalidLimit,
        Route::Organization(_) => Error::InvalidLimitWithHint,
    };
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(digits_end);
    let unit = unit.strip_prefix(' ').unwrap_or(unit);
    if digits.is_empty() {
        return Err(invalid());
    }
    let (base, power): (u128, u32) = match unit {
        "" => (1, 0),
        "K" | "KB" => (1000, 1),
        "M" | "MB" => (1000, 2),
        "G" | "GB" => (1000, 3),
        "T" | "TB" => (1000, 4),
        "P" | "PB" => (1000, 5),
        "E" | "EB" => (1000, 6),
        "Z" | "ZB" => (1000, 7),
        "Y" | "YB" => (1000, 8),
        "Ki" | "KiB" => (1024, 1),
        "Mi" | "MiB" => (1024, 2),
        "Gi" | "GiB" => (1024, 3),
        "Ti" | "TiB" => (1024, 4),
        "Pi" | "PiB" => (1024, 5),
        "Ei" | "EiB" => (1024, 6),
        _ => return Err(invalid()),
    };
    let number: u128 = digits.parse().map_err(|_| Error::UnsupportedLimit)?;
    number
        .checked_mul(base.pow(power))
        .and_then(|bytes| i64::try_from(bytes).ok())
        .ok_or(Error::UnsupportedLimit)
}

/// Quay's human form of a byte count: the largest binary unit in which it is at least 1,
/// with one decimal rounded half to even (superuser-api.md §4.4).
pub fn human_limit(bytes: i64) -> String {
    const UNITS: [&str; 7] = ["Byte", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// The namespace called `name`: a user or an organization, not a robot.
pub async fn namespace(app: &App, name: &str) -> Result<Account> {
    let mut conn = app.db.reader().await?;
    match db::accounts::find_account_by_name(&mut conn, name).await? {
        Some(row) if row.robot == 0 => Ok(row.into()),
        _ => Err(Error::NotFound),
    }
}

/// The namespace's quota with its limits.
pub async fn find_quota(conn: &mut DbConn, namespace_id: i64) -> Result<Option<Quota>> {
    let Some(row) = db::quotas::find_quota(&mut *conn, namespace_id).await? else {
        return Ok(None);
    };
    Ok(with_limits(conn, vec![row]).await?.pop())
}

async fn with_limits(conn: &mut DbConn, rows: Vec<QuotaRow>) -> Result<Vec<Quota>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let limits = db::quotas::list_limits(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| Quota {
            id: row.id,
            limit_bytes: row.limit_bytes,
            limits: limits
                .iter()
                .filter(|l| l.quota_id == row.id)
                .map(|l| Limit {
                    id: l.id,
                    kind: if l.kind == "Reject" {
                        LimitKind::Reject
                    } else {
                        LimitKind::Warning
                    },
                    percent: l.percent,
                })
                .collect(),
        })
        .collect())
}

/// The namespace's quota, if it has one.
pub async fn quota_of(app: &App, namespace: &Account) -> Result<Option<Quota>> {
    let mut conn = app.db.reader().await?;
    find_quota(&mut conn, namespace.id).await
}

/// The quota `quota_id` of the namespace.
pub async fn get_quota(app: &App, namespace: &Account, quota_id: i64) -> Result<Quota> {
    let mut conn = app.db.reader().await?;
    quota_in(&mut conn, namespace, quota_id).await
}

/// The namespace's quota if its id is `quota_id`; any other id is not found there.
async fn quota_in(conn: &mut DbConn, namespace: &Account, quota_id: i64) -> Result<Quota> {
    match find_quota(conn, namespace.id).await? {
        Some(quota) if quota.id == quota_id => Ok(quota),
        _ => Err(Error::NotFound),
    }
}

/// Sizes and quotas of several namespaces, for list views.
pub async fn usage_of(app: &App, namespace_ids: &[i64]) -> Result<HashMap<i64, Usage>> {
    let mut conn = app.db.reader().await?;
    let quota_rows = db::quotas::list_quotas(&mut conn, namespace_ids).await?;
    let owners: Vec<i64> = quota_rows.iter().map(|q| q.namespace_id).collect();
    let quotas = with_limits(&mut conn, quota_rows).await?;
    let mut usage: HashMap<i64, Usage> = namespace_ids
        .iter()
        .map(|id| (*id, Usage::default()))
        .collect();
    for (namespace_id, size) in db::quotas::list_namespace_sizes(&mut conn, namespace_ids).await? {
        let entry = usage.entry(namespace_id).or_default();
        entry.size_bytes = size;
        entry.counted = true;
    }
    for (namespace_id, quota) in owners.into_iter().zip(quotas) {
        usage.entry(namespace_id).or_default().quota = Some(quota);
    }
    Ok(usage)
}

/// Creates the namespace's one quota.
pub async fn create_quota(
    app: &App,
    route: &Route<'_>,
    namespace: &Account,
    limit_bytes: i64,
) -> Result<()> {
    if limit_bytes <= 0 {
        return Err(Error::InvalidLimitBytes(limit_bytes));
    }
    let mut tx = app.db.begin().await?;
    if db::quotas::find_quota(&mut tx, namespace.id)
        .await?
        .is_some()
    {
        return Err(match route {
            Route::Superuser => Error::QuotaExists(namespace.username.clone()),
            Route::Organization(_) => Error::OrganizationQuotaExists(namespace.username.clone()),
        });
    }
    match db::quotas::insert_quota(&mut tx, namespace.id, limit_bytes).await {
        Err(e) if e.is_unique_on("namespace_id") => {
            return Err(Error::QuotaExists(namespace.username.clone()))
        }
        other => other?,
    }
    if let Route::Organization(actor) = route {
        let metadata = json!({
            "namespace": namespace.username,
            "limit_bytes": limit_bytes,
            "limit": human_limit(limit_bytes),
        });
        let scope = Scope::namespace(namespace.id);
        logs::record(&mut tx, actor, "org_create_quota", scope, metadata).await?;
    }
    Ok(db::commit(tx).await?)
}

/// Changes the quota's size; `None` or 0 changes nothing (Quay's no-op).
pub async fn change_quota(
    app: &App,
    route: &Route<'_>,
    namespace: &Account,
    quota_id: i64,
    limit_bytes: Option<i64>,
) -> Result<Quota> {
    let mut tx = app.db.begin().await?;
    let quota = quota_in(&mut tx, namespace, quota_id).await?;
    let Some(limit_bytes) = limit_bytes.filter(|b| *b != 0) else {
        return Ok(quota);
    };
    if limit_bytes < 0 {
        return Err(Error::InvalidLimitBytes(limit_bytes));
    }
    db::quotas::update_quota(&mut tx, quota.id, limit_bytes).await?;
    if let Route::Organization(actor) = route {
        if limit_bytes != quota.limit_bytes {
            let metadata = json!({
                "namespace": namespace.username,
                "limit_bytes": limit_bytes,
                "limit": human_limit(limit_bytes),
                "previous_limit_bytes": quota.limit_bytes,
                "previous_limit": human_limit(quota.limit_bytes),
            });
            let scope = Scope::namespace(namespace.id);
            logs::record(&mut tx, actor, "org_change_quota", scope, metadata).await?;
        }
    }
    db::commit(tx).await?;
    Ok(Quota {
        limit_bytes,
        ..quota
    })
}

/// Deletes the quota with its limits.
pub async fn delete_quota(
    app: &App,
    route: &Route<'_>,
    namespace: &Account,
    quota_id: i64,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let quota = match db::quotas::find_quota(&mut tx, namespace.id).await? {
        Some(quota) if quota.id == quota_id => quota,
        _ => return Err(Error::NotFound),
    };
    db::quotas::delete_quota(&mut tx, &quota).await?;
    if let Route::Organization(actor) = route {
        let metadata = json!({
            "namespace": namespace.username,
            "quota_id": quota.id,
            "limit_bytes": quota.limit_bytes,
            "limit": human_limit(quota.limit_bytes),
        });
        let scope = Scope::namespace(namespace.id);
        logs::record(&mut tx, actor, "org_delete_quota", scope, metadata).await?;
    }
    Ok(db::commit(tx).await?)
}

fn check_percent(percent: i64) -> Result<()> {
    if (1..=100).contains(&percent) {
        Ok(())
    } else {
        Err(Error::InvalidPercent(percent))
    }
}

/// Adds a Warning or Reject limit at `percent` of the quota.
pub async fn add_limit(
    app: &App,
    actor: &Actor,
    namespace: &Account,
    quota_id: i64,
    kind: &str,
    percent: i64,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let quota = quota_in(&mut tx, namespace, quota_id).await?;
    let kind = LimitKind::parse(kind)?;
    check_percent(percent)?;
    if quota
        .limits
        .iter()
        .any(|l| l.kind == kind && l.percent == percent)
    {
        return Err(Error::LimitExists);
    }
    db::quotas::insert_limit(&mut tx, quota.id, kind.as_str(), percent).await?;
    let metadata = json!({
        "namespace": namespace.username,
        "type": kind.as_str(),
        "threshold_percent": percent,
    });
    let scope = Scope::namespace(namespace.id);
    logs::record(&mut tx, actor, "org_create_quota_limit", scope, metadata).await?;
    Ok(db::commit(tx).await?)
}

/// The limit `limit_id` of the quota.
pub async fn get_limit(
    app: &App,
    namespace: &Account,
    quota_id: i64,
    limit_id: i64,
) -> Result<Limit> {
    let quota = get_quota(app, namespace, quota_id).await?;
    quota
        .limits
        .into_iter()
        .find(|l| l.id == limit_id)
        .ok_or(Error::NotFound)
}

/// Changes a limit's type and threshold; answers with the whole quota, as Quay does.
pub async fn change_limit(
    app: &App,
    actor: &Actor,
    namespace: &Account,
    (quota_id, limit_id): (i64, i64),
    kind: Option<&str>,
    percent: Option<i64>,
) -> Result<Quota> {
    let mut tx = app.db.begin().await?;
    let quota = quota_in(&mut tx, namespace, quota_id).await?;
    let limit = quota
        .limits
        .iter()
        .find(|l| l.id == limit_id)
        .cloned()
        .ok_or(Error::NotFound)?;
    let kind = kind
        .map(LimitKind::parse)
        .transpose()?
        .unwrap_or(limit.kind);
    let percent = percent.unwrap_or(limit.percent);
    check_percent(percent)?;
    if quota
        .limits
        .iter()
        .any(|l| l.id != limit.id && l.kind == kind && l.percent == percent)
    {
        return Err(Error::LimitExists);
    }
    db::quotas::update_limit(&mut tx, limit.id, kind.as_str(), percent).await?;
    let metadata = json!({
        "namespace": namespace.username,
        "type": kind.as_str(),
        "threshold_percent": percent,
        "previous_type": limit.kind.as_str(),
        "previous_threshold_percent": limit.percent,
    });
    let scope = Scope::namespace(namespace.id);
    logs::record(&mut tx, actor, "org_change_quota_limit", scope, metadata).await?;
    db::commit(tx).await?;
    let mut conn = app.db.reader().await?;
    find_quota(&mut conn, namespace.id)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn delete_limit(
    app: &App,
    actor: &Actor,
    namespace: &Account,
    (quota_id, limit_id): (i64, i64),
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let quota = quota_in(&mut tx, namespace, quota_id).await?;
    let limit = quota
        .limits
        .iter()
        .find(|l| l.id == limit_id)
        .ok_or(Error::NotFound)?;
    db::quotas::delete_limit(&mut tx, limit.id).await?;
    let metadata = json!({
        "namespace": namespace.username,
        "limit_id": limit.id,
        "type": limit.kind.as_str(),
        "threshold_percent": limit.percent,
    });
    let scope = Scope::namespace(namespace.id);
    logs::record(&mut tx, actor, "org_delete_quota_limit", scope, metadata).await?;
    Ok(db::commit(tx).await?)
}

/// A namespace's size against its configured quota (its own, or the system default).
#[derive(Debug, Clone)]
pub struct NamespaceUsage {
    pub namespace: String,
    pub used_bytes: i64,
    pub quota_bytes: Option<i64>,
}

/// Every namespace that holds anything or has a quota, by name.
pub async fn usage_report(app: &App) -> Result<Vec<NamespaceUsage>> {
    let mut conn = app.db.reader().await?;
    let default = Some(app.config.default_system_reject_quota_bytes).filter(|b| *b != 0);
    let rows = db::quotas::list_usage(&mut conn).await?;
    Ok(rows
        .into_iter()
        .map(|(namespace, used_bytes, quota)| NamespaceUsage {
            namespace,
            used_bytes,
            quota_bytes: quota.or(default),
        })
        .collect())
}

/// Recounts every namespace's size from its manifests (the registry-size calculation runs
/// this after its total), correcting and reporting any drift; returns how many namespaces
/// had drifted.
pub async fn audit_sizes(app: &App) -> Result<u64> {
    const BATCH: i64 = 100;
    let mut drifted = 0;
    let mut after = 0;
    loop {
        let namespaces = {
            let mut conn = app.db.reader().await?;
            db::quotas::list_counted_namespaces(&mut conn, after, BATCH).await?
        };
        for namespace_id in &namespaces {
            let mut tx = app.db.begin().await?;
            db::quotas::lock_namespace_size(&mut tx, app.db.backend(), *namespace_id).await?;
            let (before, now) = db::quotas::recount_namespace(&mut tx, *namespace_id).await?;
            db::commit(tx).await?;
            if before != now {
                drifted += 1;
                tracing::warn!(
                    namespace.id = namespace_id,
                    counted_bytes = before,
                    actual_bytes = now,
                    "namespace size drift corrected"
                );
            }
        }
        match namespaces.last() {
            Some(last) if namespaces.len() as i64 == BATCH => after = *last,
            _ => return Ok(drifted),
        }
    }
}

// ---- enforcement ---------------------------------------------------------------------------

/// What `size` crosses for a namespace with `quota`, or without one, the system default
/// Reject limit (`DEFAULT_SYSTEM_REJECT_QUOTA_BYTES`).
fn severity(app: &App, quota: Option<&Quota>, size: i64) -> Option<LimitKind> {
    match quota {
        Some(quota) => quota.severity(size),
        None => {
            let default = app.config.default_system_reject_quota_bytes;
            (default > 0 && size >= default).then_some(LimitKind::Reject)
        }
    }
}

fn enforced(app: &App) -> bool {
    app.config.features.quota_management && app.config.features.verify_quota
}

/// The check before an upload starts (`uploads_of` None) or after it took more bytes: refused
/// when the namespace's size, with the bytes of the repository's uploads in progress, crosses
/// a Reject limit (superuser-api.md §10.6). Pushes are held to the limit exactly at their
/// manifest (`check_push`); these checks stop large uploads early.
pub async fn check_upload(app: &App, namespace_id: i64, uploads_of: Option<i64>) -> Result<()> {
    if !enforced(app) {
        return Ok(());
    }
    let mut conn = app.db.reader().await?;
    let quota = find_quota(&mut conn, namespace_id).await?;
    let mut size = db::quotas::find_namespace_size(&mut conn, namespace_id).await?;
    if let Some(repository_id) = uploads_of {
        size = size.saturating_add(db::quotas::uploading_bytes(&mut conn, repository_id).await?);
    }
    match severity(app, quota.as_ref(), size) {
        Some(LimitKind::Reject) => Err(Error::Exceeded),
        _ => Ok(()),
    }
}

/// Locks the namespace's size for a push in `tx`; call before its blobs are counted.
pub async fn lock_namespace(app: &App, conn: &mut DbConn, namespace_id: i64) -> Result<()> {
    db::quotas::lock_namespace_size(conn, app.db.backend(), namespace_id).await?;
    Ok(())
}

/// The check after a push counted its blobs, in its transaction: a Reject limit crossed
/// refuses the push (the transaction is then dropped, so nothing of it stays); the first push
/// over a Warning limit writes a `quota_warning` entry, and one under every limit re-arms it.
/// `pending_bytes` are layers the push names that are still to arrive (a proxy cache's lazy
/// copy), counted now as Quay counts a cached manifest's layers before it caches them.
pub async fn check_push(
    app: &App,
    conn: &mut DbConn,
    actor: &Actor,
    namespace: (i64, &str),
    pending_bytes: i64,
) -> Result<()> {
    if !enforced(app) {
        return Ok(());
    }
    let (namespace_id, namespace_name) = namespace;
    let state = db::quotas::lock_namespace_size(&mut *conn, app.db.backend(), namespace_id).await?;
    let quota = find_quota(&mut *conn, namespace_id).await?;
    let size_bytes = state.size_bytes.saturating_add(pending_bytes);
    match severity(app, quota.as_ref(), size_bytes) {
        Some(LimitKind::Reject) => Err(Error::Exceeded),
        Some(LimitKind::Warning) if state.warned == 0 => {
            db::quotas::set_warned(&mut *conn, namespace_id, true).await?;
            let limit_bytes = quota.as_ref().map_or(0, |q| q.limit_bytes);
            let metadata = json!({
                "namespace": namespace_name,
                "size_bytes": size_bytes,
                "limit_bytes": limit_bytes,
                "limit": human_limit(limit_bytes),
            });
            let scope = Scope::namespace(namespace_id);
            logs::record(conn, actor, "quota_warning", scope, metadata).await?;
            Ok(())
        }
        None if state.warned != 0 => Ok(db::quotas::set_warned(conn, namespace_id, false).await?),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_limits_follow_quay() {
        for (bytes, text) in [
            (10737418240, "10.0 GiB"),
            (5000000000, "4.7 GiB"),
            (1000, "1000.0 Byte"),
            (1536, "1.5 KiB"),
            (1048575, "1024.0 KiB"),
            (1310720, "1.2 MiB"),
            (0, "0.0 Byte"),
        ] {
            assert_eq!(human_limit(bytes), text, "{bytes}");
        }
    }

    #[test]
    fn limit_strings() {
        let route = Route::Superuser;
        assert_eq!(parse_limit("10 GiB", &route).unwrap(), 10737418240);
        assert_eq!(parse_limit("10GB", &route).unwrap(), 10_000_000_000);
        assert_eq!(parse_limit("1024", &route).unwrap(), 1024);
        assert_eq!(parse_limit("7 Ki", &route).unwrap(), 7168);
        for (text, refused) in [
            ("5 B", "Invalid limit format"),
            ("1 ZiB", "Invalid limit format"),
            ("GiB", "Invalid limit format"),
            ("1  GiB", "Invalid limit format"),
            ("1 ZB", "Unsupported quota size limit."),
            ("9 EiB", "Unsupported quota size limit."),
        ] {
            let err = parse_limit(text, &route).unwrap_err();
            assert_eq!(err.to_string(), refused, "{text}");
        }
    }

    #[test]
    fn the_largest_crossed_threshold_decides() {
        let limit = |id, kind, percent| Limit { id, kind, percent };
        let quota = Quota {
            id: 1,
            limit_bytes: 1000,
            limits: vec![
                limit(1, LimitKind::Warning, 80),
                limit(2, LimitKind::Reject, 100),
            ],
        };
        assert_eq!(quota.severity(799), None);
        assert_eq!(quota.severity(800), Some(LimitKind::Warning));
        assert_eq!(quota.severity(1000), Some(LimitKind::Reject));
        let unlimited = Quota {
            limits: Vec::new(),
            ..quota
        };
        assert_eq!(unlimited.severity(5000), None);
    }
}
