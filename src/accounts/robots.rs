//! Robot accounts as accounts (core-api.md §1.11): their names, and logging in with a
//! robot token. Managing a namespace's robots is `namespaces::robots`.

use super::{passwords, validate_namespace_name, Account};
use crate::app::App;
use crate::db;

/// Why `name` is no valid namespace-style name (robot short names, team names), in Quay's
/// words without the "Invalid namespace" prefix.
pub fn name_problem(name: &str) -> Option<String> {
    let message = validate_namespace_name(name).err()?.to_string();
    let reason = message
        .find("Namespace must")
        .map_or(message.as_str(), |at| &message[at..]);
    Some(reason.to_owned())
}

/// The namespace part of a robot's name (`owner+short`).
pub fn owner_name(robot_name: &str) -> Option<&str> {
    robot_name.split_once('+').map(|(owner, _)| owner)
}

/// How stale a robot's recorded last sign-in may get (Quay's 60 s threshold).
const LAST_ACCESSED_PRECISION_MS: i64 = 60_000;

/// A robot login (`podman login -u 'org+bot' -p <token>`): the robot and its owner's id, when
/// the token matches and both the robot and its owner are enabled.
pub async fn authenticate(
    app: &App,
    username: &str,
    token: &str,
) -> db::Result<Option<(Account, i64)>> {
    let mut conn = app.db.reader().await?;
    let Some(row) = db::robots::find_robot(&mut conn, username).await? else {
        return Ok(None);
    };
    let owner_enabled = db::accounts::find_account_by_id(&mut conn, row.owner_id)
        .await?
        .is_some_and(|owner| owner.enabled != 0 && owner_name(username) == Some(&owner.username));
    let stored = passwords::decrypt_stored(app, &row.token).unwrap_or_default();
    // The robot's own token, or one a federated exchange handed out.
    let matches = passwords::secret_matches(&stored, token)
        || db::robots::has_exchanged_token(
            &mut conn,
            row.id,
            &passwords::secret_digest(token),
            db::now_ms(),
        )
        .await?;
    if !(matches && owner_enabled && row.enabled != 0) {
        return Ok(None);
    }
    let account = db::accounts::find_account_by_id(&mut conn, row.id)
        .await?
        .map(Account::from);
    drop(conn);
    let now = db::now_ms();
    let stale = now - LAST_ACCESSED_PRECISION_MS;
    if app.config.features.user_last_accessed && row.last_accessed_ms.is_none_or(|t| t < stale) {
        // A record of a read, like pull logs: it need not wait for the disk.
        let mut tx = app.db.begin_unsynced().await?;
        db::robots::touch_last_accessed(&mut tx, row.id, now, stale).await?;
        db::commit(tx).await?;
    }
    Ok(account.map(|a| (a, row.owner_id)))
}
