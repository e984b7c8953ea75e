//! Live user events, as Quay's `/realtime/user/...` streams them: an event is a JSON object
//! published on the channel `user/<username>/events/<event>` (Quay's key). With
//! `USER_EVENTS_REDIS` the channels are Redis pub/sub channels, so a listener on any node hears
//! what any node publishes; without it they live in this process, which serves the embedded
//! default alone. Publishing never makes a request wait or fail: a lost event is only logged.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::{Stream, StreamExt};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde_json::Value;
use tokio::sync::{broadcast, OnceCell};

use crate::config::RedisConfig;

/// The event Quay publishes for registry clients' logins, pushes and pulls.
pub const DOCKER_CLI: &str = "docker-cli";

/// Events published and not yet heard that a slow listener in this process may lag behind.
const LOCAL_BACKLOG: usize = 1024;

/// The events a listener hears: each event's name and data.
pub type EventStream = Pin<Box<dyn Stream<Item = (String, Value)> + Send>>;

/// The listener's Redis could not be reached.
#[derive(Debug, thiserror::Error)]
#[error("the user events Redis could not be reached: {0}")]
pub struct Unavailable(String);

pub enum UserEvents {
    /// (channel, JSON text) within this process.
    Local(broadcast::Sender<(String, String)>),
    Redis(Arc<RedisHub>),
}

pub struct RedisHub {
    client: redis::Client,
    /// Connected on first publish, so a node starts while Redis is down; it reconnects by
    /// itself.
    publisher: OnceCell<ConnectionManager>,
}

impl RedisHub {
    async fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(2))
            .set_response_timeout(Duration::from_secs(2))
            .set_number_of_retries(1);
        self.publisher
            .get_or_try_init(|| self.client.get_connection_manager_with_config(config))
            .await
            .cloned()
    }

    async fn publish(&self, channel: &str, payload: &str) -> redis::RedisResult<()> {
        let mut connection = self.connection().await?;
        redis::cmd("PUBLISH")
            .arg(channel)
            .arg(payload)
            .query_async::<i64>(&mut connection)
            .await
            .map(drop)
    }
}

fn channel(username: &str, event: &str) -> String {
    format!("user/{username}/events/{event}")
}

/// The event's name in a channel `user/<username>/events/<event>`.
fn event_of(channel: &str) -> Option<&str> {
    channel.splitn(4, '/').nth(3)
}

/// An event's data; Quay drops messages that are not a non-empty JSON object.
fn data_of(payload: &str) -> Option<Value> {
    serde_json::from_str::<Value>(payload)
        .ok()
        .filter(|data| data.as_object().is_some_and(|o| !o.is_empty()))
}

impl UserEvents {
    pub fn new(redis: Option<&RedisConfig>) -> redis::RedisResult<UserEvents> {
        Ok(match redis {
            Some(config) => UserEvents::Redis(Arc::new(RedisHub {
                client: redis::Client::open(config.url())?,
                publisher: OnceCell::new(),
            })),
            None => UserEvents::Local(broadcast::channel(LOCAL_BACKLOG).0),
        })
    }

    /// Publishes `data` as `username`'s event `event` without waiting for it to be delivered.
    pub fn publish(&self, username: &str, event: &str, data: &Value) {
        let channel = channel(username, event);
        let payload = data.to_string();
        match self {
            // No listener is not a failure.
            UserEvents::Local(sender) => {
                let _ = sender.send((channel, payload));
            }
            UserEvents::Redis(hub) => {
                let hub = hub.clone();
                tokio::spawn(async move {
                    if let Err(err) = hub.publish(&channel, &payload).await {
                        tracing::warn!(channel, error = %err, "could not publish a user event");
                    }
                });
            }
        }
    }

    /// The Redis answers (always true within the process).
    pub async fn ping(&self) -> redis::RedisResult<()> {
        match self {
            UserEvents::Local(_) => Ok(()),
            UserEvents::Redis(hub) => {
                let mut connection = hub.connection().await?;
                redis::cmd("PING")
                    .query_async::<String>(&mut connection)
                    .await
                    .map(drop)
            }
        }
    }

    /// `username`'s events named in `events`, from now on, until the stream is dropped.
    pub async fn subscribe(
        &self,
        username: &str,
        events: &[String],
    ) -> Result<EventStream, Unavailable> {
        let channels: Vec<String> = events.iter().map(|e| channel(username, e)).collect();
        match self {
            UserEvents::Local(sender) => {
                let heard = futures::stream::unfold(sender.subscribe(), |mut receiver| async {
                    loop {
                        match receiver.recv().await {
                            Ok(message) => return Some((message, receiver)),
                            Err(broadcast::error::RecvError::Lagged(_)) => continue,
                            Err(broadcast::error::RecvError::Closed) => return None,
                        }
                    }
                });
                Ok(heard
                    .filter_map(move |(channel, payload)| {
                        let wanted = channels.contains(&channel);
                        async move {
                            let event = event_of(&channel).filter(|_| wanted)?.to_owned();
                            Some((event, data_of(&payload)?))
                        }
                    })
                    .boxed())
            }
            UserEvents::Redis(hub) => {
                let subscribed = async {
                    let mut pubsub = hub.client.get_async_pubsub().await?;
                    pubsub.subscribe(&channels).await?;
                    Ok::<_, redis::RedisError>(pubsub)
                };
                let pubsub = tokio::time::timeout(Duration::from_secs(5), subscribed)
                    .await
                    .map_err(|_| Unavailable("timed out".into()))?
                    .map_err(|err| Unavailable(err.to_string()))?;
                Ok(pubsub
                    .into_on_message()
                    .filter_map(|message| async move {
                        let payload: String = message.get_payload().ok()?;
                        let event = event_of(message.get_channel_name())?.to_owned();
                        Some((event, data_of(&payload)?))
                    })
                    .boxed())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_are_quays() {
        assert_eq!(
            channel("alice", "docker-cli"),
            "user/alice/events/docker-cli"
        );
        assert_eq!(event_of("user/alice/events/docker-cli"), Some("docker-cli"));
        assert_eq!(event_of("user/alice"), None);
    }

    #[test]
    fn only_objects_with_content_are_events() {
        assert!(data_of("{\"action\": \"login\"}").is_some());
        assert!(data_of("{}").is_none());
        assert!(data_of("[1]").is_none());
        assert!(data_of("not json").is_none());
    }

    #[tokio::test]
    async fn local_listeners_hear_their_own_events() {
        let events = UserEvents::new(None).unwrap();
        let mut heard = events
            .subscribe("alice", &["docker-cli".to_owned()])
            .await
            .unwrap();
        events.publish("bob", "docker-cli", &serde_json::json!({"action": "login"}));
        events.publish("alice", "other", &serde_json::json!({"action": "login"}));
        events.publish(
            "alice",
            "docker-cli",
            &serde_json::json!({"action": "pull_repo"}),
        );
        let (event, data) = heard.next().await.unwrap();
        assert_eq!(event, "docker-cli");
        assert_eq!(data["action"], "pull_repo");
    }
}
