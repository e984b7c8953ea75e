//! Quota views (superuser-api.md §4.4): the full quota of the quota endpoints, the compact
//! one and the report of user and organization views, shown only when
//! `FEATURE_QUOTA_MANAGEMENT` and `FEATURE_EDIT_QUOTA` are on.

use serde::Serialize;

use crate::config::Config;
use crate::quotas::{human_limit, Limit, Quota, Usage};

#[derive(Debug, Serialize)]
pub struct QuotaLimitView {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub limit_percent: i64,
}

impl QuotaLimitView {
    pub fn new(limit: &Limit) -> QuotaLimitView {
        QuotaLimitView {
            id: limit.id,
            kind: limit.kind.as_str(),
            limit_percent: limit.percent,
        }
    }
}

fn limit_views(quota: &Quota) -> Vec<QuotaLimitView> {
    quota.limits.iter().map(QuotaLimitView::new).collect()
}

/// `QuotaFull`: a namespace's quota, or (id null) the system default standing in for one.
#[derive(Debug, Serialize)]
pub struct QuotaView {
    pub id: Option<i64>,
    pub limit_bytes: i64,
    pub limit: String,
    pub default_config: bool,
    pub limits: Vec<QuotaLimitView>,
    pub default_config_exists: bool,
}

impl QuotaView {
    pub fn new(quota: &Quota, config: &Config) -> QuotaView {
        QuotaView {
            id: Some(quota.id),
            limit_bytes: quota.limit_bytes,
            limit: human_limit(quota.limit_bytes),
            default_config: false,
            limits: limit_views(quota),
            default_config_exists: config.default_system_reject_quota_bytes != 0,
        }
    }

    /// `DEFAULT_SYSTEM_REJECT_QUOTA_BYTES` as the organization quota list shows it for an
    /// organization without a quota.
    pub fn system_default(config: &Config) -> Option<QuotaView> {
        let bytes = config.default_system_reject_quota_bytes;
        (bytes != 0).then(|| QuotaView {
            id: None,
            limit_bytes: bytes,
            limit: human_limit(bytes),
            default_config: true,
            limits: Vec::new(),
            default_config_exists: true,
        })
    }
}

/// A quota list: the namespace's one quota, or none.
pub fn quota_list(quota: Option<&Quota>, config: &Config) -> Vec<QuotaView> {
    quota
        .map(|q| QuotaView::new(q, config))
        .into_iter()
        .collect()
}

/// `QuotaCompact`, inside user and organization views.
#[derive(Debug, Serialize)]
pub struct QuotaCompactView {
    pub id: i64,
    pub limit_bytes: i64,
    pub limits: Vec<QuotaLimitView>,
}

#[derive(Debug, Serialize)]
pub struct QuotaReport {
    pub quota_bytes: i64,
    pub configured_quota: Option<i64>,
    pub running_backfill: &'static str,
    pub backfill_status: &'static str,
}

/// `quotas` and `quota_report` of a namespace with `usage`, when quota views are on.
pub fn quota_fields(
    config: &Config,
    shown: bool,
    usage: Option<&Usage>,
) -> (Option<Vec<QuotaCompactView>>, Option<QuotaReport>) {
    if !shown || !config.features.quota_views() {
        return (None, None);
    }
    let empty = Usage::default();
    let usage = usage.unwrap_or(&empty);
    let quotas = usage
        .quota
        .iter()
        .map(|q| QuotaCompactView {
            id: q.id,
            limit_bytes: q.limit_bytes,
            limits: limit_views(q),
        })
        .collect();
    let default = config.default_system_reject_quota_bytes;
    let status = if usage.counted { "complete" } else { "waiting" };
    let report = QuotaReport {
        quota_bytes: usage.size_bytes,
        configured_quota: usage
            .quota
            .as_ref()
            .map(|q| q.limit_bytes)
            .or((default != 0).then_some(default)),
        running_backfill: status,
        backfill_status: status,
    };
    (Some(quotas), Some(report))
}
