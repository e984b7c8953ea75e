//! The garbage collection jobs (core-api.md §6.5). Every node's job runner queues them
//! periodically; the queue keeps one waiting copy of each, so one node runs each round.

use std::time::Duration;

use super::Run;
use crate::app::AppState;
use crate::config::Config;
use crate::jobs;

#[async_trait::async_trait]
impl Run for jobs::CollectGarbage {
    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        crate::gc::run_once(app).await.map(drop)
    }
}

#[async_trait::async_trait]
impl Run for jobs::SweepStorage {
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
