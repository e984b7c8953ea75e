//! Purges a deleted user or organization: its repositories, then the account row.

use serde::{Deserialize, Serialize};

use super::Job;
use crate::app::AppState;

#[derive(Debug, Serialize, Deserialize)]
pub struct PurgeNamespace {
    pub account_id: i64,
}

#[async_trait::async_trait]
impl Job for PurgeNamespace {
    const KIND: &'static str = "purge_namespace";

    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        crate::repositories::purge_namespace(app, self.account_id).await
    }
}
