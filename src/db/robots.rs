//! SQL for robot accounts (core-api.md §1.11): the `accounts` row holds the name, `robots`
//! the owner, the encrypted token and the description.

use sqlx::FromRow;

use super::{DbConn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct RobotRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub enabled: i64,
    pub created_ms: i64,
    pub owner_id: i64,
    pub token: String,
    pub description: String,
    pub unstructured_metadata: String,
    pub last_accessed_ms: Option<i64>,
}

const ROBOT_SELECT: &str = "SELECT a.id, a.username, a.email, a.enabled, a.created_ms, \
    r.owner_id, r.token, r.description, r.unstructured_metadata, a.last_accessed_ms \
    FROM accounts a JOIN robots r ON r.account_id = a.id";

pub struct NewRobot<'a> {
    pub account_id: i64,
    pub owner_id: i64,
    pub token: &'a str,
    pub description: &'a str,
    pub unstructured_metadata: &'a str,
}

pub async fn insert_robot(conn: &mut DbConn, new: &NewRobot<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO robots (account_id, owner_id, token, description, unstructured_metadata) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new.account_id)
    .bind(new.owner_id)
    .bind(new.token)
    .bind(new.description)
    .bind(new.unstructured_metadata)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a sign-in at `now`, unless one was recorded since `since`: a busy robot writes
/// once a minute, not once a pull.
pub async fn touch_last_accessed(conn: &mut DbConn, id: i64, now: i64, since: i64) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET last_accessed_ms = $2 \
         WHERE id = $1 AND (last_accessed_ms IS NULL OR last_accessed_ms < $3)",
    )
    .bind(id)
    .bind(now)
    .bind(since)
    .execute(conn)
    .await?;
    Ok(())
}

/// A robot by its full name (`owner+short`).
pub async fn find_robot(conn: &mut DbConn, username: &str) -> Result<Option<RobotRow>> {
    let sql = format!("{ROBOT_SELECT} WHERE a.username = $1");
    Ok(sqlx::query_as::<_, RobotRow>(&sql)
        .bind(username)
        .fetch_optional(conn)
        .await?)
}

/// The robots of a namespace by name, at most `limit`.
pub async fn list_robots(conn: &mut DbConn, owner_id: i64, limit: i64) -> Result<Vec<RobotRow>> {
    let sql = format!("{ROBOT_SELECT} WHERE r.owner_id = $1 ORDER BY a.username LIMIT $2");
    Ok(sqlx::query_as::<_, RobotRow>(&sql)
        .bind(owner_id)
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

pub async fn update_robot_token(conn: &mut DbConn, account_id: i64, token: &str) -> Result<()> {
    sqlx::query("UPDATE robots SET token = $1 WHERE account_id = $2")
        .bind(token)
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A robot's name with the owner it was made for; also matches the account a robot left
/// behind when its owner was deleted (then `owner_id` is None or another namespace's).
#[derive(Debug, Clone, FromRow)]
pub struct RobotNameRow {
    pub id: i64,
    pub owner_id: Option<i64>,
}

pub async fn find_robot_name(conn: &mut DbConn, username: &str) -> Result<Option<RobotNameRow>> {
    Ok(sqlx::query_as::<_, RobotNameRow>(
        "SELECT a.id, r.owner_id FROM accounts a LEFT JOIN robots r ON r.account_id = a.id \
         WHERE a.username = $1 AND a.robot = 1",
    )
    .bind(username)
    .fetch_optional(conn)
    .await?)
}

/// Deletes a robot account; its robot row, team memberships, repository grants and prototypes
/// go with it (foreign keys), and its log entries lose their performer.
pub async fn delete_robot(conn: &mut DbConn, account_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM accounts WHERE id = $1 AND robot = 1")
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes every robot of a namespace being purged.
pub async fn delete_robots_of_owner(conn: &mut DbConn, owner_id: i64) -> Result<()> {
    sqlx::query(
        "DELETE FROM accounts WHERE robot = 1 \
         AND id IN (SELECT account_id FROM robots WHERE owner_id = $1)",
    )
    .bind(owner_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A team a robot of `owner_id` belongs to.
#[derive(Debug, Clone, FromRow)]
pub struct RobotTeamRow {
    pub robot_id: i64,
    pub team_name: String,
}

pub async fn list_robot_teams(conn: &mut DbConn, owner_id: i64) -> Result<Vec<RobotTeamRow>> {
    Ok(sqlx::query_as::<_, RobotTeamRow>(
        "SELECT m.account_id AS robot_id, t.name AS team_name FROM team_members m \
         JOIN teams t ON t.id = m.team_id JOIN robots r ON r.account_id = m.account_id \
         WHERE r.owner_id = $1 ORDER BY t.name",
    )
    .bind(owner_id)
    .fetch_all(conn)
    .await?)
}

/// A repository a robot of `owner_id` holds a direct grant on.
#[derive(Debug, Clone, FromRow)]
pub struct RobotRepositoryRow {
    pub robot_id: i64,
    pub repository_name: String,
}

pub async fn list_robot_repositories(
    conn: &mut DbConn,
    owner_id: i64,
) -> Result<Vec<RobotRepositoryRow>> {
    Ok(sqlx::query_as::<_, RobotRepositoryRow>(
        "SELECT p.account_id AS robot_id, g.name AS repository_name \
         FROM repository_permissions p JOIN repositories g ON g.id = p.repository_id \
         JOIN robots r ON r.account_id = p.account_id \
         WHERE r.owner_id = $1 AND g.state <> 'marked_for_deletion' ORDER BY g.name",
    )
    .bind(owner_id)
    .fetch_all(conn)
    .await?)
}

/// The robot's federation configuration (a JSON array of `{issuer, subject}`).
pub async fn find_federation(conn: &mut DbConn, robot_id: i64) -> Result<String> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT federation FROM robots WHERE account_id = $1")
            .bind(robot_id)
            .fetch_optional(conn)
            .await?
            .unwrap_or_else(|| "[]".to_owned()),
    )
}

pub async fn set_federation(conn: &mut DbConn, robot_id: i64, federation: &str) -> Result<()> {
    sqlx::query("UPDATE robots SET federation = $2 WHERE account_id = $1")
        .bind(robot_id)
        .bind(federation)
        .execute(conn)
        .await?;
    Ok(())
}

/// Keeps a credential an exchange handed out, and forgets the expired ones.
pub async fn insert_exchanged_token(
    conn: &mut DbConn,
    robot_id: i64,
    token_hash: &str,
    expires_ms: i64,
    now_ms: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM robot_exchanged_tokens WHERE expires_ms < $1")
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO robot_exchanged_tokens (token_hash, robot_id, expires_ms) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(robot_id)
    .bind(expires_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the robot holds the exchanged credential with this hash, unexpired.
pub async fn has_exchanged_token(
    conn: &mut DbConn,
    robot_id: i64,
    token_hash: &str,
    now_ms: i64,
) -> Result<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM robot_exchanged_tokens WHERE robot_id = $1 AND token_hash = $2 \
         AND expires_ms > $3",
    )
    .bind(robot_id)
    .bind(token_hash)
    .bind(now_ms)
    .fetch_one(conn)
    .await?
        > 0)
}
