//! Build logs in Redis (`BUILDLOGS_REDIS`), under Quay's keys: each build's entries are a list
//! at `builds/<uuid>/logs`, kept seven days from the last append, so every node reads a
//! running build's log. Finished logs move to the database (`crate::builds::log`).

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use crate::config::RedisConfig;

/// How long a build's log list lives after its last append (Quay's seven days).
const LOG_TTL_S: i64 = 7 * 24 * 3600;

pub struct RedisBuildLogs {
    client: redis::Client,
    /// Connected on first use, so a node starts while Redis is down; it reconnects by itself.
    connection: OnceCell<ConnectionManager>,
}

fn logs_key(uuid: &str) -> String {
    format!("builds/{uuid}/logs")
}

impl RedisBuildLogs {
    pub fn new(config: &RedisConfig) -> redis::RedisResult<RedisBuildLogs> {
        Ok(RedisBuildLogs {
            client: redis::Client::open(config.url())?,
            connection: OnceCell::new(),
        })
    }

    async fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(1))
            .set_response_timeout(Duration::from_secs(2))
            .set_number_of_retries(1);
        self.connection
            .get_or_try_init(|| self.client.get_connection_manager_with_config(config))
            .await
            .cloned()
    }

    /// Appends `entries` (JSON) to the build's log.
    pub async fn append(&self, uuid: &str, entries: &[String]) -> redis::RedisResult<()> {
        let key = logs_key(uuid);
        let mut connection = self.connection().await?;
        redis::pipe()
            .rpush(&key, entries)
            .ignore()
            .expire(&key, LOG_TTL_S)
            .ignore()
            .query_async(&mut connection)
            .await
    }

    /// The log's length, and its entries from position `start` on.
    pub async fn read(&self, uuid: &str, start: i64) -> redis::RedisResult<(i64, Vec<String>)> {
        let key = logs_key(uuid);
        let mut connection = self.connection().await?;
        let start = isize::try_from(start).unwrap_or(isize::MAX);
        redis::pipe()
            .llen(&key)
            .lrange(&key, start, -1)
            .query_async(&mut connection)
            .await
    }

    pub async fn remove(&self, uuid: &str) -> redis::RedisResult<()> {
        let mut connection = self.connection().await?;
        redis::cmd("DEL")
            .arg(logs_key(uuid))
            .query_async(&mut connection)
            .await
    }
}

impl RedisBuildLogs {
    /// Whether the server answers (the health check).
    pub async fn ping(&self) -> redis::RedisResult<()> {
        let mut connection = self.connection().await?;
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
            .map(drop)
    }
}
