//! Quota fields of user and organization views (superuser-api.md §4.4); shown only when
//! `FEATURE_QUOTA_MANAGEMENT` and `FEATURE_EDIT_QUOTA` are on.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct QuotaReport {
    pub quota_bytes: i64,
    pub configured_quota: Option<i64>,
    pub running_backfill: &'static str,
    pub backfill_status: &'static str,
}

/// `quotas` and `quota_report` of a namespace without quotas yet.
pub fn empty_quota_fields(shown: bool) -> (Option<Vec<serde_json::Value>>, Option<QuotaReport>) {
    if !shown {
        return (None, None);
    }
    let report = QuotaReport {
        quota_bytes: 0,
        configured_quota: None,
        running_backfill: "waiting",
        backfill_status: "waiting",
    };
    (Some(Vec::new()), Some(report))
}
