//! The auto-prune job: every node's runner queues it each `AUTO_PRUNING_POLL_PERIOD`, and a
//! policy change queues it at once; one node applies every policy per run.

use super::Run;
use crate::app::AppState;
use crate::jobs;
use crate::repositories::tag_policies::autoprune;

#[async_trait::async_trait]
impl Run for jobs::PruneTags {
    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        autoprune::prune_all(app).await?;
        Ok(())
    }
}
