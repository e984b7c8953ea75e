//! The sweep of expired app-specific tokens (core-api.md §1.10): tokens expired for longer
//! than `EXPIRED_APP_SPECIFIC_TOKEN_GC` are deleted. Queued like the garbage collection, so
//! one node sweeps at a time.

use std::time::Duration;

use super::Run;
use crate::app::AppState;
use crate::config::Config;
use crate::jobs;

/// Quay sweeps hourly.
const LONGEST_PERIOD: Duration = Duration::from_secs(3600);

#[async_trait::async_trait]
impl Run for jobs::SweepExpiredAppTokens {
    async fn run(&self, app: &AppState) -> anyhow::Result<()> {
        crate::accounts::app_tokens::sweep_expired(app).await?;
        Ok(())
    }
}

/// Hourly, or once per `EXPIRED_APP_SPECIFIC_TOKEN_GC` when that window is shorter, so that no
/// token outlives its expiry by much more than the window.
pub fn period(config: &Config) -> Duration {
    let window_s = config.expired_app_specific_token_gc_s.max(1) as u64;
    Duration::from_secs(window_s).min(LONGEST_PERIOD)
}
