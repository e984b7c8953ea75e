//! The registry size calculation a superuser queues (superuser-api.md §8). As in Quay, it runs
//! only with `FEATURE_QUOTA_MANAGEMENT`; otherwise it stays queued. After the total it audits
//! every namespace's counted size against the stored manifests and corrects any drift.

use super::Run;
use crate::app::AppState;
use crate::jobs;

#[async_trait::async_trait]
impl Run for jobs::CalculateRegistrySize {
    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        crate::registry_size::recalculate(app).await?;
        let drifted = crate::quotas::audit_sizes(app).await?;
        tracing::info!(namespaces.drifted = drifted, "namespace sizes audited");
        Ok(())
    }
}
