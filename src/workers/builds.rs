//! The build runner: takes builds one at a time, apart from the job runner, so a long build
//! never holds up collection, purges or exports.

use std::time::Duration;

use crate::app::AppState;
use crate::builds::run::{self, Builder};

const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Runs builds until the task is dropped.
pub async fn run_forever(app: AppState, builder: Builder) {
    loop {
        match run::run_next(&app, &builder).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(err) => tracing::warn!(error = ?err, "build runner"),
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}
