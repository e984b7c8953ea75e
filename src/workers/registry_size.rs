//! The registry size calculation a superuser queues (superuser-api.md §8). As in Quay, it runs
//! only with `FEATURE_QUOTA_MANAGEMENT`; otherwise it stays queued.

use serde::{Deserialize, Serialize};

use super::Job;
use crate::app::AppState;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CalculateRegistrySize {}

#[async_trait::async_trait]
impl Job for CalculateRegistrySize {
    const KIND: &'static str = "registry_size";

    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        Ok(crate::registry_size::recalculate(app).await?)
    }
}
