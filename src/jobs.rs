//! The queue side of background work: what each job is (a kind and a plain-data payload) and
//! how it is queued. Domain code queues jobs in the transaction of the change that calls for
//! them; the bodies that run them live in `workers`, above the domain.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::db::{self, DbConn};

pub trait Job: Serialize + DeserializeOwned + Send + Sync {
    const KIND: &'static str;
    /// After this many failed runs the job is given up; None: retried until it succeeds.
    const MAX_ATTEMPTS: Option<i64> = None;

    /// While a job with the same key waits or runs, queueing another adds nothing.
    fn dedup_key(&self) -> String;
}

/// Queues `job`; false when a job with its key is already waiting or running.
pub async fn enqueue<J: Job>(conn: &mut DbConn, job: &J) -> db::Result<bool> {
    let payload = serde_json::to_string(job).expect("plain data");
    let key = job.dedup_key();
    db::jobs::insert_job(conn, J::KIND, &payload, Some(&key), db::now_ms()).await
}

/// Purges a deleted user or organization: its repositories, then the account row.
#[derive(Debug, Serialize, Deserialize)]
pub struct PurgeNamespace {
    pub account_id: i64,
}

impl Job for PurgeNamespace {
    const KIND: &'static str = "purge_namespace";

    fn dedup_key(&self) -> String {
        format!("{}:{}", Self::KIND, self.account_id)
    }
}

/// Purges a deleted repository: its tags, manifests, uploads and the repository row.
#[derive(Debug, Serialize, Deserialize)]
pub struct PurgeRepository {
    pub repository_id: i64,
}

impl Job for PurgeRepository {
    const KIND: &'static str = "purge_repository";

    fn dedup_key(&self) -> String {
        format!("{}:{}", Self::KIND, self.repository_id)
    }
}

/// Tells a log export's requester that the export is ready: a POST to `callback_url` and an
/// e-mail to `callback_email` (core-api.md §3.9).
#[derive(Debug, Serialize, Deserialize)]
pub struct DeliverLogExport {
    pub export_id: String,
    pub namespace: String,
    pub repository: Option<String>,
    pub callback_url: Option<String>,
    pub callback_email: Option<String>,
}

impl Job for DeliverLogExport {
    const KIND: &'static str = "deliver_log_export";
    /// Quay tries three times.
    const MAX_ATTEMPTS: Option<i64> = Some(3);

    fn dedup_key(&self) -> String {
        format!("{}:{}", Self::KIND, self.export_id)
    }
}

/// Delivers one event to one repository notification (Quay's notification queue item).
#[derive(Debug, Serialize, Deserialize)]
pub struct DeliverNotification {
    /// This delivery's own id: every event is delivered, none folded into another.
    pub delivery_id: String,
    pub notification_uuid: String,
    pub event_data: serde_json::Value,
}

impl Job for DeliverNotification {
    const KIND: &'static str = "deliver_notification";
    /// Quay gives each queued event five tries.
    const MAX_ATTEMPTS: Option<i64> = Some(5);

    fn dedup_key(&self) -> String {
        format!("{}:{}", Self::KIND, self.delivery_id)
    }
}

/// Jobs of which one copy waits at a time: their kind is their key.
macro_rules! singleton_jobs {
    ($($(#[$doc:meta])* $name:ident = $kind:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Default, Serialize, Deserialize)]
        pub struct $name {}

        impl Job for $name {
            const KIND: &'static str = $kind;

            fn dedup_key(&self) -> String {
                Self::KIND.to_owned()
            }
        }
    )*};
}

singleton_jobs! {
    /// The registry size calculation a superuser queues (superuser-api.md §8).
    CalculateRegistrySize = "registry_size";
    /// One garbage collection pass (core-api.md §6.5).
    CollectGarbage = "gc";
    /// One sweep of storage against the database, for what crashes left behind.
    SweepStorage = "sweep_storage";
    /// The sweep of expired app-specific tokens (core-api.md §1.10).
    SweepExpiredAppTokens = "sweep_expired_app_tokens";
    /// One application of every auto-prune policy.
    PruneTags = "prune_tags";
    /// One pass over the repository mirrors that are due.
    SyncMirrors = "sync_mirrors";
}
