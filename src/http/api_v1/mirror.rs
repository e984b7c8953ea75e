//! Repository mirroring (Quay's `RepoMirrorResource`, `RepoMirrorSyncNowResource`,
//! `RepoMirrorSyncCancelResource` and `RepositoryStateResource`, under `FEATURE_REPO_MIRROR`),
//! for the repository's admins.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{
    fields, read_as_admin, Admin, Caller, QuayJson, RepositoryAccess, RepositoryPath,
};
use crate::http::json::Restful;
use crate::replication::mirror::{self, Mirror, MirrorSettings};

/// Quay's `CreateMirrorConfig` / `UpdateMirrorConfig` fields.
#[derive(Debug, Deserialize)]
pub struct MirrorBody {
    #[serde(default, deserialize_with = "is_enabled")]
    is_enabled: Option<bool>,
    #[serde(default, deserialize_with = "external_reference")]
    external_reference: Option<String>,
    #[serde(default, deserialize_with = "username")]
    external_registry_username: Option<Option<String>>,
    #[serde(default, deserialize_with = "password")]
    external_registry_password: Option<Option<String>>,
    #[serde(default)]
    external_registry_config: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "sync_interval")]
    sync_interval: Option<i64>,
    #[serde(default, deserialize_with = "sync_start_date")]
    sync_start_date: Option<String>,
    #[serde(default, deserialize_with = "robot_username")]
    robot_username: Option<String>,
    #[serde(default)]
    root_rule: Option<RootRule>,
    #[serde(default, deserialize_with = "skopeo_timeout")]
    skopeo_timeout_interval: Option<i64>,
    #[serde(default, deserialize_with = "architecture_filter")]
    architecture_filter: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RootRule {
    /// Checked to be Quay's one kind, `tag_glob_csv`.
    #[serde(rename = "rule_kind", deserialize_with = "rule_kind")]
    _rule_kind: Option<String>,
    rule_value: Vec<String>,
}

fn is_enabled<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    fields::boolean(d, "is_enabled")
}
fn external_reference<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "external_reference")
}
fn username<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    fields::nullable_string(d, "external_registry_username")
}
fn password<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    fields::nullable_string(d, "external_registry_password")
}
fn sync_interval<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    fields::integer_at_least(d, "sync_interval", 1)
}
fn sync_start_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "sync_start_date")
}
fn robot_username<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "robot_username")
}
fn skopeo_timeout<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    fields::integer_at_least(d, "skopeo_timeout_interval", 300)
}
/// An array of names, or null: every architecture (as an empty array).
fn architecture_filter<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<String>>, D::Error> {
    let filter: Option<Vec<String>> = serde::Deserialize::deserialize(d)?;
    Ok(Some(filter.unwrap_or_default()))
}
fn rule_kind<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::one_of(d, "rule_kind", &["tag_glob_csv"])
}

/// Quay's only date format here: `2020-01-02T06:30:00Z`.
fn parse_start_date(text: &str) -> Result<i64, ApiError> {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%SZ")
        .map(|t| t.and_utc().timestamp_millis())
        .map_err(|_| ApiError::Detail {
            status: StatusCode::BAD_REQUEST,
            detail: "Incorrect DateTime format for sync_start_date.".into(),
        })
}

fn format_date(ms: Option<i64>) -> Value {
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map_or(Value::Null, |t| {
            Value::from(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        })
}

impl MirrorBody {
    /// The settings the body gives; `required` names what a create must have.
    fn settings(self, creating: bool) -> Result<MirrorSettings, ApiError> {
        if creating {
            for (present, name) in [
                (self.external_reference.is_some(), "external_reference"),
                (self.sync_interval.is_some(), "sync_interval"),
                (self.sync_start_date.is_some(), "sync_start_date"),
                (self.root_rule.is_some(), "root_rule"),
                (self.robot_username.is_some(), "robot_username"),
            ] {
                if !present {
                    return Err(ApiError::invalid_request(format!(
                        "'{name}' is a required property"
                    )));
                }
            }
        }
        Ok(MirrorSettings {
            is_enabled: self.is_enabled,
            external_reference: self.external_reference,
            username: self.external_registry_username,
            password: self.external_registry_password,
            external_registry_config: self.external_registry_config.map(Value::Object),
            sync_interval_s: self.sync_interval,
            sync_start_ms: self
                .sync_start_date
                .as_deref()
                .map(parse_start_date)
                .transpose()?,
            tag_patterns: self.root_rule.map(|r| r.rule_value),
            robot_username: self.robot_username,
            skopeo_timeout_s: self.skopeo_timeout_interval,
            architecture_filter: self.architecture_filter,
        })
    }
}

/// The mirror as Quay shows it; the password never.
#[derive(Debug, Serialize)]
pub struct MirrorView {
    is_enabled: bool,
    mirror_type: &'static str,
    external_reference: String,
    external_registry_username: Option<String>,
    external_registry_config: Value,
    sync_interval: i64,
    sync_start_date: Value,
    sync_expiration_date: Value,
    sync_retries_remaining: i64,
    sync_status: String,
    root_rule: Value,
    robot_username: Option<String>,
    skopeo_timeout_interval: i64,
    architecture_filter: Vec<String>,
}

impl From<Mirror> for MirrorView {
    fn from(m: Mirror) -> Self {
        MirrorView {
            is_enabled: m.is_enabled,
            mirror_type: "PULL",
            external_reference: m.external_reference,
            external_registry_username: m.username,
            external_registry_config: m.external_registry_config,
            sync_interval: m.sync_interval_s,
            sync_start_date: format_date(m.sync_start_ms),
            sync_expiration_date: format_date(m.sync_expiration_ms),
            sync_retries_remaining: m.sync_retries_remaining,
            sync_status: m.sync_status,
            root_rule: serde_json::json!({"rule_kind": "tag_glob_csv", "rule_value": m.tag_patterns}),
            robot_username: m.robot_username,
            skopeo_timeout_interval: m.skopeo_timeout_s,
            architecture_filter: m.architecture_filter,
        }
    }
}

/// GET /api/v1/repository/{repository}/mirror (getRepoMirrorConfig): for its admins and
/// global read-only superusers.
pub async fn get_mirror(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
) -> Result<Restful<MirrorView>, ApiError> {
    let repo = read_as_admin(&app, &caller, &path).await?;
    let mirror = mirror::get_mirror(&app, &repo).await?;
    Ok(Restful(StatusCode::OK, mirror.into()))
}

/// POST /api/v1/repository/{repository}/mirror (createRepoMirrorConfig): 201 `""`; the
/// repository becomes a mirror.
pub async fn create_mirror(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Admin>,
    QuayJson(body): QuayJson<MirrorBody>,
) -> Result<Restful<&'static str>, ApiError> {
    let settings = body.settings(true)?;
    mirror::create_mirror(&app, &caller.actor(), &repo, settings).await?;
    Ok(Restful(StatusCode::CREATED, ""))
}

/// PUT /api/v1/repository/{repository}/mirror (changeRepoMirrorConfig): 201 `""`.
pub async fn update_mirror(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Admin>,
    QuayJson(body): QuayJson<MirrorBody>,
) -> Result<Restful<&'static str>, ApiError> {
    let settings = body.settings(false)?;
    mirror::update_mirror(&app, &caller.actor(), &repo, settings).await?;
    Ok(Restful(StatusCode::CREATED, ""))
}

/// POST .../mirror/sync-now (syncNow): 204.
pub async fn sync_now(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Admin>,
) -> Result<Response, ApiError> {
    mirror::request_sync(&app, &caller.actor(), &repo, true).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// POST .../mirror/sync-cancel (syncCancel): 204.
pub async fn sync_cancel(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Admin>,
) -> Result<Response, ApiError> {
    mirror::request_sync(&app, &caller.actor(), &repo, false).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
pub struct StateBody {
    #[serde(deserialize_with = "state")]
    state: Option<String>,
}

fn state<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::one_of(d, "state", &["NORMAL", "READ_ONLY", "MIRROR"])
}

/// PUT /api/v1/repository/{repository}/changestate (changeRepoState): `{"success": true}`.
pub async fn change_state(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Admin>,
    QuayJson(body): QuayJson<StateBody>,
) -> Result<Restful<Value>, ApiError> {
    let state = body.state.unwrap_or_default();
    mirror::change_state(&app, &caller.actor(), &repo, &state).await?;
    Ok(Restful(
        StatusCode::OK,
        serde_json::json!({"success": true}),
    ))
}
