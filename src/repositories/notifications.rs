//! Repository notifications (Quay's `repositorynotification`): a repository's admins ask to
//! be told of an event (a push, a build's progress, ...) by a method (a webhook POST of the
//! event's JSON, or a Slack message). Events are queued as jobs in the transaction of the
//! change that makes them; a delivery that fails is retried (five tries) and counted, and a
//! notification with three failures in a row is skipped until it is reset or succeeds.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::Repository;
use crate::app::App;
use crate::config::Config;
use crate::db::{self, notifications::NotificationRow, DbConn};
use crate::jobs::{self, DeliverNotification};
use crate::logs::{self, Actor};

/// Quay's events.
pub const EVENTS: [&str; 13] = [
    "repo_push",
    "build_queued",
    "build_start",
    "build_success",
    "build_cancelled",
    "build_failure",
    "vulnerability_found",
    "repo_mirror_sync_started",
    "repo_mirror_sync_success",
    "repo_mirror_sync_failed",
    "repo_image_expiry",
    "quota_warning",
    "quota_error",
];

/// The methods Berth delivers (Quay's others need services Berth does not run).
pub const METHODS: [&str; 2] = ["webhook", "slack"];

/// After this many failed deliveries in a row a notification is skipped.
const FAILURES_BEFORE_SKIP: i64 = 3;
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Not Found")]
    NotFound,
    /// A notification the rules refuse; the text is Quay's where Quay has one.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] db::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

pub struct Notification {
    pub uuid: String,
    pub title: Option<String>,
    pub event: String,
    pub method: String,
    pub config: Value,
    pub event_config: Value,
    pub number_of_failures: i64,
}

impl From<NotificationRow> for Notification {
    fn from(row: NotificationRow) -> Self {
        let object = |text: &str| serde_json::from_str(text).unwrap_or_else(|_| json!({}));
        Notification {
            config: object(&row.config),
            event_config: object(&row.event_config),
            uuid: row.uuid,
            title: row.title,
            event: row.event,
            method: row.method,
            number_of_failures: row.number_of_failures,
        }
    }
}

/// What a create request gives.
pub struct NewNotification {
    pub event: String,
    pub method: String,
    pub config: Map<String, Value>,
    pub event_config: Map<String, Value>,
    pub title: Option<String>,
}

/// The URL a method posts to, checked as Quay checks it (and against the addresses Berth may
/// reach, `SSRF_ALLOWED_HOSTS`).
fn target_url(config: &Config, method: &str, settings: &Map<String, Value>) -> Result<String> {
    let (missing, invalid) = match method {
        "webhook" => ("Missing webhook URL", "Invalid webhook URL"),
        _ => ("Missing Slack Callback URL", "Invalid Slack Callback URL"),
    };
    let url = settings
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| Error::Invalid(missing.into()))?;
    let parsed = url::Url::parse(url).map_err(|_| Error::Invalid(invalid.into()))?;
    if !config.may_reach(&parsed) {
        return Err(Error::Invalid(invalid.into()));
    }
    Ok(url.to_owned())
}

fn log_metadata(repo: &Repository, notification: &Notification) -> Value {
    json!({
        "repo": repo.name, "namespace": repo.namespace, "notification_id": notification.uuid,
        "event": notification.event, "method": notification.method,
    })
}

fn scope(repo: &Repository) -> logs::Scope {
    logs::Scope::repository(repo.namespace_id, repo.id)
}

pub async fn create_notification(
    app: &App,
    actor: &Actor,
    repo: &Repository,
    new: NewNotification,
) -> Result<Notification> {
    if !EVENTS.contains(&new.event.as_str()) {
        return Err(Error::Invalid(format!("Invalid event: {}", new.event)));
    }
    if !METHODS.contains(&new.method.as_str()) {
        return Err(Error::Invalid(format!(
            "Unsupported notification method: {}",
            new.method
        )));
    }
    target_url(&app.config, &new.method, &new.config)?;
    let row = NotificationRow {
        uuid: uuid::Uuid::new_v4().to_string(),
        repository_id: repo.id,
        title: new.title,
        event: new.event,
        method: new.method,
        config: Value::Object(new.config).to_string(),
        event_config: Value::Object(new.event_config).to_string(),
        number_of_failures: 0,
    };
    let mut tx = app.db.begin().await?;
    db::notifications::insert_notification(&mut tx, &row, db::now_ms()).await?;
    let notification = Notification::from(row);
    let metadata = log_metadata(repo, &notification);
    logs::record(
        &mut tx,
        actor,
        "add_repo_notification",
        scope(repo),
        metadata,
    )
    .await?;
    db::commit(tx).await?;
    Ok(notification)
}

pub async fn list_notifications(app: &App, repo: &Repository) -> Result<Vec<Notification>> {
    let mut conn = app.db.reader().await?;
    let rows = db::notifications::list_notifications(&mut conn, repo.id, None).await?;
    Ok(rows.into_iter().map(Notification::from).collect())
}

pub async fn get_notification(app: &App, repo: &Repository, uuid: &str) -> Result<Notification> {
    let mut conn = app.db.reader().await?;
    db::notifications::find_notification(&mut conn, uuid)
        .await?
        .filter(|n| n.repository_id == repo.id)
        .map(Notification::from)
        .ok_or(Error::NotFound)
}

/// The repository's notification `uuid`, or Quay's 400 for one that is not there.
async fn existing(app: &App, repo: &Repository, uuid: &str) -> Result<Notification> {
    match get_notification(app, repo, uuid).await {
        Err(Error::NotFound) => Err(Error::Invalid(format!(
            "No repository notification found for: {}, {}, {uuid}",
            repo.namespace, repo.name
        ))),
        other => other,
    }
}

pub async fn delete_notification(
    app: &App,
    actor: &Actor,
    repo: &Repository,
    uuid: &str,
) -> Result<()> {
    let notification = existing(app, repo, uuid).await?;
    let mut tx = app.db.begin().await?;
    db::notifications::delete_notification(&mut tx, uuid).await?;
    let metadata = log_metadata(repo, &notification);
    logs::record(
        &mut tx,
        actor,
        "delete_repo_notification",
        scope(repo),
        metadata,
    )
    .await?;
    Ok(db::commit(tx).await?)
}

/// Sets the failure count back to 0, so a skipped notification is delivered again.
pub async fn reset_failures(app: &App, actor: &Actor, repo: &Repository, uuid: &str) -> Result<()> {
    let notification = existing(app, repo, uuid).await?;
    let mut tx = app.db.begin().await?;
    db::notifications::count_failure(&mut tx, uuid, true).await?;
    let metadata = log_metadata(repo, &notification);
    logs::record(
        &mut tx,
        actor,
        "reset_repo_notification",
        scope(repo),
        metadata,
    )
    .await?;
    Ok(db::commit(tx).await?)
}

/// Queues a delivery of the event's sample data (Quay's test notification).
pub async fn test_notification(app: &App, repo: &Repository, uuid: &str) -> Result<()> {
    let notification = existing(app, repo, uuid).await?;
    let (extra, subpage) = sample_data(&notification.event);
    let event_data = event_data(&app.config, repo, extra, subpage.as_deref());
    let mut tx = app.db.begin().await?;
    queue(&mut tx, &notification.uuid, event_data).await?;
    Ok(db::commit(tx).await?)
}

async fn queue(conn: &mut DbConn, notification_uuid: &str, event_data: Value) -> db::Result<()> {
    let job = DeliverNotification {
        delivery_id: uuid::Uuid::new_v4().to_string(),
        notification_uuid: notification_uuid.to_owned(),
        event_data,
    };
    jobs::enqueue(conn, &job).await.map(drop)
}

/// Quay's event data: the repository's names and addresses, then the event's own keys.
fn event_data(
    config: &Config,
    repo: &Repository,
    extra: Map<String, Value>,
    subpage: Option<&str>,
) -> Value {
    let full = repo.full_name();
    let mut homepage = format!("{}/repository/{full}", config.app_url());
    if let Some(subpage) = subpage {
        homepage = format!("{homepage}/{subpage}");
    }
    let mut data = Map::new();
    data.insert("repository".into(), json!(full));
    data.insert("namespace".into(), json!(repo.namespace));
    data.insert("name".into(), json!(repo.name));
    data.insert(
        "docker_url".into(),
        json!(format!("{}/{full}", config.server_hostname)),
    );
    data.insert("homepage".into(), json!(homepage));
    data.extend(extra);
    Value::Object(data)
}

/// Queues `event` (with its own keys `extra`) to every notification of the repository that
/// listens for it, in the caller's transaction.
pub async fn notify(
    config: &Config,
    conn: &mut DbConn,
    repo: &Repository,
    event: &str,
    extra: Map<String, Value>,
    subpage: Option<&str>,
) -> db::Result<()> {
    let listening = db::notifications::list_notifications(conn, repo.id, Some(event)).await?;
    if listening.is_empty() {
        return Ok(());
    }
    let data = event_data(config, repo, extra, subpage);
    for notification in listening {
        queue(conn, &notification.uuid, data.clone()).await?;
    }
    Ok(())
}

/// Delivers one queued event; an error makes the job runner try again later.
pub async fn deliver(app: &App, delivery: &DeliverNotification) -> anyhow::Result<()> {
    let notification = {
        let mut conn = app.db.reader().await?;
        db::notifications::find_notification(&mut conn, &delivery.notification_uuid).await?
    };
    let Some(notification) = notification.map(Notification::from) else {
        return Ok(());
    };
    if notification.number_of_failures >= FAILURES_BEFORE_SKIP {
        tracing::info!(notification = %notification.uuid, "notification skipped after repeated failures");
        return Ok(());
    }
    let outcome = send(app, &notification, &delivery.event_data).await;
    let mut tx = app.db.begin().await?;
    db::notifications::count_failure(&mut tx, &notification.uuid, outcome.is_ok()).await?;
    db::commit(tx).await?;
    match &outcome {
        Ok(()) => {
            tracing::info!(notification = %notification.uuid, event = %notification.event, "notification delivered")
        }
        Err(err) => {
            tracing::warn!(notification = %notification.uuid, error = %err, "notification delivery failed")
        }
    }
    outcome
}

async fn send(app: &App, notification: &Notification, event_data: &Value) -> anyhow::Result<()> {
    let settings = notification.config.as_object().cloned().unwrap_or_default();
    let url = target_url(&app.config, &notification.method, &settings)?;
    let payload = match notification.method.as_str() {
        "slack" => slack_message(notification, event_data),
        _ => event_data.clone(),
    };
    let status = crate::webhooks::post_json(&url, &payload, SEND_TIMEOUT).await?;
    anyhow::ensure!(
        status.is_success(),
        "{} response for webhook to url: {url}",
        status.as_u16()
    );
    Ok(())
}

/// Quay's Slack message: a summary line and an attachment.
fn slack_message(notification: &Notification, event_data: &Value) -> Value {
    let repository = event_data["repository"].as_str().unwrap_or_default();
    let summary = match notification.event.as_str() {
        "repo_push" => format!("Repository {repository} updated"),
        event => format!("{} for repository {repository}", event.replace('_', " ")),
    };
    json!({
        "text": summary, "username": "quayiobot",
        "attachments": [{"fallback": summary, "text": summary, "color": "good", "mrkdwn_in": ["text"]}],
    })
}

/// Quay's sample data of an event for a test delivery, and the page it links to.
fn sample_data(event: &str) -> (Map<String, Value>, Option<String>) {
    let build = |extra: Value| {
        let mut data = json!({
            "build_id": "fake-build-id", "build_name": "some-fake-build",
            "docker_tags": ["latest", "foo", "bar"], "trigger_id": "1245634",
            "trigger_kind": "GitHub",
            "trigger_metadata": {"default_branch": "master", "ref": "refs/heads/somebranch",
                "commit": "42d4a62c53350993ea41069e9f2cfdefb0df097d"},
        });
        if let (Some(data), Some(extra)) = (data.as_object_mut(), extra.as_object()) {
            data.extend(extra.clone());
        }
        data
    };
    let data = match event {
        "repo_push" => json!({"updated_tags": ["latest", "foo"], "pruned_image_count": 3}),
        "build_queued" => build(json!({"is_manual": false})),
        "build_start" => build(json!({})),
        "build_success" | "build_cancelled" => build(json!({"image_id": "1245657346"})),
        "build_failure" => build(json!({"error_message": "This is a fake error message"})),
        "vulnerability_found" => json!({
            "tags": ["latest", "prod", "foo", "bar", "baz"], "image": "some-image-id",
            "vulnerability": {"id": "CVE-FAKE-CVE", "description": "A futurist vulnerability",
                "link": "https://security-tracker.debian.org/tracker/CVE-FAKE-CVE",
                "priority": "Critical"},
        }),
        "repo_image_expiry" => json!({"tags": ["latest", "v1"], "expiring_in": "None days"}),
        _ => json!({"message": "TEST NOTIFICATION"}),
    };
    let subpage = event
        .starts_with("build_")
        .then(|| "build/fake-build-id".to_owned());
    (data.as_object().cloned().unwrap_or_default(), subpage)
}
