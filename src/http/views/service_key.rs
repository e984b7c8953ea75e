//! The service-key object (superuser-api.md §4.5), written with `jsonify` (sorted keys,
//! HTTP dates).

use serde::Serialize;
use serde_json::Value;

use super::UserView;
use crate::config::Config;
use crate::service_keys::admin::ServiceKey;

#[derive(Debug, Serialize)]
pub struct ServiceKeyView {
    pub approval: Option<ApprovalView>,
    pub created_date: String,
    pub expiration_date: Option<String>,
    pub jwk: Value,
    pub kid: String,
    pub metadata: Value,
    pub name: String,
    pub rotation_duration: Option<i64>,
    pub service: String,
}

#[derive(Debug, Serialize)]
pub struct ApprovalView {
    pub approval_type: String,
    pub approved_date: String,
    pub approver: Option<UserView>,
    pub notes: String,
}

impl ServiceKeyView {
    pub fn new(key: &ServiceKey, config: &Config) -> ServiceKeyView {
        let row = &key.row;
        let approval = row
            .approval_type
            .as_ref()
            .map(|approval_type| ApprovalView {
                approval_type: approval_type.clone(),
                approved_date: http_date(row.approved_ms.unwrap_or(row.created_ms)),
                approver: key
                    .approver
                    .as_ref()
                    .map(|a| UserView::new(a, config, None)),
                notes: row.approval_notes.clone().unwrap_or_default(),
            });
        ServiceKeyView {
            approval,
            created_date: http_date(row.created_ms),
            expiration_date: row.expiration_ms.map(http_date),
            jwk: serde_json::from_str(&row.jwk).unwrap_or(Value::Null),
            kid: row.kid.clone(),
            metadata: serde_json::from_str(&row.metadata)
                .unwrap_or_else(|_| Value::Object(Default::default())),
            name: row.name.clone(),
            rotation_duration: row.rotation_duration_s,
            service: row.service.clone(),
        }
    }
}

/// `Mon, 20 Jan 2025 14:46:01 GMT`, as Flask's `jsonify` writes a datetime.
pub fn http_date(ms: i64) -> String {
    let time = std::time::UNIX_EPOCH
        + std::time::Duration::from_secs(u64::try_from(ms.div_euclid(1000)).unwrap_or(0));
    httpdate::fmt_http_date(time)
}
