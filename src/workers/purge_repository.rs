//! Purges a deleted repository: its tags, manifests, uploads and the repository row.

use super::Run;
use crate::app::AppState;
use crate::jobs;

#[async_trait::async_trait]
impl Run for jobs::PurgeRepository {
    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        crate::repositories::management::purge_repository(app, self.repository_id).await
    }
}
