//! The superuser flavour of the user view (superuser-api.md §4.2).

use serde::Serialize;

use super::avatar::{Avatar, AvatarKind};
use super::quota::{quota_fields, QuotaCompactView, QuotaReport};
use crate::accounts::Account;
use crate::config::Config;
use crate::quotas::Usage;

#[derive(Debug, Serialize)]
pub struct UserView {
    pub kind: &'static str,
    pub name: String,
    pub username: String,
    pub email: String,
    pub verified: bool,
    pub avatar: Avatar,
    pub super_user: bool,
    pub global_readonly_super_user: bool,
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotas: Option<Vec<QuotaCompactView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota_report: Option<QuotaReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted_password: Option<String>,
}

impl UserView {
    /// `usage` fills the quota fields (shown when quota views are on).
    pub fn new(account: &Account, config: &Config, usage: Option<&Usage>) -> UserView {
        let (quotas, quota_report) = quota_fields(config, true, usage);
        UserView {
            kind: "user",
            name: account.username.clone(),
            username: account.username.clone(),
            email: account.email.clone(),
            verified: account.verified,
            avatar: Avatar::new(&account.username, Some(&account.email), AvatarKind::User),
            super_user: account.is_superuser(config),
            global_readonly_super_user: account.is_global_readonly_superuser(config),
            enabled: account.enabled,
            quotas,
            quota_report,
            encrypted_password: None,
        }
    }
}

/// The answer to `POST /superuser/users/`: the request's e-mail echoed, the new password.
#[derive(Debug, Serialize)]
pub struct CreatedUserView {
    pub username: String,
    pub email: Option<String>,
    pub password: String,
    pub encrypted_password: String,
}
