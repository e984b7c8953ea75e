//! The superuser flavour of the organization view (superuser-api.md §4.3).

use serde::Serialize;

use super::avatar::{Avatar, AvatarKind};
use super::quota::{empty_quota_fields, QuotaReport};
use crate::accounts::Account;
use crate::config::Config;

#[derive(Debug, Serialize)]
pub struct SuperuserOrganizationView {
    pub name: String,
    pub email: String,
    pub avatar: Avatar,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotas: Option<Vec<serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota_report: Option<QuotaReport>,
}

impl SuperuserOrganizationView {
    pub fn new(org: &Account, config: &Config) -> SuperuserOrganizationView {
        let (quotas, quota_report) = empty_quota_fields(config.features.quota_views());
        SuperuserOrganizationView {
            name: org.username.clone(),
            email: org.email.clone(),
            avatar: Avatar::new(&org.username, Some(&org.email), AvatarKind::Org),
            quotas,
            quota_report,
        }
    }
}
