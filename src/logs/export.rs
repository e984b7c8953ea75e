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
use crate::jobs;

/// How long Berth waits for a callback's answer.
const CALLBACK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
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

/// Whom to tell when an export is ready, and the names Quay's callback payload carries.
#[derive(Debug, Clone, Default)]
pub struct ExportCallbacks {
    pub callback_url: Option<String>,
    pub callback_email: Option<String>,
    pub namespace: String,
    pub repository: Option<String>,
}

/// Why an export request is refused; the texts are Quay's where Quay has one.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("Invalid callback URL")]
    InvalidCallbackUrl,
    #[error("Invalid callback e-mail")]
    InvalidCallbackEmail,
    #[error("Cannot send the export by e-mail: no mail server is configured (MAIL_SERVER)")]
    MailNotConfigured,
    #[error(transparent)]
    Db(#[from] db::Error),
}

/// A callback may go to the addresses `Config::may_reach` allows, without credentials in the URL.
fn check_callback_url(app: &App, url: &str) -> Result<(), ExportError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| ExportError::InvalidCallbackUrl)?;
    if !app.config.may_reach(&parsed)
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(ExportError::InvalidCallbackUrl);
    }
    Ok(())
}

/// Records an export of `target` over `window`, logs `export_logs_success` and, when the
/// request names a callback, queues its delivery in the same transaction; returns its id.
pub async fn request_export(
    app: &App,
    actor: &Actor,
    target: ExportTarget,
    window: TimeWindow,
    callbacks: ExportCallbacks,
) -> Result<String, ExportError> {
    if let Some(email) = &callbacks.callback_email {
        if !email.contains('@') {
            return Err(ExportError::InvalidCallbackEmail);
        }
        if app.config.mail.is_none() {
            return Err(ExportError::MailNotConfigured);
        }
    }
    if let Some(url) = &callbacks.callback_url {
        check_callback_url(app, url)?;
    }
    let url_root = app.config.app_url();
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
        "callback_url": callbacks.callback_url, "callback_email": callbacks.callback_email,
    });
    super::record(&mut tx, actor, "export_logs_success", scope, metadata).await?;
    if callbacks.callback_url.is_some() || callbacks.callback_email.is_some() {
        let delivery = jobs::DeliverLogExport {
            export_id: id.clone(),
            namespace: callbacks.namespace,
            repository: callbacks.repository,
            callback_url: callbacks.callback_url,
            callback_email: callbacks.callback_email,
        };
        jobs::enqueue(&mut tx, &delivery).await?;
    }
    db::commit(tx).await?;
    Ok(id)
}

/// Where a finished export is downloaded.
pub fn export_url(app: &App, id: &str) -> String {
    format!("{}/exportedlogs/{id}", app.config.app_url())
}

/// Tells the requester that export `delivery.export_id` is ready, as Quay's export worker
/// does: Quay's JSON payload POSTed to the callback URL (any answer but 200 fails the
/// attempt), then the e-mail. A failed attempt is retried by the job queue.
pub async fn deliver(app: &App, delivery: &jobs::DeliverLogExport) -> anyhow::Result<()> {
    let Some(export) = find_export(app, &delivery.export_id).await? else {
        tracing::info!(export.id = %delivery.export_id, "export expired before its delivery");
        return Ok(());
    };
    let url = export_url(app, &export.id);
    let date = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .format("%m/%d/%Y")
            .to_string()
    };
    if let Some(callback) = &delivery.callback_url {
        check_callback_url(app, callback)?;
        let payload = json!({
            "export_id": export.id, "start_time": date(export.start_ms),
            "end_time": date(export.end_ms), "namespace": delivery.namespace,
            "repository": delivery.repository, "exported_data_url": url, "status": "success",
        });
        let status = crate::webhooks::post_json(callback, &payload, CALLBACK_TIMEOUT).await?;
        anyhow::ensure!(
            status == reqwest::StatusCode::OK,
            "the export callback answered {status}"
        );
        tracing::info!(export.id = %export.id, callback = %callback, "export callback delivered");
    }
    if let (Some(to), Some(mail)) = (&delivery.callback_email, &app.config.mail) {
        let subject = format!(
            "[{}] Export Action Logs Complete",
            app.config.registry_title_short
        );
        let body = format!(
            "Usage Logs Export has completed\n\nExport ID: {}\n\nThe exported logs \
             information can be found at {url} and will remain accessible for {} seconds \
             before being deleted.\n",
            export.id,
            EXPORT_LIFETIME_MS / 1000
        );
        crate::mail::send(mail, to, &subject, body).await?;
        tracing::info!(export.id = %export.id, "export e-mail sent");
    }
    Ok(())
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
