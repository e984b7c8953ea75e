//! The garbage collection job (core-api.md §6.5). Every node's job runner queues it each
//! `GARBAGE_COLLECTION_FREQUENCY`; the queue keeps one waiting copy, so one node collects.

use serde::{Deserialize, Serialize};

use super::Job;
use crate::app::AppState;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CollectGarbage {}

#[async_trait::async_trait]
impl Job for CollectGarbage {
    const KIND: &'static str = "gc";

    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        crate::gc::run_once(app).await.map(drop)
    }
}
