//! The sweep of expired app-specific tokens (core-api.md §1.10): tokens expired for longer
//! than `EXPIRED_APP_SPECIFIC_TOKEN_GC` are deleted. Queued like the garbage collection, so
//! one node sweeps at a time.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Job;
use crate::app::AppState;
use crate::config::Config;

/// Quay sweeps hourly.
const LONGEST_PERIOD: Duration = Duration::from_secs(3600);

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SweepExpiredAppTokens {}

#[async_trait::async_trait]
impl Job for SweepExpiredAppTokens {
    const KIND: &'static str = "sweep_expired_app_tokens";

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
