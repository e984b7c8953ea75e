//! Usage logs of reads (`pull_repo`), written in batches by one task instead of one write
//! transaction per pull: pulls are the registry's most frequent request, and on SQLite every
//! write passes through the one writer connection. A pull's entry is queued before the pull is
//! answered and committed with the entries queued beside it; a crash can lose the queue (at
//! most [`MAX_BATCH`] entries plus what waits behind them), never half an entry. Readers of
//! logs call [`DeferredLogs::flush`] first, so they see every pull this node has answered.

use tokio::sync::{mpsc, oneshot};

use crate::db::{self, logs::DeferredLogEntry, Db};

/// Entries written in one transaction at most.
const MAX_BATCH: usize = 512;
/// Entries that may wait; a pull waits for room beyond it, so memory stays bounded.
const QUEUE_CAPACITY: usize = 8192;
/// Attempts at writing a batch before its entries are given up (and reported).
const WRITE_ATTEMPTS: u32 = 5;

enum Command {
    Record(DeferredLogEntry),
    Flush(oneshot::Sender<()>),
}

/// The queue of this node's deferred entries; cloning it shares the queue.
#[derive(Clone)]
pub struct DeferredLogs {
    queue: mpsc::Sender<Command>,
}

impl DeferredLogs {
    /// Starts the task that writes queued entries through `db`.
    pub fn start(db: Db) -> DeferredLogs {
        let (queue, commands) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(write_batches(db, commands));
        DeferredLogs { queue }
    }

    /// Queues `entry`; it is written with the next batch.
    pub async fn record(&self, entry: DeferredLogEntry) {
        if self.queue.send(Command::Record(entry)).await.is_err() {
            tracing::error!("the usage-log writer has stopped; a pull log is lost");
        }
    }

    /// Returns once every entry queued before the call has been written (or given up).
    pub async fn flush(&self) {
        let (done, written) = oneshot::channel();
        if self.queue.send(Command::Flush(done)).await.is_ok() {
            let _ = written.await;
        }
    }
}

async fn write_batches(db: Db, mut commands: mpsc::Receiver<Command>) {
    let mut received = Vec::with_capacity(MAX_BATCH);
    let mut entries = Vec::with_capacity(MAX_BATCH);
    let mut flushes = Vec::new();
    while commands.recv_many(&mut received, MAX_BATCH).await > 0 {
        for command in received.drain(..) {
            match command {
                Command::Record(entry) => entries.push(entry),
                Command::Flush(done) => flushes.push(done),
            }
        }
        if !entries.is_empty() {
            write_with_retries(&db, &entries).await;
            entries.clear();
        }
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}

async fn write_with_retries(db: &Db, entries: &[DeferredLogEntry]) {
    let mut delay = std::time::Duration::from_millis(100);
    for attempt in 1..=WRITE_ATTEMPTS {
        match write_batch(db, entries).await {
            Ok(()) => return,
            Err(err) if attempt < WRITE_ATTEMPTS => {
                tracing::warn!(error = %err, attempt, "writing pull logs failed; retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            Err(err) => {
                tracing::error!(error = %err, lost = entries.len(), "pull logs could not be written");
            }
        }
    }
}

async fn write_batch(db: &Db, entries: &[DeferredLogEntry]) -> db::Result<()> {
    let mut tx = db.begin_unsynced().await?;
    db::logs::insert_deferred_log_entries(&mut tx, entries).await?;
    db::commit(tx).await
}
