//! Where a test server keeps its data: an SQLite file in a temporary folder, or a fresh
//! PostgreSQL database `berth_t_<random>` created for the test and dropped after it.

use std::time::Duration;

use rand::Rng;
use sqlx::Connection;
use tempfile::TempDir;

/// The PostgreSQL server the suite uses; `test` is the database it connects to for DDL.
const PG_HOST: &str = "127.0.0.1:5432";
const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub enum Backend {
    Sqlite(TempDir),
    Postgres(PgDatabase),
}

impl Backend {
    pub fn sqlite() -> Backend {
        Backend::Sqlite(
            tempfile::Builder::new()
                .prefix("berth-sqlite-")
                .tempdir()
                .expect("temp dir"),
        )
    }

    /// A fresh database, or `None` (after saying so) when PostgreSQL is not reachable and
    /// `BERTH_TEST_REQUIRE_POSTGRES=1` is not set.
    pub async fn postgres() -> Option<Backend> {
        match PgDatabase::create().await {
            Ok(db) => Some(Backend::Postgres(db)),
            Err(err) if std::env::var("BERTH_TEST_REQUIRE_POSTGRES").as_deref() == Ok("1") => {
                panic!("PostgreSQL not reachable at {PG_HOST} ({err}) and BERTH_TEST_REQUIRE_POSTGRES=1")
            }
            Err(_) => {
                println!("skipped: PostgreSQL not reachable at {PG_HOST}");
                None
            }
        }
    }

    /// A fresh database of the same kind, for a test that needs a second server.
    pub async fn another(&self) -> Backend {
        match self {
            Backend::Sqlite(_) => Backend::sqlite(),
            Backend::Postgres(_) => Backend::postgres().await.expect("PostgreSQL is reachable"),
        }
    }

    /// `DB_URI` as a Quay `config.yaml` writes it.
    pub fn db_uri(&self) -> String {
        match self {
            Backend::Sqlite(dir) => format!("sqlite:///{}", dir.path().join("berth.db").display()),
            Backend::Postgres(db) => format!("postgresql://postgres@{PG_HOST}/{}", db.name),
        }
    }
}

impl Backend {
    /// A connection of the test's own to the server's database, to check what is stored
    /// (which the API does not show) or to write rows as an older release did.
    async fn connect(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        let url = match self {
            Backend::Sqlite(dir) => format!("sqlite://{}", dir.path().join("berth.db").display()),
            Backend::Postgres(db) => format!("postgres://postgres@{PG_HOST}/{}", db.name),
        };
        sqlx::AnyConnection::connect(&url).await.expect(&url)
    }

    /// The first column, as text, of each row `sql` returns with `binds` bound in order.
    pub async fn query_texts(&self, sql: &str, binds: &[&str]) -> Vec<String> {
        let query = binds
            .iter()
            .fold(sqlx::query_scalar::<_, String>(sql), |q, b| q.bind(*b));
        query.fetch_all(&mut self.connect().await).await.expect(sql)
    }

    /// Runs the change `sql` with `binds` bound in order.
    pub async fn execute(&self, sql: &str, binds: &[&str]) {
        let query = binds.iter().fold(sqlx::query(sql), |q, b| q.bind(*b));
        query.execute(&mut self.connect().await).await.expect(sql);
    }
}

/// A database created for one test; dropped (best effort) when the value is dropped.
pub struct PgDatabase {
    pub name: String,
}

impl PgDatabase {
    async fn create() -> Result<PgDatabase, sqlx::Error> {
        let name = format!("berth_t_{:016x}", rand::thread_rng().gen::<u64>());
        let mut conn = tokio::time::timeout(
            Duration::from_secs(5),
            sqlx::PgConnection::connect(PG_ADMIN_URL),
        )
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)??;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        Ok(PgDatabase { name })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // Drop may run inside the test's runtime, which cannot be blocked on; use a thread
        // with its own small runtime.
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let dropper = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(PG_ADMIN_URL).await.ok()?;
                sqlx::query(&sql).execute(&mut conn).await.ok()?;
                conn.close().await.ok()
            })
        });
        let _ = dropper.join();
    }
}
