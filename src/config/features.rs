//! `FEATURE_*` switches, with Quay's defaults.

use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct Features {
    /// `FEATURE_SUPER_USERS`, default true.
    pub super_users: bool,
    /// `FEATURE_SUPERUSERS_FULL_ACCESS`, default false.
    pub superusers_full_access: bool,
    /// `FEATURE_USER_INITIALIZE`, default false (true in the embedded default).
    pub user_initialize: bool,
    /// `FEATURE_MAILING`, default true: e-mail is then required and validated on user creation.
    pub mailing: bool,
    /// `FEATURE_ANONYMOUS_ACCESS`, default true.
    pub anonymous_access: bool,
    /// `FEATURE_QUOTA_MANAGEMENT`, default false.
    pub quota_management: bool,
    /// `FEATURE_EDIT_QUOTA`, default true.
    pub edit_quota: bool,
    /// `FEATURE_APP_SPECIFIC_TOKENS`, default true.
    pub app_specific_tokens: bool,
    /// `FEATURE_CHANGE_TAG_EXPIRATION`, default true: users and organizations may change their
    /// time-machine window.
    pub change_tag_expiration: bool,
    /// `FEATURE_PROXY_STORAGE`, default false: blob downloads pass through the registry
    /// instead of redirecting to a URL the storage signed (S3).
    pub proxy_storage: bool,
    /// `FEATURE_USER_LAST_ACCESSED`, default true: robot logins record when they happened.
    pub user_last_accessed: bool,
    /// `FEATURE_ASSIGN_OAUTH_TOKEN`, default true: organization admins may assign OAuth
    /// tokens to users.
    pub assign_oauth_token: bool,
    /// `FEATURE_NAMESPACE_GARBAGE_COLLECTION`, default true: deleted users and organizations
    /// are purged in the background; while off they wait, their names still reserved.
    pub namespace_garbage_collection: bool,
    /// Every other `FEATURE_*` key, kept for the `/config` document.
    pub other: BTreeMap<String, bool>,
}

impl Default for Features {
    fn default() -> Self {
        Features {
            super_users: true,
            superusers_full_access: false,
            user_initialize: false,
            mailing: true,
            anonymous_access: true,
            quota_management: false,
            edit_quota: true,
            app_specific_tokens: true,
            change_tag_expiration: true,
            proxy_storage: false,
            assign_oauth_token: true,
            user_last_accessed: true,
            namespace_garbage_collection: true,
            other: BTreeMap::new(),
        }
    }
}

impl Features {
    /// Sets the switch named by `key`; false when the key names no feature Berth models.
    pub fn set(&mut self, key: &str, value: bool) {
        let slot = match key {
            "FEATURE_SUPER_USERS" => &mut self.super_users,
            "FEATURE_SUPERUSERS_FULL_ACCESS" => &mut self.superusers_full_access,
            "FEATURE_USER_INITIALIZE" => &mut self.user_initialize,
            "FEATURE_MAILING" => &mut self.mailing,
            "FEATURE_ANONYMOUS_ACCESS" => &mut self.anonymous_access,
            "FEATURE_QUOTA_MANAGEMENT" => &mut self.quota_management,
            "FEATURE_EDIT_QUOTA" => &mut self.edit_quota,
            "FEATURE_APP_SPECIFIC_TOKENS" => &mut self.app_specific_tokens,
            "FEATURE_CHANGE_TAG_EXPIRATION" => &mut self.change_tag_expiration,
            "FEATURE_PROXY_STORAGE" => &mut self.proxy_storage,
            "FEATURE_ASSIGN_OAUTH_TOKEN" => &mut self.assign_oauth_token,
            "FEATURE_USER_LAST_ACCESSED" => &mut self.user_last_accessed,
            "FEATURE_NAMESPACE_GARBAGE_COLLECTION" => &mut self.namespace_garbage_collection,
            _ => {
                self.other.insert(key.to_owned(), value);
                return;
            }
        };
        *slot = value;
    }

    /// Quota fields appear in user and organization views only when both switches are on.
    pub fn quota_views(&self) -> bool {
        self.quota_management && self.edit_quota
    }
}
