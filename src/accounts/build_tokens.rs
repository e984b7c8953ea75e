//! The registry credential of a build run: username `$token` (the name Quay's build tokens
//! use) and a secret that lives while the run holds its build. It pulls as the build's pull
//! robot, or as its requester, and pushes only to the build's repository.

use super::passwords::secret_digest;
use super::Account;
use crate::app::App;
use crate::db;

pub const USERNAME: &str = "$token";

/// The account a running build's secret acts as, and the build's repository; None when no
/// running build has this secret, or its account is gone or disabled.
pub async fn authenticate(app: &App, secret: &str) -> db::Result<Option<(Account, i64)>> {
    let mut conn = app.db.reader().await?;
    let Some(build) =
        db::builds::find_running_build_by_token(&mut conn, &secret_digest(secret)).await?
    else {
        return Ok(None);
    };
    let requester = serde_json::from_str::<serde_json::Value>(&build.job_config)
        .ok()
        .and_then(|job| job.get("manual_user")?.as_str().map(str::to_owned));
    let Some(name) = build.pull_robot.or(requester) else {
        return Ok(None);
    };
    let account = db::accounts::find_account_by_name(&mut conn, &name)
        .await?
        .map(Account::from)
        .filter(|a| a.enabled);
    Ok(account.map(|a| (a, build.repository_id)))
}
