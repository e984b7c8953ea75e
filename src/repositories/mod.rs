//! Container repositories: created on push, deleted with their namespace.

use crate::app::App;
use crate::db;

/// Removes every repository of a deleted namespace, then the account itself. Blob bytes no
/// longer referenced are left to the blob collector.
pub async fn purge_namespace(app: &App, account_id: i64) -> anyhow::Result<()> {
    let mut tx = app.db.begin().await?;
    db::registry::delete_repositories_of_namespace(&mut tx, account_id).await?;
    db::accounts::delete_account(&mut tx, account_id).await?;
    tx.commit().await?;
    Ok(())
}
