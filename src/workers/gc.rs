//! The garbage collection jobs (core-api.md §6.5). Every node's job runner queues them
//! periodically; the queue keeps one waiting copy of each, so one node runs each round.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Job;
use crate::app::AppState;
use crate::config::Config;

/// One collection pass, every `GARBAGE_COLLECTION_FREQUENCY`.
#[derive(Debug, Serialize, Deserialize)]
pub struct CollectGarbage {}

#[async_trait::async_trait]
impl Job for CollectGarbage {
    const KIND: &'static str = "gc";

    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        crate::gc::run_once(app).await.map(drop)
    }
}

/// One sweep of storage against the database, for what crashes left behind.
#[derive(Debug, Serialize, Deserialize)]
pub struct SweepStorage {}

#[async_trait::async_trait]
impl Job for SweepStorage {
    const KIND: &'static str = "sweep_storage";

    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        crate::gc::sweep_storage(app).await.map(drop)
    }
}

/// How often storage is swept when garbage collection is on: once per
/// `PUSH_TEMP_TAG_EXPIRATION_SEC`, the age leftovers must reach before they go, since listing
/// all of storage costs far more than a collection pass.
pub fn sweep_period(config: &Config) -> Option<Duration> {
    let window = Duration::from_secs(config.push_temp_tag_expiration_s.max(1).unsigned_abs());
    config.garbage_collection_frequency.map(|_| window)
}
