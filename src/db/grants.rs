//! SQL for repository grants to teams, and the grant listings of repositories, accounts and
//! teams (core-api.md §3.7). A user's or robot's own grant is `repository_permissions`.

use sqlx::FromRow;

use super::{DbConn, Result};

/// The roles `account_id` holds on a repository: its own grant first, then its teams' grants.
pub async fn list_account_roles(
    conn: &mut DbConn,
    repository_id: i64,
    account_id: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT role FROM (\
           SELECT 0 AS via_team, role FROM repository_permissions \
           WHERE repository_id = $1 AND account_id = $2 \
           UNION ALL \
           SELECT 1 AS via_team, g.role FROM repository_team_permissions g \
           JOIN team_members m ON m.team_id = g.team_id \
           WHERE g.repository_id = $1 AND m.account_id = $2) roles ORDER BY via_team",
    )
    .bind(repository_id)
    .bind(account_id)
    .fetch_all(conn)
    .await?)
}

/// A repository (named within its namespace) and the role held on it.
#[derive(Debug, Clone, FromRow)]
pub struct RepositoryGrantRow {
    pub name: String,
    pub public: i64,
    pub role: String,
}

/// The repositories granted directly to an account (a robot's permissions).
pub async fn list_account_grants(
    conn: &mut DbConn,
    account_id: i64,
) -> Result<Vec<RepositoryGrantRow>> {
    Ok(sqlx::query_as::<_, RepositoryGrantRow>(
        "SELECT r.name, r.public, p.role FROM repository_permissions p \
         JOIN repositories r ON r.id = p.repository_id \
         WHERE p.account_id = $1 AND r.state <> 'marked_for_deletion' ORDER BY r.name",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await?)
}

/// The repositories granted to a team.
pub async fn list_team_grants(conn: &mut DbConn, team_id: i64) -> Result<Vec<RepositoryGrantRow>> {
    Ok(sqlx::query_as::<_, RepositoryGrantRow>(
        "SELECT r.name, r.public, g.role FROM repository_team_permissions g \
         JOIN repositories r ON r.id = g.repository_id \
         WHERE g.team_id = $1 AND r.state <> 'marked_for_deletion' ORDER BY r.name",
    )
    .bind(team_id)
    .fetch_all(conn)
    .await?)
}

/// A user or robot granted a role on a repository.
#[derive(Debug, Clone, FromRow)]
pub struct UserGrantRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub robot: i64,
    pub role: String,
}

/// The users and robots granted a role on a repository; with `only`, just that one.
pub async fn list_user_grants(
    conn: &mut DbConn,
    repository_id: i64,
    only: Option<&str>,
) -> Result<Vec<UserGrantRow>> {
    Ok(sqlx::query_as::<_, UserGrantRow>(
        "SELECT a.id, a.username, a.email, a.robot, p.role FROM repository_permissions p \
         JOIN accounts a ON a.id = p.account_id \
         WHERE p.repository_id = $1 AND ($2 IS NULL OR a.username = $2) ORDER BY a.username",
    )
    .bind(repository_id)
    .bind(only)
    .fetch_all(conn)
    .await?)
}

/// A team granted a role on a repository.
#[derive(Debug, Clone, FromRow)]
pub struct TeamGrantRow {
    pub name: String,
    pub role: String,
}

/// The teams granted a role on a repository; with `only`, just that one.
pub async fn list_team_grants_of_repository(
    conn: &mut DbConn,
    repository_id: i64,
    only: Option<&str>,
) -> Result<Vec<TeamGrantRow>> {
    Ok(sqlx::query_as::<_, TeamGrantRow>(
        "SELECT t.name, g.role FROM repository_team_permissions g \
         JOIN teams t ON t.id = g.team_id \
         WHERE g.repository_id = $1 AND ($2 IS NULL OR t.name = $2) ORDER BY t.name",
    )
    .bind(repository_id)
    .bind(only)
    .fetch_all(conn)
    .await?)
}

pub async fn upsert_team_permission(
    conn: &mut DbConn,
    repository_id: i64,
    team_id: i64,
    role: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO repository_team_permissions (repository_id, team_id, role) \
         VALUES ($1, $2, $3) \
         ON CONFLICT (repository_id, team_id) DO UPDATE SET role = excluded.role",
    )
    .bind(repository_id)
    .bind(team_id)
    .bind(role)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a user's or robot's grant; false when there was none.
pub async fn delete_user_permission(
    conn: &mut DbConn,
    repository_id: i64,
    account_id: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM repository_permissions WHERE repository_id = $1 AND account_id = $2",
    )
    .bind(repository_id)
    .bind(account_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes a team's grant; false when there was none.
pub async fn delete_team_permission(
    conn: &mut DbConn,
    repository_id: i64,
    team_id: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM repository_team_permissions WHERE repository_id = $1 AND team_id = $2",
    )
    .bind(repository_id)
    .bind(team_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
