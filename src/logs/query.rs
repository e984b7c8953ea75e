//! Reading usage logs: pages of entries, newest first, and counts per kind per day
//! (superuser-api.md §7, core-api.md §3.9).

use crate::app::App;
use crate::db::{self, logs::LogEntryRow, logs::LogSelection};

use super::window::TimeWindow;

/// Entries per page (Quay's database backend).
pub const PAGE_SIZE: i64 = 20;

/// Service-key kinds are instance events, not part of a user's own log.
pub const SERVICE_KEY_KINDS: &[&str] = &[
    "service_key_create",
    "service_key_approve",
    "service_key_delete",
    "service_key_modify",
    "service_key_extend",
    "service_key_rotate",
];

/// Where the next page starts: the newest entry not yet shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogCursor {
    pub datetime_ms: i64,
    pub id: i64,
}

pub struct LogPage {
    pub entries: Vec<LogEntryRow>,
    pub next: Option<LogCursor>,
}

/// One page from `cursor` on. A next cursor is only handed out when another entry exists, so
/// following it never yields an empty page (Berth's decision 5).
pub async fn list_logs(
    app: &App,
    selection: &LogSelection<'_>,
    window: TimeWindow,
    cursor: Option<LogCursor>,
) -> db::Result<LogPage> {
    app.deferred_logs.flush().await;
    let mut conn = app.db.reader().await?;
    let from = cursor.map(|c| (c.datetime_ms, c.id));
    let mut entries = db::logs::list_log_entries_page(
        &mut conn,
        selection,
        window.start_ms,
        window.end_ms,
        from,
        PAGE_SIZE + 1,
    )
    .await?;
    let next = if entries.len() as i64 > PAGE_SIZE {
        entries.pop().map(|row| LogCursor {
            datetime_ms: row.datetime_ms,
            id: row.id,
        })
    } else {
        None
    };
    Ok(LogPage { entries, next })
}

/// Counts per kind per UTC day; the window is limited to 31 days by the callers.
pub async fn aggregate_logs(
    app: &App,
    selection: &LogSelection<'_>,
    window: TimeWindow,
) -> db::Result<Vec<db::logs::LogCountRow>> {
    app.deferred_logs.flush().await;
    let mut conn = app.db.reader().await?;
    db::logs::aggregate_log_entries(&mut conn, selection, window.start_ms, window.end_ms).await
}
