//! Usage logs: every action writes one entry, in the same transaction as the action.

use serde_json::Value;

use crate::db::{self, logs::NewLogEntry, DbConn};

/// Who acted and from where; carried from the request into every domain operation.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub performer_id: Option<i64>,
    pub performer_name: Option<String>,
    pub ip: Option<String>,
}

impl Actor {
    pub fn anonymous(ip: Option<String>) -> Actor {
        Actor {
            performer_id: None,
            performer_name: None,
            ip,
        }
    }
}

/// Where an entry belongs: the namespace account and, for repository actions, the repository.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope {
    pub account_id: Option<i64>,
    pub repository_id: Option<i64>,
}

impl Scope {
    pub fn namespace(account_id: i64) -> Scope {
        Scope {
            account_id: Some(account_id),
            repository_id: None,
        }
    }

    pub fn repository(account_id: i64, repository_id: i64) -> Scope {
        Scope {
            account_id: Some(account_id),
            repository_id: Some(repository_id),
        }
    }
}

/// Writes one usage-log entry of `kind` through `conn` (normally the action's transaction).
pub async fn record(
    conn: &mut DbConn,
    actor: &Actor,
    kind: &str,
    scope: Scope,
    metadata: Value,
) -> db::Result<()> {
    let metadata = metadata.to_string();
    db::logs::insert_log_entry(
        conn,
        &NewLogEntry {
            kind,
            account_id: scope.account_id,
            performer_id: actor.performer_id,
            repository_id: scope.repository_id,
            ip: actor.ip.as_deref(),
            metadata: &metadata,
            datetime_ms: db::now_ms(),
        },
    )
    .await
}
