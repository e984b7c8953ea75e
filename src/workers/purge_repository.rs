//! Purges a deleted repository: its tags, manifests, uploads and the repository row.

use serde::{Deserialize, Serialize};

use super::Job;
use crate::app::AppState;

#[derive(Debug, Serialize, Deserialize)]
pub struct PurgeRepository {
    pub repository_id: i64,
}

#[async_trait::async_trait]
impl Job for PurgeRepository {
    const KIND: &'static str = "purge_repository";

    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        crate::repositories::management::purge_repository(app, self.repository_id).await
    }
}
