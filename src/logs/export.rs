//! Log exports (core-api.md §3.9): a request fixes the selection and the window; the JSON file
//! is produced while it is downloaded, page by page, so no export is ever held in memory.

use futures::Stream;
use serde_json::json;

use std::sync::Arc;

use super::query::LogCursor;
use super::window::TimeWindow;
use super::{Actor, Scope};
use crate::app::App;
use crate::db::{self, logs::LogEntryRow, logs::LogExportRow, logs::LogSelection};

/// How long a download link stays valid.
pub const EXPORT_LIFETIME_MS: i64 = 7 * 86_400_000;
const BATCH: i64 = 500;

/// What is exported: a namespace's log (a user's own without service-key events) or a
/// repository's.
#[derive(Debug, Clone, Copy)]
pub enum ExportTarget {
    Organization(i64),
    User(i64),
    Repository {
        namespace_id: i64,
        repository_id: i64,
    },
}

impl ExportTarget {
    fn scope(self) -> Scope {
        match self {
            ExportTarget::Organization(id) | ExportTarget::User(id) => Scope::namespace(id),
            ExportTarget::Repository {
                namespace_id,
                repository_id,
            } => Scope::repository(namespace_id, repository_id),
        }
    }
}

/// Records an export of `target` over `window` and logs `export_logs_success`; returns its id.
pub async fn request_export(
    app: &App,
    actor: &Actor,
    target: ExportTarget,
    window: TimeWindow,
    url_root: &str,
) -> db::Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = db::now_ms();
    let scope = target.scope();
    let row = LogExportRow {
        id: id.clone(),
        account_id: match target {
            ExportTarget::Repository { .. } => None,
            _ => scope.account_id,
        },
        repository_id: scope.repository_id,
        start_ms: window.start_ms,
        // Entries written after the request are not part of it.
        end_ms: window.end_ms.min(now),
        created_ms: now,
    };
    app.deferred_logs.flush().await;
    let mut tx = app.db.begin().await?;
    db::logs::insert_log_export(&mut tx, &row).await?;
    let metadata = json!({
        "export_id": id, "message": "queued for export", "url": format!("{url_root}/exportedlogs/{id}"),
    });
    super::record(&mut tx, actor, "export_logs_success", scope, metadata).await?;
    db::commit(tx).await?;
    Ok(id)
}

/// A requested export that may still be downloaded.
pub async fn find_export(app: &App, id: &str) -> db::Result<Option<LogExportRow>> {
    let mut conn = app.db.reader().await?;
    let row = db::logs::find_log_export(&mut conn, id).await?;
    Ok(row.filter(|r| db::now_ms() - r.created_ms < EXPORT_LIFETIME_MS))
}

/// Every entry of an export, newest first, fetched in batches as the consumer reads.
pub fn export_entries(
    app: Arc<App>,
    export: LogExportRow,
) -> impl Stream<Item = db::Result<LogEntryRow>> {
    let start: Batches = (Some(None), Vec::new());
    futures::stream::try_unfold(start, move |(cursor, mut buffered)| {
        let app = app.clone();
        let export = export.clone();
        async move {
            if let Some(row) = buffered.pop() {
                return Ok(Some((row, (cursor, buffered))));
            }
            let Some(from) = cursor else {
                return Ok(None);
            };
            let selection = LogSelection {
                account_id: export.account_id,
                repository_id: export.repository_id,
                ..LogSelection::default()
            };
            let mut conn = app.db.reader().await?;
            let mut rows = db::logs::list_log_entries_page(
                &mut conn,
                &selection,
                export.start_ms,
                export.end_ms,
                from.map(|c: LogCursor| (c.datetime_ms, c.id)),
                BATCH + 1,
            )
            .await?;
            let next = (rows.len() as i64 > BATCH).then(|| {
                rows.pop().map(|r| LogCursor {
                    datetime_ms: r.datetime_ms,
                    id: r.id,
                })
            });
            rows.reverse();
            Ok(rows.pop().map(|row| (row, (next, rows))))
        }
    })
}

/// The cursor of the next batch (None: no more batches) and the rows still to hand out.
type Batches = (Option<Option<LogCursor>>, Vec<LogEntryRow>);
