//! Shared state of a running server.

use std::sync::Arc;

use crate::buildlogs::RedisBuildLogs;
use crate::config::Config;
use crate::db::{self, Db};
use crate::logs::deferred::DeferredLogs;
use crate::service_keys::Signer;
use crate::storage::BlobStore;
use crate::user_events::UserEvents;

/// Secrets every node must share: from the config, or generated once and kept in the database.
pub struct Secrets {
    /// `SECRET_KEY`: encrypts the passwords handed out as `encrypted_password`.
    pub secret_key: String,
    /// `PAGE_TOKEN_KEY`: encrypts `next_page` tokens.
    pub page_tokens: fernet::Fernet,
}

impl Secrets {
    pub async fn load(config: &Config, db: &Db) -> anyhow::Result<Secrets> {
        let mut tx = db.begin().await?;
        let secret_key = match &config.secret_key {
            Some(key) => key.clone(),
            None => {
                let candidate = crate::random::random_code(64);
                db::settings::get_or_insert_setting(&mut tx, "SECRET_KEY", &candidate).await?
            }
        };
        let page_token_key = match &config.page_token_key {
            Some(key) => key.clone(),
            None => {
                db::settings::get_or_insert_setting(
                    &mut tx,
                    "PAGE_TOKEN_KEY",
                    &fernet::Fernet::generate_key(),
                )
                .await?
            }
        };
        tx.commit().await?;
        let page_tokens = fernet::Fernet::new(&page_token_key)
            .ok_or_else(|| anyhow::anyhow!("PAGE_TOKEN_KEY is not a Fernet key"))?;
        Ok(Secrets {
            secret_key,
            page_tokens,
        })
    }
}

pub struct App {
    pub config: Arc<Config>,
    pub db: Db,
    pub storage: Arc<dyn BlobStore>,
    pub secrets: Secrets,
    pub signer: Signer,
    /// This node's queue of pull logs awaiting their batch.
    pub deferred_logs: DeferredLogs,
    /// `BUILDLOGS_REDIS`: where running builds' logs are kept; None keeps them in the database.
    pub build_logs_redis: Option<RedisBuildLogs>,
    /// Live user events: through `USER_EVENTS_REDIS`, or within this node.
    pub user_events: UserEvents,
}

pub type AppState = Arc<App>;
