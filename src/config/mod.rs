//! Configuration: process flags (clap) plus Quay's `config.yaml` keys, validated into `Config`.

mod features;
mod raw;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use features::Features;
use raw::RawConfig;

/// Where blobs are kept: `DISTRIBUTED_STORAGE_CONFIG[DISTRIBUTED_STORAGE_PREFERENCE[0]]`.
#[derive(Debug, Clone, PartialEq)]
pub enum StorageConfig {
    Local { path: PathBuf },
    S3(S3Config),
}

/// The parameters of `S3Storage` (and of `RadosGWStorage`, an S3 endpoint of its own).
#[derive(Debug, Clone, PartialEq)]
pub struct S3Config {
    pub bucket: String,
    /// `storage_path`: the key prefix of every object.
    pub root: String,
    /// The service URL; None means AWS itself.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
}

/// A bad value in the configuration, named by its key.
#[derive(Debug, thiserror::Error)]
#[error("configuration key {key}: {reason}")]
pub struct ConfigError {
    pub key: String,
    pub reason: String,
}

fn bad(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_owned(),
        reason: reason.into(),
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `SERVER_HOSTNAME`: host[:port] clients use; default: the address Berth listens on.
    pub server_hostname: String,
    /// `PREFERRED_URL_SCHEME`, default `http`.
    pub preferred_url_scheme: String,
    /// `DB_URI`; default: SQLite in the data directory.
    pub db_uri: String,
    pub storage: StorageConfig,
    /// `SUPER_USERS`.
    pub super_users: Vec<String>,
    /// `GLOBAL_READONLY_SUPER_USERS`.
    pub global_readonly_super_users: Vec<String>,
    pub features: Features,
    /// `BROWSER_API_CALLS_XHR_ONLY`, default true.
    pub browser_api_calls_xhr_only: bool,
    /// `DEBUGGING`, default false (disables the browser check).
    pub debugging: bool,
    /// `SECRET_KEY`; generated once and kept in the database when absent.
    pub secret_key: Option<String>,
    /// `DATABASE_SECRET_KEY`.
    pub database_secret_key: Option<String>,
    /// `PAGE_TOKEN_KEY` (a Fernet key); generated once and kept in the database when absent.
    pub page_token_key: Option<String>,
    /// `AUTHENTICATION_TYPE`: `Database`, the only kind Berth offers (others fail validation).
    pub authentication_type: String,
    /// `DEFAULT_TAG_EXPIRATION` in seconds, default 2 weeks.
    pub default_tag_expiration_s: i64,
    /// `TAG_EXPIRATION_OPTIONS` in seconds, default `[0s, 1d, 1w, 2w, 4w]`: the only windows
    /// users and organizations may choose.
    pub tag_expiration_options_s: Vec<i64>,
    /// `APP_SPECIFIC_TOKEN_EXPIRATION` in seconds: the lifetime of new app-specific tokens;
    /// None (the default) for tokens that never expire.
    pub app_specific_token_expiration_s: Option<i64>,
    /// `EXPIRED_APP_SPECIFIC_TOKEN_GC` in seconds, default 1 day: how long an expired
    /// app-specific token is kept before the sweep removes it.
    pub expired_app_specific_token_gc_s: i64,
    /// `MAXIMUM_LAYER_SIZE` in bytes, default 20 GiB.
    pub maximum_layer_size: u64,
    /// `PUSH_TEMP_TAG_EXPIRATION_SEC`, default 3600.
    pub push_temp_tag_expiration_s: i64,
    /// `DEFAULT_SYSTEM_REJECT_QUOTA_BYTES`, default 0 (none): the Reject limit of namespaces
    /// without a quota.
    pub default_system_reject_quota_bytes: i64,
    /// How often the garbage collector runs: `GARBAGE_COLLECTION_FREQUENCY` seconds (default
    /// 30); None when `FEATURE_GARBAGE_COLLECTION` is false.
    pub garbage_collection_frequency: Option<std::time::Duration>,
    /// How often auto-prune policies are applied: `AUTO_PRUNING_POLL_PERIOD` seconds (default
    /// 30); None when `FEATURE_AUTO_PRUNE` is false.
    pub auto_pruning_poll_period: Option<std::time::Duration>,
    /// `REPO_MIRROR_INTERVAL` (default 30 s): how often due mirrors are looked for; None
    /// without `FEATURE_REPO_MIRROR`.
    pub repo_mirror_interval: Option<std::time::Duration>,
    /// `REPO_MIRROR_ROLLBACK` (default false): a failed sync undoes every tag change it made;
    /// otherwise only failed tags' (which Berth never half-changes) are.
    pub repo_mirror_rollback: bool,
    /// `CREATE_PRIVATE_REPO_ON_PUSH`, default true.
    pub create_private_repo_on_push: bool,
    /// `DIRECT_OAUTH_CLIENTID_WHITELIST`: applications a script may authorize with basic auth
    /// and no CSRF token.
    pub direct_oauth_clientid_whitelist: Vec<String>,
    /// `OAUTH_APPLICATION_MAXIMUM_TOKEN_COUNT`: how many unexpired tokens an application may
    /// have when one more is minted through `POST .../applications/{client_id}/tokens`;
    /// None (the default, or `null`) for no limit.
    pub oauth_application_maximum_token_count: Option<i64>,
    /// `ACTION_LOG_AUDIT_LOGIN_FAILURES`, default false: failed logins write `login_failure`.
    pub audit_login_failures: bool,
    /// `DISKSPACE_HEALTH_THRESHOLD`, default 0.01: the share of each local volume that must be
    /// free for `/health/instance` to pass.
    pub diskspace_health_threshold: f64,
    /// The mail server of `MAIL_SERVER` and its companions; None when `MAIL_SERVER` is unset
    /// (nothing is mailed, and requests that would mail are refused).
    pub mail: Option<MailConfig>,
    /// `REGISTRY_TITLE_SHORT`, default `Berth`: the prefix of e-mail subjects.
    pub registry_title_short: String,
    /// `SSRF_ALLOWED_HOSTS`: hosts in private or loopback ranges that callbacks may still reach.
    pub ssrf_allowed_hosts: Vec<String>,
    /// `BUILDLOGS_REDIS`: where build logs are kept while builds run; None keeps them in the
    /// database.
    pub build_logs_redis: Option<RedisConfig>,
    /// `USER_EVENTS_REDIS`: the pub/sub server that carries live user events between nodes;
    /// None keeps them within the node.
    pub user_events_redis: Option<RedisConfig>,
    /// The file's keys as written (none without a file).
    pub file_keys: serde_json::Map<String, serde_json::Value>,
    /// The node's data folder (`--data-dir`).
    pub data_dir: std::path::PathBuf,
    /// Embedded mode (no config file): the first initialized user becomes a superuser.
    pub first_user_is_superuser: bool,
    /// Keys of the file that change nothing, with why; warned about at start-up and listed
    /// by `berth config check`.
    pub ignored_keys: Vec<IgnoredKey>,
}

/// Quay's `MAIL_*` keys.
#[derive(Debug, Clone, PartialEq)]
pub struct MailConfig {
    /// `MAIL_SERVER`.
    pub server: String,
    /// `MAIL_PORT`, default 587.
    pub port: u16,
    /// `MAIL_USE_TLS`, default true: STARTTLS is required.
    pub use_tls: bool,
    /// `MAIL_USERNAME` and `MAIL_PASSWORD`, used when `MAIL_USE_AUTH` is true.
    pub credentials: Option<(String, String)>,
    /// `MAIL_DEFAULT_SENDER`, default `admin@example.com` (Quay's).
    pub sender: String,
}

/// A Redis server (Quay's `host`, `port`, `password` and `db` keys).
#[derive(Clone, PartialEq)]
pub struct RedisConfig {
    pub host: String,
    pub port: u16,
    pub password: Option<String>,
    pub db: i64,
}

impl RedisConfig {
    /// The server's `redis://` URL, password included.
    pub fn url(&self) -> String {
        let auth = self
            .password
            .as_ref()
            .map(|p| {
                let escaped =
                    percent_encoding::utf8_percent_encode(p, percent_encoding::NON_ALPHANUMERIC);
                format!(":{escaped}@")
            })
            .unwrap_or_default();
        format!("redis://{auth}{}:{}/{}", self.host, self.port, self.db)
    }
}

/// Shown without the password.
impl std::fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "redis://{}:{}/{}", self.host, self.port, self.db)
    }
}

/// A configuration key that has no effect.
#[derive(Debug, Clone, PartialEq)]
pub struct IgnoredKey {
    pub key: String,
    pub reason: &'static str,
}

impl Config {
    /// The configuration of `berth serve` without `--config`: SQLite and blobs in `data_dir`.
    pub fn embedded(data_dir: &Path) -> Config {
        let raw = RawConfig {
            feature_user_initialize: Some(true),
            feature_mailing: Some(false),
            ..RawConfig::default()
        };
        let mut config = raw
            .validate(data_dir)
            .expect("the embedded defaults are valid");
        config.first_user_is_superuser = true;
        config
    }

    /// Reads Quay's `config.yaml`; keys it does not set take Quay's defaults.
    pub fn from_yaml_file(path: &Path, data_dir: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| bad("(file)", format!("cannot read {}: {e}", path.display())))?;
        Self::from_yaml(&text, data_dir)
    }

    pub fn from_yaml(text: &str, data_dir: &Path) -> Result<Config, ConfigError> {
        let raw = if text.trim().is_empty() {
            RawConfig::default()
        } else {
            let map: serde_yaml::Mapping = serde_yaml::from_str(text)
                .map_err(|e| bad("(file)", format!("not a YAML mapping: {e}")))?;
            RawConfig::from_mapping(map)?
        };
        raw.validate(data_dir)
    }

    /// `<scheme>://<SERVER_HOSTNAME>`, the root of every absolute URL Berth hands out.
    pub fn app_url(&self) -> String {
        format!("{}://{}", self.preferred_url_scheme, self.server_hostname)
    }

    /// Whether Berth may fetch from or call `url` on a user's behalf (log-export callbacks,
    /// build archives): any public HTTP(S) address; loopback, private and link-local hosts
    /// only when `SSRF_ALLOWED_HOSTS` names them (Quay's rule, so users cannot probe the
    /// network Berth runs in).
    pub fn may_reach(&self, url: &url::Url) -> bool {
        let Some(host) = url.host() else {
            return false;
        };
        let internal = match host {
            url::Host::Domain(name) => {
                name == "localhost" || name.ends_with(".local") || name.ends_with(".internal")
            }
            url::Host::Ipv4(ip) => {
                ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
            }
            url::Host::Ipv6(ip) => {
                let first = ip.segments()[0];
                // Unique local fc00::/7 and link-local fe80::/10.
                ip.is_loopback()
                    || ip.is_unspecified()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80
            }
        };
        let host_text = url.host_str().unwrap_or_default().trim_matches(['[', ']']);
        let allowed = self.ssrf_allowed_hosts.iter().any(|h| h == host_text);
        matches!(url.scheme(), "http" | "https") && (!internal || allowed)
    }

    /// Quay's configuration dump (`GET /api/v1/superuser/config`): `config`, the keys Berth
    /// reads with their values (the file's, and the effective address, database and
    /// switches), and `warning`, the file's keys that change nothing; secrets masked.
    pub fn dump(&self) -> (serde_json::Value, serde_json::Value) {
        use serde_json::{json, Map, Value};
        let ignored: Vec<&str> = self.ignored_keys.iter().map(|k| k.key.as_str()).collect();
        let mut config = Map::new();
        config.insert("SERVER_HOSTNAME".into(), json!(self.server_hostname));
        config.insert(
            "PREFERRED_URL_SCHEME".into(),
            json!(self.preferred_url_scheme),
        );
        config.insert("DB_URI".into(), json!(self.db_uri));
        for (key, on) in self.features.entries() {
            config.insert(key, json!(on));
        }
        let mut warning = Map::new();
        for (key, value) in &self.file_keys {
            let target = if ignored.contains(&key.as_str()) {
                &mut warning
            } else {
                &mut config
            };
            target.insert(key.clone(), value.clone());
        }
        (
            masked(Value::Object(config), false),
            masked(Value::Object(warning), false),
        )
    }

    /// A readable listing of the resolved configuration (`berth config check`), secrets hidden.
    pub fn describe(&self) -> BTreeMap<&'static str, String> {
        let mut out = BTreeMap::new();
        out.insert("SERVER_HOSTNAME", self.server_hostname.clone());
        out.insert("PREFERRED_URL_SCHEME", self.preferred_url_scheme.clone());
        out.insert("DB_URI", redact_uri(&self.db_uri));
        out.insert(
            "DISTRIBUTED_STORAGE_CONFIG",
            format!("{:?}", redact_storage(&self.storage)),
        );
        out.insert("SUPER_USERS", self.super_users.join(", "));
        out.insert(
            "GLOBAL_READONLY_SUPER_USERS",
            self.global_readonly_super_users.join(", "),
        );
        out.insert("AUTHENTICATION_TYPE", self.authentication_type.clone());
        out.insert("FEATURES", format!("{:?}", self.features));
        let mail = self
            .mail
            .as_ref()
            .map_or("none (nothing is mailed)".to_owned(), |m| {
                format!(
                    "{}:{} tls={} from {}",
                    m.server, m.port, m.use_tls, m.sender
                )
            });
        out.insert("MAIL_SERVER", mail);
        let build_logs = self
            .build_logs_redis
            .as_ref()
            .map_or("none (build logs in the database)".to_owned(), |r| {
                format!("{r:?}")
            });
        out.insert("BUILDLOGS_REDIS", build_logs);
        let user_events = self
            .user_events_redis
            .as_ref()
            .map_or("none (user events within the node)".to_owned(), |r| {
                format!("{r:?}")
            });
        out.insert("USER_EVENTS_REDIS", user_events);
        out
    }
}

/// Keys (lowercased) whose string values Quay's dump masks, at any depth.
const SENSITIVE_KEYS: [&str; 15] = [
    "password",
    "db_uri",
    "secret_key",
    "access_key",
    "enable_health_debug_secret",
    "client_secret",
    "s3_access_key",
    "s3_secret_key",
    "cloudfront_key_id",
    "sts_user_access_key",
    "sts_user_secret_key",
    "ldap_admin_passwd",
    "page_token_key",
    "security_scanner_v4_psk",
    "database_secret_key",
];

/// Quay's sensitive keys, and (beyond Quay, decision 19) any key that names a password, a
/// secret or a key, such as `MAIL_PASSWORD`, which Quay's dump shows.
fn is_sensitive(key: &str) -> bool {
    let key = key.to_lowercase();
    SENSITIVE_KEYS.contains(&key.as_str())
        || ["password", "passwd", "secret", "token"]
            .iter()
            .any(|word| key.contains(word))
        || key.ends_with("_key")
}

/// `value` with the strings under sensitive keys shown as Quay shows them: up to ten stars
/// and the length, `"****** (6)"`.
fn masked(value: serde_json::Value, sensitive: bool) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let secret = is_sensitive(&key);
                    (key, masked(value, secret))
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| masked(v, sensitive)).collect())
        }
        Value::String(text) if sensitive => {
            let length = text.chars().count();
            Value::String(format!("{} ({length})", "*".repeat(length.min(10))))
        }
        other => other,
    }
}

fn redact_uri(uri: &str) -> String {
    match (uri.find("://"), uri.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***{}", &uri[..scheme_end], &uri[at..])
        }
        _ => uri.to_owned(),
    }
}

fn redact_storage(storage: &StorageConfig) -> StorageConfig {
    match storage.clone() {
        StorageConfig::S3(s3) => StorageConfig::S3(S3Config {
            access_key: s3.access_key.map(|_| "***".into()),
            secret_key: s3.secret_key.map(|_| "***".into()),
            ..s3
        }),
        local => local,
    }
}

/// Quay's duration strings: `30s`, `10m`, `2h`, `1d`, `2w`.
pub fn parse_duration_s(value: &str) -> Option<i64> {
    let value = value.trim();
    let (number, unit) = value.split_at(value.find(|c: char| !c.is_ascii_digit())?);
    let number: i64 = number.parse().ok()?;
    let factor = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// Quay's size strings: `20G`, `500M`, `1024K`, or plain bytes.
pub fn parse_size(value: &str) -> Option<u64> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: u64 = number.parse().ok()?;
    let factor: u64 = match unit.to_ascii_uppercase().trim_end_matches('B') {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return None,
    };
    number.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults() {
        let config = Config::embedded(Path::new("/tmp/d"));
        assert!(config.db_uri.starts_with("sqlite:"));
        assert_eq!(
            config.storage,
            StorageConfig::Local {
                path: "/tmp/d/blobs".into()
            }
        );
        assert!(config.features.user_initialize);
        assert!(config.first_user_is_superuser);
        assert_eq!(
            config.tag_expiration_options_s,
            [0, 86_400, 604_800, 1_209_600, 2_419_200]
        );
        assert!(config.features.change_tag_expiration);
    }

    #[test]
    fn quay_keys_are_read() {
        let yaml = "SERVER_HOSTNAME: quay.example.com\nSUPER_USERS: [quayadmin]\nDB_URI: postgresql://u:p@db/quay\nDISTRIBUTED_STORAGE_CONFIG:\n  default: [LocalStorage, {storage_path: /data}]\nDISTRIBUTED_STORAGE_PREFERENCE: [default]\nSOMETHING_NEW: 1\n";
        let config = Config::from_yaml(yaml, Path::new("/tmp/d")).unwrap();
        assert_eq!(config.server_hostname, "quay.example.com");
        assert_eq!(config.super_users, vec!["quayadmin"]);
        assert_eq!(config.db_uri, "postgres://u:p@db/quay");
        assert_eq!(
            config.storage,
            StorageConfig::Local {
                path: "/data".into()
            }
        );
        assert_eq!(
            config.ignored_keys,
            vec![IgnoredKey {
                key: "SOMETHING_NEW".into(),
                reason: "not a configuration key Berth knows"
            }]
        );
        assert!(!config.features.user_initialize);
    }

    #[test]
    fn bad_values_name_their_key() {
        let err = Config::from_yaml("DB_URI: mysql://x/y\n", Path::new("/d")).unwrap_err();
        assert_eq!(err.key, "DB_URI");
        let err = Config::from_yaml("FEATURE_MAILING: maybe\n", Path::new("/d")).unwrap_err();
        assert_eq!(err.key, "FEATURE_MAILING");
        let err = Config::from_yaml("DEFAULT_TAG_EXPIRATION: soon\n", Path::new("/d")).unwrap_err();
        assert_eq!(err.key, "DEFAULT_TAG_EXPIRATION");
        let err = Config::from_yaml("TAG_EXPIRATION_OPTIONS: [1d, later]\n", Path::new("/d"));
        assert_eq!(err.unwrap_err().key, "TAG_EXPIRATION_OPTIONS");
        let err = Config::from_yaml(
            "DISTRIBUTED_STORAGE_CONFIG:\n  default: [FloppyStorage, {}]\n",
            Path::new("/d"),
        )
        .unwrap_err();
        assert_eq!(err.key, "DISTRIBUTED_STORAGE_CONFIG");
    }

    #[test]
    fn s3_storage_and_garbage_collection() {
        let yaml =
            "DISTRIBUTED_STORAGE_CONFIG:\n  s3: [S3Storage, {s3_bucket: b, storage_path: /r, \
                    endpoint_url: 'http://127.0.0.1:9000', s3_secret_key: k}]\n\
                    GARBAGE_COLLECTION_FREQUENCY: 5\n";
        let config = Config::from_yaml(yaml, Path::new("/d")).unwrap();
        assert_eq!(
            config.storage,
            StorageConfig::S3(S3Config {
                bucket: "b".into(),
                root: "/r".into(),
                endpoint: Some("http://127.0.0.1:9000".into()),
                region: None,
                access_key: None,
                secret_key: Some("k".into()),
            })
        );
        assert!(!config.describe()["DISTRIBUTED_STORAGE_CONFIG"].contains("\"k\""));
        assert_eq!(
            config.garbage_collection_frequency,
            Some(std::time::Duration::from_secs(5))
        );
        let off = Config::from_yaml("FEATURE_GARBAGE_COLLECTION: false\n", Path::new("/d"));
        assert_eq!(off.unwrap().garbage_collection_frequency, None);
        let err = Config::from_yaml("GARBAGE_COLLECTION_FREQUENCY: 0\n", Path::new("/d"));
        assert_eq!(err.unwrap_err().key, "GARBAGE_COLLECTION_FREQUENCY");
    }

    #[test]
    fn oauth_application_token_limit() {
        let key = "OAUTH_APPLICATION_MAXIMUM_TOKEN_COUNT";
        let limit = |yaml: &str| Config::from_yaml(yaml, Path::new("/d"));
        assert_eq!(
            limit("").unwrap().oauth_application_maximum_token_count,
            None
        );
        let set = limit(&format!("{key}: 3\n")).unwrap();
        assert_eq!(set.oauth_application_maximum_token_count, Some(3));
        let null = limit(&format!("{key}: null\n")).unwrap();
        assert_eq!(null.oauth_application_maximum_token_count, None);
        for value in ["0", "-1", "many", "1.5"] {
            let err = limit(&format!("{key}: {value}\n")).unwrap_err();
            assert_eq!(err.key, key, "{value}");
        }
    }

    #[test]
    fn app_specific_token_lifetimes() {
        let defaults = Config::from_yaml("", Path::new("/d")).unwrap();
        assert_eq!(defaults.app_specific_token_expiration_s, None);
        assert_eq!(defaults.expired_app_specific_token_gc_s, 86_400);
        assert!(defaults.features.assign_oauth_token);
        let yaml = "APP_SPECIFIC_TOKEN_EXPIRATION: 30d\nEXPIRED_APP_SPECIFIC_TOKEN_GC: 2h\n";
        let config = Config::from_yaml(yaml, Path::new("/d")).unwrap();
        assert_eq!(config.app_specific_token_expiration_s, Some(30 * 86_400));
        assert_eq!(config.expired_app_specific_token_gc_s, 7200);
        let never = Config::from_yaml("APP_SPECIFIC_TOKEN_EXPIRATION: null\n", Path::new("/d"));
        assert_eq!(never.unwrap().app_specific_token_expiration_s, None);
        for (yaml, key) in [
            (
                "APP_SPECIFIC_TOKEN_EXPIRATION: 30x\n",
                "APP_SPECIFIC_TOKEN_EXPIRATION",
            ),
            (
                "APP_SPECIFIC_TOKEN_EXPIRATION: [1]\n",
                "APP_SPECIFIC_TOKEN_EXPIRATION",
            ),
            (
                "EXPIRED_APP_SPECIFIC_TOKEN_GC: soon\n",
                "EXPIRED_APP_SPECIFIC_TOKEN_GC",
            ),
        ] {
            let err = Config::from_yaml(yaml, Path::new("/d")).unwrap_err();
            assert_eq!(err.key, key, "{yaml}");
        }
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(parse_duration_s("2w"), Some(1_209_600));
        assert_eq!(parse_duration_s("0s"), Some(0));
        assert_eq!(parse_duration_s("x"), None);
        assert_eq!(parse_size("20G"), Some(20 << 30));
        assert_eq!(parse_size("123"), Some(123));
    }
}
