//! Usage-log entries and aggregates as Quay shows them (superuser-api.md §7.1, §7.2).

use serde::Serialize;

use super::avatar::{Avatar, AvatarKind};
use crate::db::logs::{LogCountRow, LogEntryRow};

/// RFC 2822 with the `-0000` zone, as Python's `formatdate(localtime=False)` writes it.
pub fn rfc2822(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%a, %d %b %Y %H:%M:%S -0000")
        .to_string()
}

#[derive(Debug, Serialize)]
pub struct PerformerView {
    kind: &'static str,
    name: String,
    is_robot: bool,
    avatar: Avatar,
}

#[derive(Debug, Serialize)]
pub struct NamespaceView {
    kind: &'static str,
    name: String,
    avatar: Avatar,
}

#[derive(Debug, Serialize)]
pub struct LogEntryView {
    kind: String,
    metadata: serde_json::Value,
    ip: Option<String>,
    datetime: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    performer: Option<PerformerView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<NamespaceView>,
}

impl LogEntryView {
    /// `namespace` is shown on the instance-wide (superuser) listing only.
    pub fn new(row: LogEntryRow, include_namespace: bool) -> LogEntryView {
        let performer = row.performer_name.map(|name| {
            let is_robot = row.performer_robot.unwrap_or(0) != 0;
            let kind = if is_robot {
                AvatarKind::Robot
            } else {
                AvatarKind::User
            };
            PerformerView {
                kind: "user",
                avatar: Avatar::new(&name, row.performer_email.as_deref(), kind),
                name,
                is_robot,
            }
        });
        let namespace = row
            .namespace_name
            .filter(|_| include_namespace)
            .map(|name| {
                let (kind, avatar_kind) = match (row.namespace_organization, row.namespace_robot) {
                    (Some(1), _) => ("org", AvatarKind::Org),
                    (_, Some(1)) => ("user", AvatarKind::Robot),
                    _ => ("user", AvatarKind::User),
                };
                NamespaceView {
                    kind,
                    avatar: Avatar::new(&name, row.namespace_email.as_deref(), avatar_kind),
                    name,
                }
            });
        LogEntryView {
            kind: row.kind,
            metadata: serde_json::from_str(&row.metadata).unwrap_or_else(|_| serde_json::json!({})),
            ip: row.ip,
            datetime: rfc2822(row.datetime_ms),
            performer,
            namespace,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct LogListView {
    pub start_time: String,
    pub end_time: String,
    pub logs: Vec<LogEntryView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AggregatedLogView {
    kind: String,
    count: i64,
    datetime: String,
}

impl From<LogCountRow> for AggregatedLogView {
    fn from(row: LogCountRow) -> Self {
        AggregatedLogView {
            kind: row.kind,
            count: row.count,
            datetime: rfc2822(row.day * 86_400_000),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AggregatedLogsView {
    pub aggregated: Vec<AggregatedLogView>,
}
