//! Usage-log paging at scale: fills a database with `BERTH_BENCH_ROWS` log entries (default
//! 10 million) over 1,000 namespaces, then times the first, a middle and the last page of one
//! namespace's log and of the instance-wide (superuser) log, through the same query the API
//! uses. Run with `cargo bench --bench logs`; `BERTH_BENCH_DB` picks the database (default: a
//! SQLite file under target/; e.g. `postgres://postgres@127.0.0.1:5432/berth_bench`).

use std::time::{Duration, Instant};

use berth::db::logs::{list_log_entries_page, LogSelection};
use berth::db::{Backend, Db};

const NAMESPACES: i64 = 1000;
const PAGE: i64 = 21;
const RUNS: usize = 5;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `cargo test --all-targets` runs bench targets too, without `--bench`: nothing to do then.
    if !std::env::args().any(|arg| arg == "--bench") {
        return Ok(());
    }
    let uri = env_or("BERTH_BENCH_DB", "sqlite://target/bench-logs.db");
    let rows: i64 = env_or("BERTH_BENCH_ROWS", "10000000").parse()?;
    let db = Db::connect(&uri).await?;
    db.migrate().await?;
    fill(&db, rows).await?;

    let first_ns: i64 =
        sqlx::query_scalar("SELECT MIN(id) FROM accounts WHERE username LIKE 'benchns%'")
            .fetch_one(&mut *db.reader().await?)
            .await?;
    let namespace = first_ns + NAMESPACES / 2;
    let window = (0, i64::MAX);
    for (label, selection) in [
        (
            "namespace",
            LogSelection {
                account_id: Some(namespace),
                ..LogSelection::default()
            },
        ),
        ("superuser", LogSelection::default()),
    ] {
        let total = count(&db, &selection).await?;
        for (position, offset) in [
            ("first", None),
            ("middle", Some(total / 2)),
            ("last", Some(total - PAGE + 1)),
        ] {
            let cursor = match offset {
                Some(offset) => Some(row_at(&db, &selection, offset).await?),
                None => None,
            };
            let mut times = Vec::new();
            for _ in 0..RUNS {
                let mut conn = db.reader().await?;
                let started = Instant::now();
                let page =
                    list_log_entries_page(&mut conn, &selection, window.0, window.1, cursor, PAGE)
                        .await?;
                times.push(started.elapsed());
                assert!(!page.is_empty());
            }
            times.sort();
            println!(
                "{:?} {label:>9} log ({total} entries), {position:>6} page: median {:>8.2} ms, max {:>8.2} ms",
                db.backend(),
                ms(times[RUNS / 2]),
                ms(times[RUNS - 1])
            );
        }
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `(datetime_ms, id)` of the entry `offset` places from the newest: a page cursor.
async fn row_at(db: &Db, selection: &LogSelection<'_>, offset: i64) -> anyhow::Result<(i64, i64)> {
    let filter = selection
        .account_id
        .map(|id| format!("WHERE account_id = {id}"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT datetime_ms, id FROM log_entries {filter} ORDER BY datetime_ms DESC, id DESC LIMIT 1 OFFSET {offset}"
    );
    Ok(sqlx::query_as::<_, (i64, i64)>(&sql)
        .fetch_one(&mut *db.reader().await?)
        .await?)
}

async fn count(db: &Db, selection: &LogSelection<'_>) -> anyhow::Result<i64> {
    let filter = selection
        .account_id
        .map(|id| format!("WHERE account_id = {id}"))
        .unwrap_or_default();
    let sql = format!("SELECT COUNT(*) FROM log_entries {filter}");
    Ok(sqlx::query_scalar::<_, i64>(&sql)
        .fetch_one(&mut *db.reader().await?)
        .await?)
}

/// Creates the 1,000 namespaces and the entries once; a later run reuses them.
async fn fill(db: &Db, rows: i64) -> anyhow::Result<()> {
    let mut conn = db.reader().await?;
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM log_entries")
        .fetch_one(&mut *conn)
        .await?;
    drop(conn);
    if have >= rows {
        return Ok(());
    }
    println!("filling {rows} log entries over {NAMESPACES} namespaces...");
    let started = Instant::now();
    let series = |n: i64| {
        match db.backend() {
        Backend::Postgres => format!("SELECT generate_series(1, {n})::bigint AS i"),
        Backend::Sqlite => format!("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s"),
    }
    };
    let mut tx = db.begin().await?;
    sqlx::query(&format!(
        "INSERT INTO accounts (uuid, username, email, verified, enabled, organization, tag_expiration_s, created_ms) \
         SELECT 'bench-' || i, 'benchns' || i, 'benchns' || i || '@example.com', 1, 1, 1, 1209600, 0 FROM ({}) n",
        series(NAMESPACES)
    ))
    .execute(&mut *tx)
    .await?;
    let first_ns: i64 =
        sqlx::query_scalar("SELECT MIN(id) FROM accounts WHERE username LIKE 'benchns%'")
            .fetch_one(&mut *tx)
            .await?;
    // One entry every 250 ms from 2026-01-01, round-robin over the namespaces.
    sqlx::query(&format!(
        "INSERT INTO log_entries (kind, account_id, performer_id, ip, metadata, datetime_ms) \
         SELECT 'push_repo', {first_ns} + (i % {NAMESPACES}), {first_ns} + (i % {NAMESPACES}), '127.0.0.1', \
         '{{\"tag\": \"latest\"}}', 1767225600000 + i * 250 FROM ({}) n",
        series(rows)
    ))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    println!("filled in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
