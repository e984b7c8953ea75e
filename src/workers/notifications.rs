//! Repository notification deliveries, queued with the change that made their event.

use super::Run;
use crate::app::AppState;
use crate::jobs;
use crate::repositories::notifications;

#[async_trait::async_trait]
impl Run for jobs::DeliverNotification {
    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        notifications::deliver(app, self).await
    }
}
