//! `config.yaml` as written, key by key, before validation.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_yaml::{Mapping, Value};

use super::features::QUAY_FEATURES;
use super::{
    bad, parse_duration_s, parse_size, Config, ConfigError, Features, IgnoredKey, MailConfig,
    RedisConfig, S3Config, StorageConfig,
};

/// Keys of Quay's configuration that have no effect in Berth: accepted, and reported as ignored.
const NO_EFFECT_KEYS: &[&str] = &[
    "SETUP_COMPLETE",
    "EXTERNAL_TLS_TERMINATION",
    "DISTRIBUTED_STORAGE_DEFAULT_LOCATIONS",
    "USERFILES_LOCATION",
    "USERFILES_PATH",
    "LOG_ARCHIVE_LOCATION",
    "AVATAR_KIND",
    "REGISTRY_TITLE",
    "ENTERPRISE_LOGO_URL",
    "DATA_MODEL_CACHE_CONFIG",
];

/// A Redis server as Quay's `*_REDIS` keys describe it.
#[derive(Debug, serde::Deserialize)]
pub(super) struct RedisKeys {
    host: String,
    port: Option<u16>,
    password: Option<String>,
    db: Option<i64>,
    ssl: Option<bool>,
}

impl RedisKeys {
    fn validate(self, key: &str) -> Result<RedisConfig, ConfigError> {
        if self.host.is_empty() {
            return Err(bad(key, "host must not be empty"));
        }
        if self.ssl == Some(true) {
            return Err(bad(key, "ssl: Berth reaches Redis without TLS only"));
        }
        Ok(RedisConfig {
            host: self.host,
            port: self.port.unwrap_or(6379),
            password: self.password.filter(|p| !p.is_empty()),
            db: self.db.unwrap_or(0),
        })
    }
}

#[derive(Debug, Default)]
pub(super) struct RawConfig {
    pub server_hostname: Option<String>,
    pub preferred_url_scheme: Option<String>,
    pub db_uri: Option<String>,
    pub storage_config: Option<Mapping>,
    pub storage_preference: Option<Vec<String>>,
    pub super_users: Vec<String>,
    pub global_readonly_super_users: Vec<String>,
    pub features: Vec<(String, bool)>,
    pub feature_user_initialize: Option<bool>,
    pub feature_mailing: Option<bool>,
    pub browser_api_calls_xhr_only: Option<bool>,
    pub debugging: Option<bool>,
    pub secret_key: Option<String>,
    pub database_secret_key: Option<String>,
    pub page_token_key: Option<String>,
    pub authentication_type: Option<String>,
    pub default_tag_expiration: Option<String>,
    pub tag_expiration_options: Option<Vec<String>>,
    pub app_specific_token_expiration: Option<String>,
    pub expired_app_specific_token_gc: Option<String>,
    pub maximum_layer_size: Option<String>,
    pub push_temp_tag_expiration_sec: Option<i64>,
    pub default_system_reject_quota_bytes: Option<i64>,
    pub garbage_collection_frequency: Option<f64>,
    pub auto_pruning_poll_period: Option<f64>,
    pub repo_mirror_interval: Option<f64>,
    pub repo_mirror_rollback: Option<bool>,
    pub create_private_repo_on_push: Option<bool>,
    pub direct_oauth_clientid_whitelist: Vec<String>,
    pub oauth_application_maximum_token_count: Option<i64>,
    pub audit_login_failures: Option<bool>,
    pub diskspace_health_threshold: Option<f64>,
    pub mail_server: Option<String>,
    pub mail_port: Option<u16>,
    pub mail_use_tls: Option<bool>,
    pub mail_use_auth: Option<bool>,
    pub mail_username: Option<String>,
    pub mail_password: Option<String>,
    pub mail_default_sender: Option<String>,
    pub registry_title_short: Option<String>,
    pub ssrf_allowed_hosts: Vec<String>,
    pub build_logs_redis: Option<RedisKeys>,
    pub user_events_redis: Option<RedisKeys>,
    /// The file's keys as written, for the superuser's configuration view.
    pub file_keys: serde_json::Map<String, serde_json::Value>,
    pub ignored_keys: Vec<IgnoredKey>,
}

fn value<T: DeserializeOwned>(key: &str, v: Value) -> Result<T, ConfigError> {
    serde_yaml::from_value(v).map_err(|e| bad(key, e.to_string()))
}

/// A secret may be written as a number in YAML; Quay reads it as its decimal text.
fn secret(key: &str, v: Value) -> Result<String, ConfigError> {
    match v {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(bad(key, "expected a string")),
    }
}

impl RawConfig {
    pub fn from_mapping(map: Mapping) -> Result<RawConfig, ConfigError> {
        let mut raw = RawConfig {
            file_keys: match serde_json::to_value(&map) {
                Ok(serde_json::Value::Object(keys)) => keys,
                _ => serde_json::Map::new(),
            },
            ..RawConfig::default()
        };
        for (k, v) in map {
            let Value::String(key) = k else {
                return Err(bad(&format!("{k:?}"), "keys must be strings"));
            };
            let key = key.as_str();
            match key {
                "SERVER_HOSTNAME" => raw.server_hostname = Some(value(key, v)?),
                "PREFERRED_URL_SCHEME" => raw.preferred_url_scheme = Some(value(key, v)?),
                "DB_URI" => raw.db_uri = Some(value(key, v)?),
                "DISTRIBUTED_STORAGE_CONFIG" => raw.storage_config = Some(value(key, v)?),
                "DISTRIBUTED_STORAGE_PREFERENCE" => raw.storage_preference = Some(value(key, v)?),
                "SUPER_USERS" => raw.super_users = value(key, v)?,
                "GLOBAL_READONLY_SUPER_USERS" => raw.global_readonly_super_users = value(key, v)?,
                "FEATURE_USER_INITIALIZE" => raw.feature_user_initialize = Some(value(key, v)?),
                "FEATURE_MAILING" => raw.feature_mailing = Some(value(key, v)?),
                "BROWSER_API_CALLS_XHR_ONLY" => {
                    raw.browser_api_calls_xhr_only = Some(value(key, v)?)
                }
                "DEBUGGING" => raw.debugging = Some(value(key, v)?),
                "SECRET_KEY" => raw.secret_key = Some(secret(key, v)?),
                "DATABASE_SECRET_KEY" => raw.database_secret_key = Some(secret(key, v)?),
                "PAGE_TOKEN_KEY" => raw.page_token_key = Some(value(key, v)?),
                "AUTHENTICATION_TYPE" => raw.authentication_type = Some(value(key, v)?),
                "DEFAULT_TAG_EXPIRATION" => raw.default_tag_expiration = Some(value(key, v)?),
                "TAG_EXPIRATION_OPTIONS" => raw.tag_expiration_options = Some(value(key, v)?),
                // `null` is Quay's "tokens never expire".
                "APP_SPECIFIC_TOKEN_EXPIRATION" => {
                    raw.app_specific_token_expiration = value(key, v)?
                }
                "EXPIRED_APP_SPECIFIC_TOKEN_GC" => {
                    raw.expired_app_specific_token_gc = Some(value(key, v)?)
                }
                "MAXIMUM_LAYER_SIZE" => raw.maximum_layer_size = Some(secret(key, v)?),
                "DEFAULT_SYSTEM_REJECT_QUOTA_BYTES" => {
                    raw.default_system_reject_quota_bytes = Some(value(key, v)?)
                }
                "PUSH_TEMP_TAG_EXPIRATION_SEC" => {
                    raw.push_temp_tag_expiration_sec = Some(value(key, v)?)
                }
                "ACTION_LOG_AUDIT_LOGIN_FAILURES" => {
                    raw.audit_login_failures = Some(value(key, v)?)
                }
                "DIRECT_OAUTH_CLIENTID_WHITELIST" => {
                    raw.direct_oauth_clientid_whitelist = value(key, v)?
                }
                // `null` is Quay's "no limit".
                "OAUTH_APPLICATION_MAXIMUM_TOKEN_COUNT" => {
                    raw.oauth_application_maximum_token_count = value(key, v)?
                }
                "MAIL_SERVER" => raw.mail_server = value(key, v)?,
                "MAIL_PORT" => raw.mail_port = Some(value(key, v)?),
                "MAIL_USE_TLS" => raw.mail_use_tls = Some(value(key, v)?),
                "MAIL_USE_AUTH" => raw.mail_use_auth = Some(value(key, v)?),
                "MAIL_USERNAME" => raw.mail_username = value(key, v)?,
                "MAIL_PASSWORD" => raw.mail_password = Some(secret(key, v)?),
                "MAIL_DEFAULT_SENDER" => raw.mail_default_sender = Some(value(key, v)?),
                "REGISTRY_TITLE_SHORT" => raw.registry_title_short = Some(value(key, v)?),
                "SSRF_ALLOWED_HOSTS" => raw.ssrf_allowed_hosts = value(key, v)?,
                "BUILDLOGS_REDIS" => raw.build_logs_redis = value(key, v)?,
                "USER_EVENTS_REDIS" => raw.user_events_redis = value(key, v)?,
                "DISKSPACE_HEALTH_THRESHOLD" => {
                    raw.diskspace_health_threshold = Some(value(key, v)?)
                }
                "AUTO_PRUNING_POLL_PERIOD" => raw.auto_pruning_poll_period = Some(value(key, v)?),
                "REPO_MIRROR_INTERVAL" => raw.repo_mirror_interval = Some(value(key, v)?),
                "REPO_MIRROR_ROLLBACK" => raw.repo_mirror_rollback = Some(value(key, v)?),
                "GARBAGE_COLLECTION_FREQUENCY" => {
                    raw.garbage_collection_frequency = Some(value(key, v)?)
                }
                "CREATE_PRIVATE_REPO_ON_PUSH" => {
                    raw.create_private_repo_on_push = Some(value(key, v)?)
                }
                _ if key.starts_with("FEATURE_") => {
                    raw.features.push((key.to_owned(), value(key, v)?))
                }
                _ if NO_EFFECT_KEYS.contains(&key) => raw.ignored_keys.push(IgnoredKey {
                    key: key.to_owned(),
                    reason: "a Quay key that has no effect in Berth",
                }),
                _ => raw.ignored_keys.push(IgnoredKey {
                    key: key.to_owned(),
                    reason: "not a configuration key Berth knows",
                }),
            }
        }
        Ok(raw)
    }

    pub fn validate(mut self, data_dir: &Path) -> Result<Config, ConfigError> {
        let mut features = Features::default();
        for (key, on) in &self.features {
            features.set(key, *on);
        }
        for key in features.other.keys() {
            let reason = if QUAY_FEATURES.contains(&key.as_str()) {
                "a Quay feature Berth does not offer"
            } else {
                "not one of Quay's FEATURE_ switches"
            };
            self.ignored_keys.push(IgnoredKey {
                key: key.clone(),
                reason,
            });
        }
        self.ignored_keys.sort_by(|a, b| a.key.cmp(&b.key));
        if let Some(on) = self.feature_user_initialize {
            features.user_initialize = on;
        }
        if let Some(on) = self.feature_mailing {
            features.mailing = on;
        }

        let preferred_url_scheme = self.preferred_url_scheme.unwrap_or_else(|| "http".into());
        if !matches!(preferred_url_scheme.as_str(), "http" | "https") {
            return Err(bad("PREFERRED_URL_SCHEME", "must be http or https"));
        }
        let authentication_type = self
            .authentication_type
            .unwrap_or_else(|| "Database".into());
        if authentication_type != "Database" {
            // Accepting LDAP or OIDC and then checking passwords against the database would
            // let the wrong people in, or keep the right ones out.
            return Err(bad(
                "AUTHENTICATION_TYPE",
                format!(
                    "'{authentication_type}' is not supported: Berth authenticates users against \
                     its own database only (Database)"
                ),
            ));
        }
        let default_tag_expiration_s = duration_s(
            "DEFAULT_TAG_EXPIRATION",
            self.default_tag_expiration.as_deref(),
        )?
        .unwrap_or(14 * 86_400);
        // A zero duration means no expiration, as Quay's falsy timedelta does.
        let app_specific_token_expiration_s = duration_s(
            "APP_SPECIFIC_TOKEN_EXPIRATION",
            self.app_specific_token_expiration.as_deref(),
        )?
        .filter(|s| *s > 0);
        let expired_app_specific_token_gc_s = duration_s(
            "EXPIRED_APP_SPECIFIC_TOKEN_GC",
            self.expired_app_specific_token_gc.as_deref(),
        )?
        .unwrap_or(86_400);
        let tag_expiration_options_s = match &self.tag_expiration_options {
            Some(options) => options
                .iter()
                .map(|text| duration_s("TAG_EXPIRATION_OPTIONS", Some(text)))
                .filter_map(Result::transpose)
                .collect::<Result<Vec<_>, _>>()?,
            None => vec![0, 86_400, 604_800, 1_209_600, 2_419_200],
        };
        let maximum_layer_size = match &self.maximum_layer_size {
            Some(text) => parse_size(text).ok_or_else(|| {
                bad(
                    "MAXIMUM_LAYER_SIZE",
                    format!("'{text}' is not a size like 20G"),
                )
            })?,
            None => 20 << 30,
        };
        let gc_seconds = self.garbage_collection_frequency.unwrap_or(30.0);
        if !(gc_seconds.is_finite() && gc_seconds > 0.0) {
            return Err(bad(
                "GARBAGE_COLLECTION_FREQUENCY",
                "must be a positive number of seconds",
            ));
        }
        let garbage_collection_frequency = features
            .garbage_collection
            .then(|| std::time::Duration::from_secs_f64(gc_seconds));
        let prune_seconds = self.auto_pruning_poll_period.unwrap_or(30.0);
        if !(prune_seconds.is_finite() && prune_seconds > 0.0) {
            return Err(bad(
                "AUTO_PRUNING_POLL_PERIOD",
                "must be a positive number of seconds",
            ));
        }
        let auto_pruning_poll_period = features
            .auto_prune
            .then(|| std::time::Duration::from_secs_f64(prune_seconds));
        let mirror_seconds = self.repo_mirror_interval.unwrap_or(30.0);
        if !(mirror_seconds.is_finite() && mirror_seconds > 0.0) {
            return Err(bad(
                "REPO_MIRROR_INTERVAL",
                "must be a positive number of seconds",
            ));
        }
        let repo_mirror_interval = features
            .repo_mirror
            .then(|| std::time::Duration::from_secs_f64(mirror_seconds));
        if self
            .oauth_application_maximum_token_count
            .is_some_and(|n| n < 1)
        {
            return Err(bad(
                "OAUTH_APPLICATION_MAXIMUM_TOKEN_COUNT",
                "must be at least 1, or null for no limit",
            ));
        }
        let diskspace_health_threshold = self.diskspace_health_threshold.unwrap_or(0.01);
        if !(0.0..=1.0).contains(&diskspace_health_threshold) {
            return Err(bad(
                "DISKSPACE_HEALTH_THRESHOLD",
                "must be a share of the volume between 0 and 1",
            ));
        }
        let mail = match self.mail_server.filter(|s| !s.is_empty()) {
            None => None,
            Some(server) => {
                let credentials = if self.mail_use_auth.unwrap_or(false) {
                    let username = self.mail_username.clone().ok_or_else(|| {
                        bad("MAIL_USERNAME", "is required when MAIL_USE_AUTH is true")
                    })?;
                    Some((username, self.mail_password.clone().unwrap_or_default()))
                } else {
                    None
                };
                let sender = self
                    .mail_default_sender
                    .clone()
                    .unwrap_or_else(|| "admin@example.com".into());
                if !sender.contains('@') {
                    return Err(bad("MAIL_DEFAULT_SENDER", "must be an e-mail address"));
                }
                Some(MailConfig {
                    server,
                    port: self.mail_port.unwrap_or(587),
                    use_tls: self.mail_use_tls.unwrap_or(true),
                    credentials,
                    sender,
                })
            }
        };
        if let Some(key) = &self.page_token_key {
            fernet::Fernet::new(key).ok_or_else(|| {
                bad(
                    "PAGE_TOKEN_KEY",
                    "must be a url-safe base64 Fernet key of 32 bytes",
                )
            })?;
        }

        Ok(Config {
            server_hostname: self.server_hostname.unwrap_or_default(),
            preferred_url_scheme,
            db_uri: db_uri(self.db_uri.as_deref(), data_dir)?,
            storage: storage(self.storage_config, self.storage_preference, data_dir)?,
            super_users: self.super_users,
            global_readonly_super_users: self.global_readonly_super_users,
            features,
            browser_api_calls_xhr_only: self.browser_api_calls_xhr_only.unwrap_or(true),
            debugging: self.debugging.unwrap_or(false),
            secret_key: self.secret_key,
            database_secret_key: self.database_secret_key,
            page_token_key: self.page_token_key,
            authentication_type,
            default_tag_expiration_s,
            tag_expiration_options_s,
            app_specific_token_expiration_s,
            expired_app_specific_token_gc_s,
            maximum_layer_size,
            push_temp_tag_expiration_s: self.push_temp_tag_expiration_sec.unwrap_or(3600),
            default_system_reject_quota_bytes: self.default_system_reject_quota_bytes.unwrap_or(0),
            garbage_collection_frequency,
            auto_pruning_poll_period,
            repo_mirror_interval,
            repo_mirror_rollback: self.repo_mirror_rollback.unwrap_or(false),
            create_private_repo_on_push: self.create_private_repo_on_push.unwrap_or(true),
            direct_oauth_clientid_whitelist: self.direct_oauth_clientid_whitelist,
            oauth_application_maximum_token_count: self.oauth_application_maximum_token_count,
            audit_login_failures: self.audit_login_failures.unwrap_or(false),
            diskspace_health_threshold,
            mail,
            registry_title_short: self.registry_title_short.unwrap_or_else(|| "Berth".into()),
            ssrf_allowed_hosts: self.ssrf_allowed_hosts,
            file_keys: self.file_keys,
            build_logs_redis: self
                .build_logs_redis
                .map(|keys| keys.validate("BUILDLOGS_REDIS"))
                .transpose()?,
            user_events_redis: self
                .user_events_redis
                .map(|keys| keys.validate("USER_EVENTS_REDIS"))
                .transpose()?,
            data_dir: data_dir.to_path_buf(),
            first_user_is_superuser: false,
            ignored_keys: self.ignored_keys,
        })
    }
}

/// The seconds of a duration key (`30s`, `10m`, `2h`, `1d`, `2w`), if it is set.
fn duration_s(key: &str, text: Option<&str>) -> Result<Option<i64>, ConfigError> {
    text.map(|text| {
        parse_duration_s(text)
            .ok_or_else(|| bad(key, format!("'{text}' is not a duration like 2w or 30d")))
    })
    .transpose()
}

/// Accepts Quay's SQLAlchemy-style URIs and turns them into sqlx URIs.
fn db_uri(uri: Option<&str>, data_dir: &Path) -> Result<String, ConfigError> {
    let Some(uri) = uri else {
        return Ok(format!("sqlite://{}", data_dir.join("berth.db").display()));
    };
    let (scheme, rest) = uri.split_once("://").ok_or_else(|| {
        bad(
            "DB_URI",
            "expected scheme://..., e.g. postgresql://user@host/db",
        )
    })?;
    match scheme {
        "postgresql" | "postgres" | "postgresql+psycopg2" => Ok(format!("postgres://{rest}")),
        // SQLAlchemy writes sqlite:///relative and sqlite:////absolute.
        "sqlite" => Ok(format!(
            "sqlite://{}",
            rest.strip_prefix('/').unwrap_or(rest)
        )),
        other => Err(bad(
            "DB_URI",
            format!("unsupported database '{other}': use postgresql or sqlite"),
        )),
    }
}

fn storage(
    config: Option<Mapping>,
    preference: Option<Vec<String>>,
    data_dir: &Path,
) -> Result<StorageConfig, ConfigError> {
    const KEY: &str = "DISTRIBUTED_STORAGE_CONFIG";
    let Some(config) = config else {
        return Ok(StorageConfig::Local {
            path: data_dir.join("blobs"),
        });
    };
    let location = match preference.as_ref().and_then(|p| p.first()) {
        Some(name) => Value::String(name.clone()),
        None if config.len() == 1 => config.keys().next().cloned().unwrap_or(Value::Null),
        None => {
            return Err(bad(
                "DISTRIBUTED_STORAGE_PREFERENCE",
                "name the location to write to",
            ))
        }
    };
    let entry = config.get(&location).ok_or_else(|| {
        bad(
            "DISTRIBUTED_STORAGE_PREFERENCE",
            format!("{location:?} is not in {KEY}"),
        )
    })?;
    let (driver, params): (String, Mapping) = serde_yaml::from_value(entry.clone())
        .map_err(|e| bad(KEY, format!("expected [Driver, {{params}}]: {e}")))?;
    let text = |name: &str| -> Option<String> {
        match params.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    };
    let required = |name: &str| {
        text(name).ok_or_else(|| bad(KEY, format!("{driver} needs the parameter {name}")))
    };
    match driver.as_str() {
        "LocalStorage" => Ok(StorageConfig::Local {
            path: required("storage_path")?.into(),
        }),
        "S3Storage" => {
            let endpoint = text("endpoint_url").or_else(|| {
                text("host").map(|host| match text("port") {
                    Some(port) => format!("https://{host}:{port}"),
                    None => format!("https://{host}"),
                })
            });
            Ok(StorageConfig::S3(S3Config {
                bucket: required("s3_bucket")?,
                root: text("storage_path").unwrap_or_default(),
                endpoint,
                region: text("s3_region"),
                access_key: text("s3_access_key"),
                secret_key: text("s3_secret_key"),
            }))
        }
        "RadosGWStorage" | "RHOCSStorage" => {
            let scheme = if text("is_secure").as_deref() == Some("true") {
                "https"
            } else {
                "http"
            };
            let host = required("hostname")?;
            let endpoint = match text("port") {
                Some(port) => format!("{scheme}://{host}:{port}"),
                None => format!("{scheme}://{host}"),
            };
            Ok(StorageConfig::S3(S3Config {
                bucket: required("bucket_name")?,
                root: text("storage_path").unwrap_or_default(),
                endpoint: Some(endpoint),
                region: text("region_name"),
                access_key: text("access_key"),
                secret_key: text("secret_key"),
            }))
        }
        other => Err(bad(KEY, format!("storage driver {other} is not supported"))),
    }
}
