//! The mirror job: every node's runner queues it each `REPO_MIRROR_INTERVAL`, and a mirror's
//! creation or sync-now queues it at once; one node syncs the due mirrors per run.

use super::Run;
use crate::app::AppState;
use crate::jobs;
use crate::replication::mirror;

#[async_trait::async_trait]
impl Run for jobs::SyncMirrors {
    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        mirror::sync_due_mirrors(app).await
    }
}
