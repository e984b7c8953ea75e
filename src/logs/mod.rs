//! Usage logs: every action writes one entry, in the same transaction as the action; reads
//! (pulls) queue theirs for a batch writer (`deferred`).

pub mod deferred;
pub mod export;
pub mod query;
pub mod window;

use serde_json::Value;

use crate::db::{self, logs::DeferredLogEntry, logs::NewLogEntry, DbConn};
use deferred::DeferredLogs;

/// The OAuth token an action was authorized with; Quay adds it to every entry's metadata.
#[derive(Debug, Clone)]
pub struct OAuthUse {
    pub token_id: i64,
    pub client_id: String,
    pub application_name: String,
}

/// Who acted and from where; carried from the request into every domain operation.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub performer_id: Option<i64>,
    pub performer_name: Option<String>,
    pub ip: Option<String>,
    pub oauth: Option<OAuthUse>,
}

impl Actor {
    pub fn anonymous(ip: Option<String>) -> Actor {
        Actor {
            ip,
            ..Actor::default()
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
    let metadata = with_oauth_fields(actor, metadata);
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

/// Queues one entry of `kind` for the batch writer; for records of reads, whose loss in a
/// crash costs no stored data. The performer is `actor.performer_name`.
pub async fn record_deferred(
    queue: &DeferredLogs,
    actor: &Actor,
    kind: &'static str,
    scope: Scope,
    metadata: Value,
) {
    let entry = DeferredLogEntry {
        kind,
        account_id: scope.account_id,
        performer_name: actor.performer_name.clone(),
        repository_id: scope.repository_id,
        ip: actor.ip.clone(),
        metadata: with_oauth_fields(actor, metadata),
        datetime_ms: db::now_ms(),
    };
    queue.record(entry).await;
}

/// `metadata` as stored: with the OAuth token's fields when one authorized the action.
fn with_oauth_fields(actor: &Actor, mut metadata: Value) -> String {
    if let (Some(oauth), Some(fields)) = (&actor.oauth, metadata.as_object_mut()) {
        fields.insert("oauth_token_id".into(), oauth.token_id.into());
        fields.insert(
            "oauth_token_application_id".into(),
            oauth.client_id.clone().into(),
        );
        fields.insert(
            "oauth_token_application".into(),
            oauth.application_name.clone().into(),
        );
    }
    metadata.to_string()
}
