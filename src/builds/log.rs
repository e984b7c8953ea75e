//! A build's log (superuser-api.md §11.3): Quay's entries, kept in the database, or in Redis
//! while the build runs when `BUILDLOGS_REDIS` is set (then moved to the database when it
//! ends, as Quay archives finished logs).

use serde_json::{json, Value};

use super::Result;
use crate::app::App;
use crate::db;

/// What an entry is, beside plain build output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Phase,
    /// The first line of a Dockerfile step.
    Command,
    Error,
}

/// One entry: plain output is `{"message"}`; the other kinds carry their `type` and the
/// server's local time in `data.datetime`.
pub fn entry(message: &str, kind: Option<EntryKind>) -> Value {
    let Some(kind) = kind else {
        return json!({ "message": message });
    };
    let kind = match kind {
        EntryKind::Phase => "phase",
        EntryKind::Command => "command",
        EntryKind::Error => "error",
    };
    let datetime = chrono::Local::now()
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string();
    json!({ "message": message, "type": kind, "data": { "datetime": datetime } })
}

/// Appends to one build's log, a batch at a time.
pub struct LogWriter<'a> {
    app: &'a App,
    uuid: String,
    /// The database position of the next entry.
    next_seq: i64,
    pending: Vec<String>,
}

impl<'a> LogWriter<'a> {
    pub async fn open(app: &'a App, uuid: &str) -> Result<LogWriter<'a>> {
        let mut conn = app.db.reader().await?;
        let next_seq = db::builds::count_log_entries(&mut conn, uuid).await?;
        Ok(LogWriter {
            app,
            uuid: uuid.to_owned(),
            next_seq,
            pending: Vec::new(),
        })
    }

    pub fn push(&mut self, entry: Value) {
        self.pending.push(entry.to_string());
    }

    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Stores what was pushed. Redis refusing loses the batch (with a warning) rather than the
    /// build; the database refusing fails the call.
    pub async fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let entries = std::mem::take(&mut self.pending);
        if let Some(redis) = &self.app.build_logs_redis {
            if let Err(err) = redis.append(&self.uuid, &entries).await {
                tracing::warn!(build = %self.uuid, error = %err, "build log entries lost: Redis refused them");
            }
            return Ok(());
        }
        let mut tx = self.app.db.begin().await?;
        db::builds::insert_log_entries(&mut tx, &self.uuid, self.next_seq, &entries).await?;
        db::commit(tx).await?;
        self.next_seq += i64::try_from(entries.len()).unwrap_or(0);
        Ok(())
    }
}

/// Appends one entry to the build's log at once.
pub async fn append(app: &App, uuid: &str, entry: Value) -> Result<()> {
    let mut writer = LogWriter::open(app, uuid).await?;
    writer.push(entry);
    writer.flush().await
}

/// A page of a build's log.
pub struct LogPage {
    /// How many entries the log holds.
    pub total: i64,
    pub entries: Vec<Value>,
}

/// The build's log from entry `start` on: from Redis while it holds the log, else from the
/// database.
pub async fn read(app: &App, uuid: &str, start: i64) -> Result<LogPage> {
    const PAGE: i64 = 10_000;
    let start = start.max(0);
    let parse = |entries: Vec<String>| {
        entries
            .iter()
            .filter_map(|e| serde_json::from_str(e).ok())
            .collect()
    };
    if let Some(redis) = &app.build_logs_redis {
        match redis.read(uuid, start).await {
            Ok((total, entries)) if total > 0 => {
                return Ok(LogPage {
                    total,
                    entries: parse(entries),
                })
            }
            Ok(_) => {}
            Err(err) => {
                // An unreachable store reads as an empty log, as Quay's does.
                tracing::warn!(build = %uuid, error = %err, "cannot read a build log from Redis");
                return Ok(LogPage {
                    total: 0,
                    entries: Vec::new(),
                });
            }
        }
    }
    let mut conn = app.db.reader().await?;
    let total = db::builds::count_log_entries(&mut conn, uuid).await?;
    let entries = db::builds::list_log_entries(&mut conn, uuid, start, PAGE).await?;
    Ok(LogPage {
        total,
        entries: parse(entries),
    })
}

/// Moves a finished build's log from Redis to the database (nothing to do without Redis).
pub async fn archive(app: &App, uuid: &str) -> Result<()> {
    let Some(redis) = &app.build_logs_redis else {
        return Ok(());
    };
    let entries = match redis.read(uuid, 0).await {
        Ok((_, entries)) => entries,
        Err(err) => {
            tracing::warn!(build = %uuid, error = %err, "build log left in Redis: cannot read it");
            return Ok(());
        }
    };
    if entries.is_empty() {
        return Ok(());
    }
    let mut tx = app.db.begin().await?;
    let first_seq = db::builds::count_log_entries(&mut tx, uuid).await?;
    db::builds::insert_log_entries(&mut tx, uuid, first_seq, &entries).await?;
    db::commit(tx).await?;
    if let Err(err) = redis.remove(uuid).await {
        tracing::warn!(build = %uuid, error = %err, "archived build log left in Redis");
    }
    Ok(())
}
