//! SQL for organizations: teams and their members.

use super::{DbConn, Result};

pub async fn insert_team(
    conn: &mut DbConn,
    organization_id: i64,
    name: &str,
    role: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(
        "INSERT INTO teams (organization_id, name, role) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(organization_id)
    .bind(name)
    .bind(role)
    .fetch_one(conn)
    .await?)
}

pub async fn insert_team_member(conn: &mut DbConn, team_id: i64, account_id: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO team_members (team_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(team_id)
    .bind(account_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The roles (`member`, `creator`, `admin`) `account_id` holds in the organization's teams.
pub async fn list_team_roles(
    conn: &mut DbConn,
    organization_id: i64,
    account_id: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT t.role FROM teams t JOIN team_members m ON m.team_id = t.id \
         WHERE t.organization_id = $1 AND m.account_id = $2",
    )
    .bind(organization_id)
    .bind(account_id)
    .fetch_all(conn)
    .await?)
}

pub async fn find_team_id(
    conn: &mut DbConn,
    organization_id: i64,
    name: &str,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT id FROM teams WHERE organization_id = $1 AND name = $2",
    )
    .bind(organization_id)
    .bind(name)
    .fetch_optional(conn)
    .await?)
}
