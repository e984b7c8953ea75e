//! Telling a log export's requester that it is ready (callback and e-mail); three attempts.

use super::Run;
use crate::app::AppState;
use crate::jobs;

#[async_trait::async_trait]
impl Run for jobs::DeliverLogExport {
    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        crate::logs::export::deliver(app, self).await
    }
}
