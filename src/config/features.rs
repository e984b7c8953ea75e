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
    /// `FEATURE_VERIFY_QUOTA`, default true: with quota management, pushes are checked
    /// against Reject limits.
    pub verify_quota: bool,
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
    /// `FEATURE_GARBAGE_COLLECTION`, default true: unreferenced manifests and blobs are
    /// collected.
    pub garbage_collection: bool,
    /// `FEATURE_EXTENDED_REPOSITORY_NAMES`, default true: repository names may hold `/`.
    pub extended_repository_names: bool,
    /// `FEATURE_LIBRARY_SUPPORT`, default true: a name without namespace means `library/`.
    pub library_support: bool,
    /// `FEATURE_SPARSE_INDEX`, default false: a pushed index may name manifests the
    /// repository does not hold, and an image layers never uploaded (the distribution spec's
    /// sparse manifests); the config must always be there.
    pub sparse_index: bool,
    /// `FEATURE_AUTO_PRUNE`, default true here (false in Quay; decision 18): auto-prune
    /// policies and the job that applies them.
    pub auto_prune: bool,
    /// `FEATURE_IMMUTABLE_TAGS`, default true here (false in Quay; decision 18): immutable
    /// tags, their policies and the `immutable` key of tag views.
    pub immutable_tags: bool,
    /// `FEATURE_IMMUTABLE_TAGS_CAN_EXPIRE`, default false: an immutable tag may keep an expiry.
    pub immutable_tags_can_expire: bool,
    /// `FEATURE_SUPERUSER_CONFIGDUMP`, default true here (false in Quay; decision 19): any
    /// superuser reads the configuration, secrets masked.
    pub superuser_configdump: bool,
    /// `FEATURE_REPO_MIRROR`, default false: repositories may mirror another registry's.
    pub repo_mirror: bool,
    /// `FEATURE_PROXY_CACHE`, default false: organizations may be proxy caches of another
    /// registry.
    pub proxy_cache: bool,
    /// `FEATURE_USER_EVENTS`, default true: logins, pushes and pulls of users are published
    /// as live events (`/realtime/user/subscribe`).
    pub user_events: bool,
    /// Every other `FEATURE_*` key: switches Berth does not have, reported as ignored.
    pub other: BTreeMap<String, bool>,
}

/// Every `FEATURE_*` switch of Quay's configuration schema; others are likely typos.
pub const QUAY_FEATURES: &[&str] = &[
    "FEATURE_ACI_CONVERSION",
    "FEATURE_ACTION_LOG_ROTATION",
    "FEATURE_ADVERTISE_V2",
    "FEATURE_AGGREGATED_LOG_COUNT_RETRIEVAL",
    "FEATURE_ANONYMOUS_ACCESS",
    "FEATURE_APP_SPECIFIC_TOKENS",
    "FEATURE_ASSIGN_OAUTH_TOKEN",
    "FEATURE_AUTO_PRUNE",
    "FEATURE_BILLING",
    "FEATURE_BITBUCKET_BUILD",
    "FEATURE_BLACKLISTED_EMAILS",
    "FEATURE_BUILD_SUPPORT",
    "FEATURE_CHANGE_TAG_EXPIRATION",
    "FEATURE_CLEAR_EXPIRED_RAC_ENTRIES",
    "FEATURE_DIRECT_LOGIN",
    "FEATURE_DISABLE_PULL_LOGS_FOR_FREE_NAMESPACES",
    "FEATURE_EDIT_QUOTA",
    "FEATURE_ENABLE_STALE_MPU_CLEANUP",
    "FEATURE_ENTITLEMENT_RECONCILIATION",
    "FEATURE_EXPORT_COMPLIANCE",
    "FEATURE_EXTENDED_ACTION_LOGGING",
    "FEATURE_EXTENDED_REPOSITORY_NAMES",
    "FEATURE_FIPS",
    "FEATURE_GARBAGE_COLLECTION",
    "FEATURE_GENERAL_OCI_SUPPORT",
    "FEATURE_GITHUB_BUILD",
    "FEATURE_GITHUB_LOGIN",
    "FEATURE_GITLAB_BUILD",
    "FEATURE_GOOGLE_LOGIN",
    "FEATURE_HELM_OCI_SUPPORT",
    "FEATURE_IMAGE_EXPIRY_TRIGGER",
    "FEATURE_IMAGE_PULL_STATS",
    "FEATURE_IMMUTABLE_TAGS",
    "FEATURE_IMMUTABLE_TAGS_CAN_EXPIRE",
    "FEATURE_INVITE_ONLY_USER_CREATION",
    "FEATURE_LDAP_CACHING",
    "FEATURE_LIBRARY_SUPPORT",
    "FEATURE_LISTEN_IP_VERSION",
    "FEATURE_LOG_EXPORT",
    "FEATURE_MAILING",
    "FEATURE_MANIFEST_SIZE_BACKFILL",
    "FEATURE_MANIFEST_SUBJECT_BACKFILL",
    "FEATURE_NAMESPACE_GARBAGE_COLLECTION",
    "FEATURE_NONSUPERUSER_TEAM_SYNCING_SETUP",
    "FEATURE_ORG_MIRROR",
    "FEATURE_ORG_SHARED_EMAIL",
    "FEATURE_OTEL_TRACING",
    "FEATURE_PARTIAL_USER_AUTOCOMPLETE",
    "FEATURE_PERMANENT_SESSIONS",
    "FEATURE_PROGRAMMATIC_BOOTSTRAP",
    "FEATURE_PROXY_CACHE",
    "FEATURE_PROXY_CACHE_BLOB_DOWNLOAD",
    "FEATURE_PROXY_STORAGE",
    "FEATURE_PUBLIC_CATALOG",
    "FEATURE_QUOTA_MANAGEMENT",
    "FEATURE_QUOTA_NOTIFICATIONS",
    "FEATURE_QUOTA_SUPPRESS_FAILURES",
    "FEATURE_RATE_LIMITS",
    "FEATURE_READER_BUILD_LOGS",
    "FEATURE_RECAPTCHA",
    "FEATURE_REFERRERS_API",
    "FEATURE_REPOSITORY_ACTION_COUNTER",
    "FEATURE_REPOSITORY_GARBAGE_COLLECTION",
    "FEATURE_REPO_MIRROR",
    "FEATURE_REQUIRE_ENCRYPTED_BASIC_AUTH",
    "FEATURE_REQUIRE_TEAM_INVITE",
    "FEATURE_RESTRICTED_USERS",
    "FEATURE_RESTRICTED_V1_PUSH",
    "FEATURE_RH_MARKETPLACE",
    "FEATURE_SECURITY_NOTIFICATIONS",
    "FEATURE_SECURITY_SCANNER",
    "FEATURE_SECURITY_SCANNER_NOTIFY_ON_NEW_INDEX",
    "FEATURE_SECURITY_SCANNER_V2",
    "FEATURE_SIGNING",
    "FEATURE_SPAM_DETECTION",
    "FEATURE_SPARSE_INDEX",
    "FEATURE_STORAGE_REPLICATION",
    "FEATURE_SUPERUSERS_FULL_ACCESS",
    "FEATURE_SUPERUSERS_ORG_CREATION_ONLY",
    "FEATURE_SUPERUSER_CONFIGDUMP",
    "FEATURE_SUPER_USERS",
    "FEATURE_TEAM_SYNCING",
    "FEATURE_UI_DELAY_AFTER_WRITE",
    "FEATURE_UI_MODELCARD",
    "FEATURE_UI_V2",
    "FEATURE_USERNAME_CONFIRMATION",
    "FEATURE_USER_CREATION",
    "FEATURE_USER_EVENTS",
    "FEATURE_USER_INITIALIZE",
    "FEATURE_USER_LAST_ACCESSED",
    "FEATURE_USER_LOG_ACCESS",
    "FEATURE_USER_METADATA",
    "FEATURE_USER_RENAME",
    "FEATURE_VERIFY_QUOTA",
];

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
            verify_quota: true,
            app_specific_tokens: true,
            change_tag_expiration: true,
            proxy_storage: false,
            assign_oauth_token: true,
            user_last_accessed: true,
            namespace_garbage_collection: true,
            garbage_collection: true,
            extended_repository_names: true,
            library_support: true,
            sparse_index: false,
            auto_prune: true,
            immutable_tags: true,
            immutable_tags_can_expire: false,
            superuser_configdump: true,
            user_events: true,
            proxy_cache: false,
            repo_mirror: false,
            other: BTreeMap::new(),
        }
    }
}

/// Berth's switches: each key and where its value lives.
type Slot = fn(&mut Features) -> &mut bool;
const SWITCHES: &[(&str, Slot)] = &[
    ("FEATURE_SUPER_USERS", |f| &mut f.super_users),
    ("FEATURE_SUPERUSERS_FULL_ACCESS", |f| {
        &mut f.superusers_full_access
    }),
    ("FEATURE_USER_INITIALIZE", |f| &mut f.user_initialize),
    ("FEATURE_MAILING", |f| &mut f.mailing),
    ("FEATURE_ANONYMOUS_ACCESS", |f| &mut f.anonymous_access),
    ("FEATURE_QUOTA_MANAGEMENT", |f| &mut f.quota_management),
    ("FEATURE_EDIT_QUOTA", |f| &mut f.edit_quota),
    ("FEATURE_VERIFY_QUOTA", |f| &mut f.verify_quota),
    ("FEATURE_APP_SPECIFIC_TOKENS", |f| {
        &mut f.app_specific_tokens
    }),
    ("FEATURE_CHANGE_TAG_EXPIRATION", |f| {
        &mut f.change_tag_expiration
    }),
    ("FEATURE_PROXY_STORAGE", |f| &mut f.proxy_storage),
    ("FEATURE_ASSIGN_OAUTH_TOKEN", |f| &mut f.assign_oauth_token),
    ("FEATURE_USER_LAST_ACCESSED", |f| &mut f.user_last_accessed),
    ("FEATURE_NAMESPACE_GARBAGE_COLLECTION", |f| {
        &mut f.namespace_garbage_collection
    }),
    ("FEATURE_GARBAGE_COLLECTION", |f| &mut f.garbage_collection),
    ("FEATURE_EXTENDED_REPOSITORY_NAMES", |f| {
        &mut f.extended_repository_names
    }),
    ("FEATURE_LIBRARY_SUPPORT", |f| &mut f.library_support),
    ("FEATURE_SPARSE_INDEX", |f| &mut f.sparse_index),
    ("FEATURE_AUTO_PRUNE", |f| &mut f.auto_prune),
    ("FEATURE_IMMUTABLE_TAGS", |f| &mut f.immutable_tags),
    ("FEATURE_IMMUTABLE_TAGS_CAN_EXPIRE", |f| {
        &mut f.immutable_tags_can_expire
    }),
    ("FEATURE_SUPERUSER_CONFIGDUMP", |f| {
        &mut f.superuser_configdump
    }),
    ("FEATURE_USER_EVENTS", |f| &mut f.user_events),
    ("FEATURE_PROXY_CACHE", |f| &mut f.proxy_cache),
    ("FEATURE_REPO_MIRROR", |f| &mut f.repo_mirror),
];

impl Features {
    /// Sets the switch named by `key`; one Berth does not have is kept in `other`.
    pub fn set(&mut self, key: &str, value: bool) {
        match SWITCHES.iter().find(|(name, _)| *name == key) {
            Some((_, slot)) => *slot(self) = value,
            None => {
                self.other.insert(key.to_owned(), value);
            }
        }
    }

    /// Every switch with its value: Berth's, then the others the file set.
    pub fn entries(&self) -> Vec<(String, bool)> {
        let mut copy = self.clone();
        let mut entries: Vec<(String, bool)> = SWITCHES
            .iter()
            .map(|(name, slot)| ((*name).to_owned(), *slot(&mut copy)))
            .collect();
        entries.extend(self.other.iter().map(|(k, v)| (k.clone(), *v)));
        entries
    }

    /// Quota fields appear in user and organization views only when both switches are on.
    pub fn quota_views(&self) -> bool {
        self.quota_management && self.edit_quota
    }
}
