//! Usage-log readers of organizations and users (core-api.md §3.9); the superuser readers
//! share the same pieces.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::accounts;
use crate::accounts::Role;
use crate::app::AppState;
use crate::db::logs::LogSelection;
use crate::http::error::ApiError;
use crate::http::extract::{
    fields, resolve_repository, Caller, QuayJson, QueryParams, RepositoryPath,
};
use crate::http::json::Restful;
use crate::http::views::{rfc2822, AggregatedLogsView, LogEntryView, LogListView};
use crate::logs::export::{self, ExportCallbacks, ExportTarget};
use crate::logs::query::{self, LogCursor, SERVICE_KEY_KINDS};
use crate::logs::window::{TimeWindow, WindowError};
use crate::namespaces;
use crate::paging::{self, PageToken};
use crate::repositories::Repository;

impl From<WindowError> for ApiError {
    fn from(err: WindowError) -> Self {
        ApiError::invalid_request(err.to_string())
    }
}

/// `starttime`/`endtime`, after `page` (parsed as Quay does, then ignored) has been checked.
pub fn read_window(query: &QueryParams) -> Result<TimeWindow, ApiError> {
    query.int("page", "The page number for the logs")?;
    Ok(TimeWindow::parse(
        query.string("starttime"),
        query.string("endtime"),
        chrono::Utc::now(),
    )?)
}

/// A page of entries with its `next_page` token.
pub async fn list_view(
    app: &AppState,
    query: &QueryParams,
    selection: &LogSelection<'_>,
    window: TimeWindow,
    include_namespace: bool,
) -> Result<LogListView, ApiError> {
    let token = query
        .string("next_page")
        .and_then(|t| paging::decode(&app.secrets.page_tokens, t));
    let cursor = token
        .as_ref()
        .and_then(PageToken::log_entry)
        .map(|(datetime_ms, id)| LogCursor { datetime_ms, id });
    let page_number = token.map_or(1, |t| t.page_number + 1);
    let page = query::list_logs(app, selection, window, cursor).await?;
    Ok(LogListView {
        start_time: rfc2822(window.start_ms),
        end_time: rfc2822(window.end_ms),
        logs: page
            .entries
            .into_iter()
            .map(|row| LogEntryView::new(row, include_namespace))
            .collect(),
        next_page: page.next.map(|c| {
            paging::encode(
                &app.secrets.page_tokens,
                &PageToken::for_log_entry(c.datetime_ms, c.id, page_number),
            )
        }),
    })
}

pub async fn aggregate_view(
    app: &AppState,
    selection: &LogSelection<'_>,
    window: TimeWindow,
) -> Result<AggregatedLogsView, ApiError> {
    let window = window.require_aggregatable()?;
    let rows = query::aggregate_logs(app, selection, window).await?;
    Ok(AggregatedLogsView {
        aggregated: rows.into_iter().map(Into::into).collect(),
    })
}

/// The entries of an organization (optionally by one performer), for its admins and the
/// global read-only superusers.
async fn organization_selection(
    app: &AppState,
    caller: &Caller,
    org: &str,
    query: &QueryParams,
) -> Result<LogSelection<'static>, ApiError> {
    let identity = caller.require_identity()?;
    let organization = namespaces::get_organization(app, org).await?;
    let allowed = identity.account.is_global_readonly_superuser(&app.config)
        || namespaces::is_org_admin(app, &organization, &identity.account, identity.scopes).await?;
    if !allowed {
        return Err(caller.unauthorized());
    }
    Ok(LogSelection {
        account_id: Some(organization.id),
        performer_id: performer_id(app, query).await?,
        ..LogSelection::default()
    })
}

/// `performer=<username>`: entries by that account only (none when it does not exist).
async fn performer_id(app: &AppState, query: &QueryParams) -> Result<Option<i64>, ApiError> {
    match query.string("performer") {
        None => Ok(None),
        Some(name) => Ok(Some(
            accounts::find_account(app, name)
                .await?
                .map_or(-1, |a| a.id),
        )),
    }
}

/// The caller's own entries (optionally by one performer), without service-key events;
/// needs `user:admin`.
async fn user_selection(
    app: &AppState,
    caller: &Caller,
    query: &QueryParams,
) -> Result<LogSelection<'static>, ApiError> {
    let account_id = match &caller.identity {
        Some(id) if id.account.is_plain_user() && id.scopes.contains_user_admin() => id.account.id,
        _ => return Err(caller.unauthorized()),
    };
    Ok(LogSelection {
        account_id: Some(account_id),
        performer_id: performer_id(app, query).await?,
        excluded_kinds: SERVICE_KEY_KINDS,
        ..LogSelection::default()
    })
}

/// Whose usage logs a path names.
#[derive(Clone, Copy)]
enum LogOwner<'a> {
    Organization(&'a str),
    CallingUser,
    Repository(&'a RepositoryPath),
}

/// The entries of `owner` the caller may read.
async fn owner_selection(
    app: &AppState,
    caller: &Caller,
    owner: LogOwner<'_>,
    query: &QueryParams,
) -> Result<LogSelection<'static>, ApiError> {
    match owner {
        LogOwner::Organization(org) => organization_selection(app, caller, org, query).await,
        LogOwner::CallingUser => user_selection(app, caller, query).await,
        LogOwner::Repository(path) => {
            let repo = repository_selection(app, caller, path).await?;
            Ok(LogSelection {
                repository_id: Some(repo.id),
                ..LogSelection::default()
            })
        }
    }
}

async fn list_logs(
    app: &AppState,
    caller: &Caller,
    owner: LogOwner<'_>,
    query: &QueryParams,
) -> Result<Restful<LogListView>, ApiError> {
    let window = read_window(query)?.require_ordered()?;
    let selection = owner_selection(app, caller, owner, query).await?;
    let view = list_view(app, query, &selection, window, false).await?;
    Ok(Restful(StatusCode::OK, view))
}

async fn aggregate_logs(
    app: &AppState,
    caller: &Caller,
    owner: LogOwner<'_>,
    query: &QueryParams,
) -> Result<Restful<AggregatedLogsView>, ApiError> {
    let window = read_window(query)?.require_ordered()?;
    let selection = owner_selection(app, caller, owner, query).await?;
    Ok(Restful(
        StatusCode::OK,
        aggregate_view(app, &selection, window).await?,
    ))
}

/// GET /api/v1/organization/{orgname}/logs (listOrgLogs) [org:admin]
pub async fn list_organization_logs(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    query: QueryParams,
) -> Result<Restful<LogListView>, ApiError> {
    list_logs(&app, &caller, LogOwner::Organization(&org), &query).await
}

/// GET /api/v1/organization/{orgname}/aggregatelogs (getAggregateOrgLogs) [org:admin]
pub async fn aggregate_organization_logs(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    query: QueryParams,
) -> Result<Restful<AggregatedLogsView>, ApiError> {
    aggregate_logs(&app, &caller, LogOwner::Organization(&org), &query).await
}

/// GET /api/v1/user/logs (listUserLogs) [user:admin]
pub async fn list_user_logs(
    State(app): State<AppState>,
    caller: Caller,
    query: QueryParams,
) -> Result<Restful<LogListView>, ApiError> {
    list_logs(&app, &caller, LogOwner::CallingUser, &query).await
}

/// GET /api/v1/user/aggregatelogs (getAggregateUserLogs) [user:admin]
pub async fn aggregate_user_logs(
    State(app): State<AppState>,
    caller: Caller,
    query: QueryParams,
) -> Result<Restful<AggregatedLogsView>, ApiError> {
    aggregate_logs(&app, &caller, LogOwner::CallingUser, &query).await
}

/// GET /api/v1/repository/{repository}/logs (listRepoLogs) [repo:admin]
pub async fn list_repository_logs(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    query: QueryParams,
) -> Result<Restful<LogListView>, ApiError> {
    list_logs(&app, &caller, LogOwner::Repository(&path), &query).await
}

/// GET /api/v1/repository/{repository}/aggregatelogs (getAggregateRepoLogs) [repo:admin]
pub async fn aggregate_repository_logs(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    query: QueryParams,
) -> Result<Restful<AggregatedLogsView>, ApiError> {
    aggregate_logs(&app, &caller, LogOwner::Repository(&path), &query).await
}

#[derive(Debug, Deserialize)]
pub struct ExportLogsBody {
    #[serde(default, deserialize_with = "callback_url")]
    callback_url: Option<String>,
    #[serde(default, deserialize_with = "callback_email")]
    callback_email: Option<String>,
}

fn callback_url<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "callback_url")
}
fn callback_email<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "callback_email")
}

#[derive(Debug, Serialize)]
pub struct ExportView {
    export_id: String,
    exported_data_url: String,
}

/// Requests an export of `target` (named `namespace` and `repository` in callbacks); the
/// answer names the URL the complete JSON file is downloaded from.
async fn export_view(
    app: &AppState,
    caller: &Caller,
    body: ExportLogsBody,
    (target, namespace, repository): (ExportTarget, String, Option<String>),
    window: TimeWindow,
) -> Result<Restful<ExportView>, ApiError> {
    let callbacks = ExportCallbacks {
        callback_url: body.callback_url,
        callback_email: body.callback_email,
        namespace,
        repository,
    };
    let export_id = export::request_export(app, &caller.actor(), target, window, callbacks).await?;
    Ok(Restful(
        StatusCode::OK,
        ExportView {
            exported_data_url: export::export_url(app, &export_id),
            export_id,
        },
    ))
}

/// POST /api/v1/organization/{orgname}/exportlogs (exportOrgLogs) [org:admin]
pub async fn export_organization_logs(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    query: QueryParams,
    QuayJson(body): QuayJson<ExportLogsBody>,
) -> Result<Restful<ExportView>, ApiError> {
    let window = read_window(&query)?.require_ordered()?;
    let selection = organization_selection(&app, &caller, &org, &query).await?;
    let target = ExportTarget::Organization(selection.account_id.unwrap_or_default());
    export_view(&app, &caller, body, (target, org, None), window).await
}

/// POST /api/v1/user/exportlogs (exportUserLogs) [user:admin]
pub async fn export_user_logs(
    State(app): State<AppState>,
    caller: Caller,
    query: QueryParams,
    QuayJson(body): QuayJson<ExportLogsBody>,
) -> Result<Restful<ExportView>, ApiError> {
    let window = read_window(&query)?.require_ordered()?;
    let selection = user_selection(&app, &caller, &query).await?;
    let target = ExportTarget::User(selection.account_id.unwrap_or_default());
    let namespace = caller.require_identity()?.account.username.clone();
    export_view(&app, &caller, body, (target, namespace, None), window).await
}

/// The repository of the path, for its admins and the global read-only superusers.
async fn repository_selection(
    app: &AppState,
    caller: &Caller,
    path: &RepositoryPath,
) -> Result<Repository, ApiError> {
    let identity = caller.require_identity()?;
    let needed = if identity.account.is_global_readonly_superuser(&app.config) {
        Role::Read
    } else {
        Role::Admin
    };
    let (repo, _) = resolve_repository(app, caller, &path.repo, needed).await?;
    Ok(repo)
}

/// POST /api/v1/repository/{repository}/exportlogs (exportRepoLogs) [repo:admin]
pub async fn export_repository_logs(
    State(app): State<AppState>,
    caller: Caller,
    path: RepositoryPath,
    query: QueryParams,
    QuayJson(body): QuayJson<ExportLogsBody>,
) -> Result<Restful<ExportView>, ApiError> {
    let window = read_window(&query)?.require_ordered()?;
    // Unlike reading them, exporting a repository's logs is for its admins only (Quay).
    let (repo, _) = resolve_repository(&app, &caller, &path.repo, Role::Admin).await?;
    let target = ExportTarget::Repository {
        namespace_id: repo.namespace_id,
        repository_id: repo.id,
    };
    let names = (target, repo.namespace, Some(repo.name));
    export_view(&app, &caller, body, names, window).await
}
