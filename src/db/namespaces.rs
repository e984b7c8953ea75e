//! SQL for organizations: teams, their members and default permissions (prototypes).

use sqlx::FromRow;

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

#[derive(Debug, Clone, FromRow)]
pub struct TeamRow {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub role: String,
    pub description: String,
}

const TEAM_COLUMNS: &str = "t.id, t.organization_id, t.name, t.role, t.description";

pub async fn find_team(
    conn: &mut DbConn,
    organization_id: i64,
    name: &str,
) -> Result<Option<TeamRow>> {
    let sql =
        format!("SELECT {TEAM_COLUMNS} FROM teams t WHERE t.organization_id = $1 AND t.name = $2");
    Ok(sqlx::query_as::<_, TeamRow>(&sql)
        .bind(organization_id)
        .bind(name)
        .fetch_optional(conn)
        .await?)
}

/// The teams of the organization that `account_id` belongs to.
pub async fn list_teams_of_member(
    conn: &mut DbConn,
    organization_id: i64,
    account_id: i64,
) -> Result<Vec<TeamRow>> {
    let sql = format!(
        "SELECT {TEAM_COLUMNS} FROM teams t JOIN team_members m ON m.team_id = t.id \
         WHERE t.organization_id = $1 AND m.account_id = $2 ORDER BY t.name"
    );
    Ok(sqlx::query_as::<_, TeamRow>(&sql)
        .bind(organization_id)
        .bind(account_id)
        .fetch_all(conn)
        .await?)
}

pub async fn update_team(conn: &mut DbConn, id: i64, role: &str, description: &str) -> Result<()> {
    sqlx::query("UPDATE teams SET role = $1, description = $2 WHERE id = $3")
        .bind(role)
        .bind(description)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes a team; its members, repository grants and prototypes go with it (foreign keys).
pub async fn delete_team(conn: &mut DbConn, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM teams WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// What member lists and permission views show of an account.
#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub robot: i64,
}

pub async fn list_team_members(conn: &mut DbConn, team_id: i64) -> Result<Vec<MemberRow>> {
    Ok(sqlx::query_as::<_, MemberRow>(
        "SELECT a.id, a.username, a.email, a.robot FROM accounts a \
         JOIN team_members m ON m.account_id = a.id WHERE m.team_id = $1 ORDER BY a.username",
    )
    .bind(team_id)
    .fetch_all(conn)
    .await?)
}

pub async fn is_team_member(conn: &mut DbConn, team_id: i64, account_id: i64) -> Result<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM team_members WHERE team_id = $1 AND account_id = $2",
    )
    .bind(team_id)
    .bind(account_id)
    .fetch_one(conn)
    .await?
        > 0)
}

/// Removes a membership; false when there was none.
pub async fn delete_team_member(conn: &mut DbConn, team_id: i64, account_id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND account_id = $2")
        .bind(team_id)
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The ids of every account in at least one team of the organization.
pub async fn list_organization_member_ids(
    conn: &mut DbConn,
    organization_id: i64,
) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT DISTINCT m.account_id FROM team_members m JOIN teams t ON t.id = m.team_id \
         WHERE t.organization_id = $1",
    )
    .bind(organization_id)
    .fetch_all(conn)
    .await?)
}

/// A team with the numbers the organization view shows.
#[derive(Debug, Clone, FromRow)]
pub struct TeamSummaryRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub description: String,
    pub repo_count: i64,
    pub member_count: i64,
}

/// The organization's teams in creation order, with their repository grants and members
/// counted.
pub async fn list_team_summaries(
    conn: &mut DbConn,
    organization_id: i64,
) -> Result<Vec<TeamSummaryRow>> {
    Ok(sqlx::query_as::<_, TeamSummaryRow>(
        "SELECT t.id, t.name, t.role, t.description, \
         (SELECT COUNT(*) FROM repository_team_permissions g WHERE g.team_id = t.id) AS repo_count, \
         (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) AS member_count \
         FROM teams t WHERE t.organization_id = $1 ORDER BY t.id",
    )
    .bind(organization_id)
    .fetch_all(conn)
    .await?)
}

/// One team membership in an organization.
#[derive(Debug, Clone, FromRow)]
pub struct MembershipRow {
    pub account_id: i64,
    pub username: String,
    pub email: String,
    pub team_name: String,
}

/// Every membership of a user (robots left out) in the organization's teams, by user name and
/// then in team creation order.
pub async fn list_user_memberships(
    conn: &mut DbConn,
    organization_id: i64,
) -> Result<Vec<MembershipRow>> {
    Ok(sqlx::query_as::<_, MembershipRow>(
        "SELECT a.id AS account_id, a.username, a.email, t.name AS team_name FROM teams t \
         JOIN team_members m ON m.team_id = t.id JOIN accounts a ON a.id = m.account_id \
         WHERE t.organization_id = $1 AND a.robot = 0 ORDER BY a.username, t.id",
    )
    .bind(organization_id)
    .fetch_all(conn)
    .await?)
}

/// A role granted directly to an account on one of the organization's repositories.
#[derive(Debug, Clone, FromRow)]
pub struct DirectGrantRow {
    pub account_id: i64,
    pub username: String,
    pub email: String,
    pub repository: String,
}

const DIRECT_GRANT_SELECT: &str = "SELECT a.id AS account_id, a.username, a.email, \
    r.name AS repository FROM repository_permissions p \
    JOIN repositories r ON r.id = p.repository_id JOIN accounts a ON a.id = p.account_id \
    WHERE r.namespace_id = $1 AND r.state <> 'marked_for_deletion'";

/// The direct grants of users (robots left out) on the organization's repositories.
pub async fn list_user_direct_grants(
    conn: &mut DbConn,
    organization_id: i64,
) -> Result<Vec<DirectGrantRow>> {
    let sql = format!("{DIRECT_GRANT_SELECT} AND a.robot = 0 ORDER BY a.username, r.name");
    Ok(sqlx::query_as::<_, DirectGrantRow>(&sql)
        .bind(organization_id)
        .fetch_all(conn)
        .await?)
}

/// The direct grants of one account (robots too) on the organization's repositories.
pub async fn list_account_direct_grants(
    conn: &mut DbConn,
    organization_id: i64,
    account_id: i64,
) -> Result<Vec<DirectGrantRow>> {
    let sql = format!("{DIRECT_GRANT_SELECT} AND a.id = $2 ORDER BY r.name");
    Ok(sqlx::query_as::<_, DirectGrantRow>(&sql)
        .bind(organization_id)
        .bind(account_id)
        .fetch_all(conn)
        .await?)
}

/// The ids of the users (not robots) in the organization's admin teams.
pub async fn list_admin_user_ids(conn: &mut DbConn, organization_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT DISTINCT a.id FROM teams t JOIN team_members m ON m.team_id = t.id \
         JOIN accounts a ON a.id = m.account_id \
         WHERE t.organization_id = $1 AND t.role = 'admin' AND a.robot = 0",
    )
    .bind(organization_id)
    .fetch_all(conn)
    .await?)
}

/// Takes an account out of every team of the organization and drops its direct grants on the
/// organization's repositories.
pub async fn delete_organization_member(
    conn: &mut DbConn,
    organization_id: i64,
    account_id: i64,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM repository_permissions WHERE account_id = $1 AND repository_id IN \
         (SELECT id FROM repositories WHERE namespace_id = $2)",
    )
    .bind(account_id)
    .bind(organization_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM team_members WHERE account_id = $1 AND team_id IN \
         (SELECT id FROM teams WHERE organization_id = $2)",
    )
    .bind(account_id)
    .bind(organization_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An organization one of whose teams holds an account, with that team's role.
#[derive(Debug, Clone, FromRow)]
pub struct OrganizationRoleRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub role: String,
}

/// The organizations whose teams hold `account_id`: one row per team, by organization name.
pub async fn list_organization_roles_of_member(
    conn: &mut DbConn,
    account_id: i64,
) -> Result<Vec<OrganizationRoleRow>> {
    Ok(sqlx::query_as::<_, OrganizationRoleRow>(
        "SELECT o.id, o.username, o.email, t.role FROM team_members m \
         JOIN teams t ON t.id = m.team_id JOIN accounts o ON o.id = t.organization_id \
         WHERE m.account_id = $1 ORDER BY o.username, t.id",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await?)
}

/// Whether any account, organizations included, has the e-mail address.
pub async fn is_email_in_use(conn: &mut DbConn, email: &str) -> Result<bool> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM accounts WHERE email = $1")
            .bind(email)
            .fetch_one(conn)
            .await?
            > 0,
    )
}

// ---- permission prototypes -----------------------------------------------------------------

pub struct NewPrototype<'a> {
    pub uuid: &'a str,
    pub organization_id: i64,
    pub activating_user_id: Option<i64>,
    pub delegate_user_id: Option<i64>,
    pub delegate_team_id: Option<i64>,
    pub role: &'a str,
}

pub async fn insert_prototype(conn: &mut DbConn, new: &NewPrototype<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO permission_prototypes (uuid, organization_id, activating_user_id, \
         delegate_user_id, delegate_team_id, role) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new.uuid)
    .bind(new.organization_id)
    .bind(new.activating_user_id)
    .bind(new.delegate_user_id)
    .bind(new.delegate_team_id)
    .bind(new.role)
    .execute(conn)
    .await?;
    Ok(())
}

/// A prototype with the names its view and log entries show.
#[derive(Debug, Clone, FromRow)]
pub struct PrototypeRow {
    pub uuid: String,
    pub role: String,
    pub activating_id: Option<i64>,
    pub activating_name: Option<String>,
    pub activating_email: Option<String>,
    pub activating_robot: Option<i64>,
    pub delegate_user_id: Option<i64>,
    pub delegate_user_name: Option<String>,
    pub delegate_user_email: Option<String>,
    pub delegate_user_robot: Option<i64>,
    pub delegate_team_name: Option<String>,
}

const PROTOTYPE_SELECT: &str = "SELECT p.uuid, p.role, \
    au.id AS activating_id, au.username AS activating_name, au.email AS activating_email, \
    au.robot AS activating_robot, du.id AS delegate_user_id, du.username AS delegate_user_name, \
    du.email AS delegate_user_email, du.robot AS delegate_user_robot, \
    dt.name AS delegate_team_name \
    FROM permission_prototypes p \
    LEFT JOIN accounts au ON au.id = p.activating_user_id \
    LEFT JOIN accounts du ON du.id = p.delegate_user_id \
    LEFT JOIN teams dt ON dt.id = p.delegate_team_id \
    WHERE p.organization_id = $1";

pub async fn list_prototypes(conn: &mut DbConn, organization_id: i64) -> Result<Vec<PrototypeRow>> {
    let sql = format!("{PROTOTYPE_SELECT} ORDER BY p.id");
    Ok(sqlx::query_as::<_, PrototypeRow>(&sql)
        .bind(organization_id)
        .fetch_all(conn)
        .await?)
}

pub async fn find_prototype(
    conn: &mut DbConn,
    organization_id: i64,
    uuid: &str,
) -> Result<Option<PrototypeRow>> {
    let sql = format!("{PROTOTYPE_SELECT} AND p.uuid = $2");
    Ok(sqlx::query_as::<_, PrototypeRow>(&sql)
        .bind(organization_id)
        .bind(uuid)
        .fetch_optional(conn)
        .await?)
}

pub async fn update_prototype_role(
    conn: &mut DbConn,
    organization_id: i64,
    uuid: &str,
    role: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE permission_prototypes SET role = $1 WHERE organization_id = $2 AND uuid = $3",
    )
    .bind(role)
    .bind(organization_id)
    .bind(uuid)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_prototype(conn: &mut DbConn, organization_id: i64, uuid: &str) -> Result<()> {
    sqlx::query("DELETE FROM permission_prototypes WHERE organization_id = $1 AND uuid = $2")
        .bind(organization_id)
        .bind(uuid)
        .execute(conn)
        .await?;
    Ok(())
}

/// A prototype as repository creation applies it.
#[derive(Debug, Clone, FromRow)]
pub struct PrototypeRuleRow {
    pub activating_user_id: Option<i64>,
    pub delegate_user_id: Option<i64>,
    pub delegate_team_id: Option<i64>,
    pub role: String,
}

/// The prototypes of the organization that apply to repositories `creator_id` creates: those
/// for that creator and those for anyone.
pub async fn list_prototype_rules(
    conn: &mut DbConn,
    organization_id: i64,
    creator_id: i64,
) -> Result<Vec<PrototypeRuleRow>> {
    Ok(sqlx::query_as::<_, PrototypeRuleRow>(
        "SELECT activating_user_id, delegate_user_id, delegate_team_id, role \
         FROM permission_prototypes WHERE organization_id = $1 \
         AND (activating_user_id IS NULL OR activating_user_id = $2) ORDER BY id",
    )
    .bind(organization_id)
    .bind(creator_id)
    .fetch_all(conn)
    .await?)
}

/// `text` as a LIKE pattern that matches it literally, then anything (`\` escapes).
fn like_prefix(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// An account found by an entity search, with whether it belongs to the organization asked
/// about (robots of the namespace always do).
#[derive(Debug, Clone, FromRow)]
pub struct MatchingAccountRow {
    pub username: String,
    pub email: String,
    pub robot: i64,
    pub org_member: i64,
}

/// Users whose name starts with `prefix`, and robots whose full name starts with
/// `robot_prefix`, the exact name first, robots next, then by name; at most `limit`.
pub async fn list_matching_accounts(
    conn: &mut DbConn,
    prefix: &str,
    robot_prefix: Option<&str>,
    organization_id: Option<i64>,
    limit: i64,
) -> Result<Vec<MatchingAccountRow>> {
    // Without a robot namespace the robot pattern is empty, which no robot's name matches.
    let sql = "SELECT a.username, a.email, a.robot, CASE WHEN a.robot = 1 OR EXISTS (SELECT 1 \
         FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.account_id = a.id \
         AND t.organization_id = $4) THEN 1 ELSE 0 END AS org_member FROM accounts a \
         WHERE (a.organization = 0 AND a.robot = 0 AND a.username LIKE $2 ESCAPE '\\') \
         OR (a.robot = 1 AND a.username LIKE $3 ESCAPE '\\') \
         ORDER BY CASE WHEN a.username = $1 THEN 0 ELSE 1 END, a.robot DESC, a.username LIMIT $5";
    Ok(sqlx::query_as::<_, MatchingAccountRow>(sql)
        .bind(prefix)
        .bind(like_prefix(prefix))
        .bind(robot_prefix.map(like_prefix).unwrap_or_default())
        .bind(organization_id.unwrap_or(0))
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// Teams of the organization whose name starts with `prefix`, by name; at most `limit`.
pub async fn list_matching_teams(
    conn: &mut DbConn,
    organization_id: i64,
    prefix: &str,
    limit: i64,
) -> Result<Vec<TeamRow>> {
    let sql = format!(
        "SELECT {TEAM_COLUMNS} FROM teams t WHERE t.organization_id = $1 \
         AND t.name LIKE $2 ESCAPE '\\' ORDER BY t.name LIMIT $3"
    );
    Ok(sqlx::query_as::<_, TeamRow>(&sql)
        .bind(organization_id)
        .bind(like_prefix(prefix))
        .bind(limit)
        .fetch_all(conn)
        .await?)
}
