//! The build view (core-api.md §5, superuser-api.md §4.6): Quay's keys in Quay's order.

use serde::Serialize;
use serde_json::{Map, Value};

use super::rfc2822;
use crate::config::Config;
use crate::db::builds::BuildRow;

#[derive(Debug, Serialize)]
pub struct PullRobotView {
    name: String,
    kind: &'static str,
    is_robot: bool,
}

#[derive(Debug, Serialize)]
pub struct BuildRepositoryView {
    namespace: String,
    name: String,
}

#[derive(Debug, Serialize)]
pub struct BuildView {
    id: String,
    phase: String,
    started: String,
    display_name: String,
    status: Map<String, Value>,
    subdirectory: String,
    dockerfile_path: String,
    context: String,
    tags: Vec<Value>,
    manual_user: Option<String>,
    is_writer: bool,
    trigger: Option<Value>,
    trigger_metadata: Value,
    resource_key: Option<String>,
    pull_robot: Option<PullRobotView>,
    repository: BuildRepositoryView,
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    archive_url: Option<String>,
}

impl BuildView {
    /// The view for a caller who may (`is_writer`) or may not write to the repository; the
    /// archive's URL shows only with `show_archive`.
    pub fn new(build: BuildRow, config: &Config, is_writer: bool, show_archive: bool) -> BuildView {
        let job: Map<String, Value> = serde_json::from_str(&build.job_config).unwrap_or_default();
        let text = |key: &str| {
            job.get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let dockerfile = text("build_subdir");
        let phase = crate::builds::reported_phase(&build, crate::db::now_ms()).to_owned();
        let archive_url = match (&build.resource_key, text("archive_url")) {
            (Some(key), _) => Some(format!("{}/userfiles/{key}", config.app_url())),
            (None, url) if !url.is_empty() => Some(url),
            _ => None,
        };
        BuildView {
            started: rfc2822(build.started_ms),
            status: Map::new(),
            subdirectory: dockerfile.clone(),
            dockerfile_path: dockerfile,
            context: text("context"),
            tags: job
                .get("docker_tags")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            manual_user: job
                .get("manual_user")
                .and_then(Value::as_str)
                .map(str::to_owned),
            is_writer,
            trigger: None,
            trigger_metadata: job.get("trigger_metadata").cloned().unwrap_or(Value::Null),
            pull_robot: build.pull_robot.map(|name| PullRobotView {
                name,
                kind: "user",
                is_robot: true,
            }),
            repository: BuildRepositoryView {
                namespace: build.namespace,
                name: build.repository,
            },
            archive_url: archive_url.filter(|_| show_archive),
            phase,
            id: build.uuid,
            display_name: build.display_name,
            resource_key: build.resource_key,
            // Quay's `error` says why a running build's status store could not be read; a
            // build's status lives in the database here, always readable with the build.
            error: None,
        }
    }
}
