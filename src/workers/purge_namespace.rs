//! Purges a deleted user or organization: its repositories, then the account row.

use super::Run;
use crate::app::AppState;
use crate::jobs;

#[async_trait::async_trait]
impl Run for jobs::PurgeNamespace {
    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        crate::repositories::purge_namespace(app, self.account_id).await
    }
}
