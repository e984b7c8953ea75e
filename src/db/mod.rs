//! The data-access layer: one SQL text for SQLite and PostgreSQL through sqlx's `Any` driver.
//! Timestamps are integer milliseconds and booleans integers so that both engines map alike.

pub mod accounts;
pub mod app_tokens;
pub mod applications;
pub mod builds;
pub mod grants;
pub mod jobs;
pub mod labels;
pub mod logs;
pub mod messages;
pub mod mirrors;
pub mod namespaces;
pub mod notifications;
pub mod oauth;
pub mod policies;
pub mod proxy_cache;
pub mod quotas;
pub mod registry;
pub mod registry_size;
pub mod repositories;
pub mod robots;
pub mod service_keys;
pub mod settings;
pub mod tags;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Transaction};

pub type DbConn = AnyConnection;
pub type DbTx = Transaction<'static, sqlx::Any>;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database failures callers branch on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unique constraint violated: {constraint}")]
    UniqueViolation { constraint: String },
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    #[error(transparent)]
    Other(sqlx::Error),
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => Error::UniqueViolation {
                // PostgreSQL names the constraint; SQLite names the columns in its message.
                constraint: db
                    .constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| db.message().to_owned()),
            },
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                Error::Unavailable(err)
            }
            _ => Error::Other(err),
        }
    }
}

impl Error {
    /// True when a unique index over `column` rejected the write.
    pub fn is_unique_on(&self, column: &str) -> bool {
        matches!(self, Error::UniqueViolation { constraint } if constraint.contains(column))
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// One connection pool's use at a moment.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub name: &'static str,
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// Connection pools. SQLite gets a single writer connection so that write transactions queue
/// in the pool instead of failing with SQLITE_BUSY; PostgreSQL uses one pool for both.
#[derive(Clone)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
}

impl Db {
    pub async fn connect(uri: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if uri.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let db = match backend {
            Backend::Sqlite => {
                let options = sqlite_options(uri)?;
                // A file cannot drop a connection the way a server can: no ping before each
                // use, which would cost a round trip to the connection's thread.
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(60))
                    .connect_with(options.clone())
                    .await?;
                // WAL is a property of the database file: set once, every connection has it.
                sqlx::query("PRAGMA journal_mode=WAL")
                    .execute(&write)
                    .await?;
                let read = AnyPoolOptions::new()
                    .max_connections(8)
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await?;
                Db {
                    read,
                    write,
                    backend,
                }
            }
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(uri)?.disable_statement_logging();
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                Db {
                    read: pool.clone(),
                    write: pool,
                    backend,
                }
            }
        };
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// How many connections each pool holds now (SQLite: `read` and `write`; PostgreSQL: one
    /// `main` pool serves both).
    pub fn pool_stats(&self) -> Vec<PoolStats> {
        let stats = |name, pool: &AnyPool| PoolStats {
            name,
            open: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        };
        match self.backend {
            Backend::Sqlite => vec![stats("read", &self.read), stats("write", &self.write)],
            Backend::Postgres => vec![stats("main", &self.write)],
        }
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.write).await?;
        Ok(())
    }

    /// A pooled connection for reads.
    pub async fn reader(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.read.acquire().await?)
    }

    /// A write transaction; dropping it rolls back.
    pub async fn begin(&self) -> Result<DbTx> {
        match self.backend {
            // The writer's one connection also serves `begin_unsynced`: each transaction
            // states its durability in the statement that opens it.
            Backend::Sqlite => Ok(self
                .write
                .begin_with("PRAGMA synchronous=FULL; BEGIN")
                .await?),
            Backend::Postgres => Ok(self.write.begin().await?),
        }
    }

    /// A write transaction whose commit returns before it reaches the disk. A power loss may
    /// take it back, whole (never half of it), so it is for records of reads such as pull
    /// logs, never for anything a client is told is stored. Waiting for the disk on every
    /// pull would cap pulls at the disk's flush rate.
    pub async fn begin_unsynced(&self) -> Result<DbTx> {
        match self.backend {
            // SQLite refuses to change the setting inside a transaction; `begin` sets it back.
            Backend::Sqlite => Ok(self
                .write
                .begin_with("PRAGMA synchronous=NORMAL; BEGIN")
                .await?),
            Backend::Postgres => {
                let mut tx = self.write.begin().await?;
                sqlx::query("SET LOCAL synchronous_commit TO OFF")
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

fn sqlite_options(uri: &str) -> anyhow::Result<AnyConnectOptions> {
    // WAL, foreign keys and a busy timeout are connection settings; pass them in the URI so the
    // Any driver forwards them to SQLite.
    let mut uri = uri.to_owned();
    let sep = if uri.contains('?') { '&' } else { '?' };
    if !uri.contains("mode=") {
        uri.push(sep);
        uri.push_str("mode=rwc");
    }
    let options = AnyConnectOptions::from_str(&uri)?.disable_statement_logging();
    Ok(options)
}

/// Commits `tx`, with the failure classified like any other database error.
pub async fn commit(tx: DbTx) -> Result<()> {
    Ok(tx.commit().await?)
}

/// A query that touches a table, so that a reachable server with a broken schema fails too.
pub async fn ping(conn: &mut DbConn) -> Result<()> {
    sqlx::query("SELECT 1 FROM instance_settings LIMIT 1")
        .execute(conn)
        .await?;
    Ok(())
}

/// Milliseconds since the Unix epoch, the unit every stored timestamp uses.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    #[test]
    fn migration_folders_match() {
        let names = |dir: &str| {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names("migrations/sqlite"), names("migrations/postgres"));
    }
}
