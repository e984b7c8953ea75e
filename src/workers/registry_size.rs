//! The registry size calculation a superuser queues (superuser-api.md §8). As in Quay, it runs
//! only with `FEATURE_QUOTA_MANAGEMENT`; otherwise it stays queued.

use super::Run;
use crate::app::AppState;
use crate::jobs;

#[async_trait::async_trait]
impl Run for jobs::CalculateRegistrySize {
    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        Ok(crate::registry_size::recalculate(app).await?)
    }
}
