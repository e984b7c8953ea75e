//! Immutable tags (Quay's `FEATURE_IMMUTABLE_TAGS`): a tag row marked immutable cannot be
//! moved, overwritten, deleted or expired. Tags become immutable by hand (`PUT .../tag/{tag}`),
//! when created under a matching policy of their repository or namespace, when their manifest
//! carries the label `quay.immutable=true`, and when a new or changed policy matches tags that
//! already exist. Nothing makes a tag mutable again but a repository admin.

use serde_json::json;

use super::{anchored, Error, Result, Target};
use crate::accounts::Role;
use crate::app::App;
use crate::config::Config;
use crate::db::{self, policies::ImmutabilityPolicyRow, policies::PolicyTable, DbConn};
use crate::logs::{self, Actor};
use crate::repositories::Repository;

/// The label that makes a pushed tag immutable.
pub const IMMUTABLE_LABEL: &str = "quay.immutable";

/// How many tags a policy change marks per statement batch.
const BATCH: i64 = 500;

pub struct Policy {
    pub uuid: String,
    pub tag_pattern: String,
    pub tag_pattern_matches: bool,
}

impl From<ImmutabilityPolicyRow> for Policy {
    fn from(row: ImmutabilityPolicyRow) -> Self {
        Policy {
            uuid: row.uuid,
            tag_pattern: row.tag_pattern,
            tag_pattern_matches: row.tag_pattern_matches != 0,
        }
    }
}

/// Whether a policy (pattern and its matches flag) takes `tag`.
fn takes(regex: &regex::Regex, pattern_matches: bool, tag: &str) -> bool {
    regex.is_match(tag) == pattern_matches
}

/// Quay's checks of a pattern; returns it trimmed with its compiled form.
fn checked(pattern: &str) -> Result<(String, regex::Regex)> {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return Err(Error::Invalid(
            "tag_pattern is required and must be a non-empty string".into(),
        ));
    }
    if pattern.chars().count() > 256 {
        return Err(Error::Invalid(
            "tag_pattern must be 256 characters or less".into(),
        ));
    }
    let regex =
        anchored(pattern).map_err(|e| Error::Invalid(format!("Invalid regex pattern: {e}")))?;
    Ok((pattern.to_owned(), regex))
}

pub async fn list_policies(app: &App, target: &Target) -> Result<Vec<Policy>> {
    let mut conn = app.db.reader().await?;
    let rows = db::policies::list_immutability_policies(&mut conn, target.scope()).await?;
    Ok(rows.into_iter().map(Policy::from).collect())
}

/// Refuses a second policy of the scope with the same pattern (the policy `except` aside).
async fn check_unique(
    conn: &mut DbConn,
    target: &Target,
    pattern: &str,
    except: Option<&str>,
) -> Result<()> {
    let existing = db::policies::list_immutability_policies(conn, target.scope()).await?;
    if existing
        .iter()
        .any(|p| p.tag_pattern == pattern && Some(p.uuid.as_str()) != except)
    {
        return Err(Error::Invalid(
            "A policy with the same tag_pattern already exists".into(),
        ));
    }
    Ok(())
}

fn policy_metadata(target: &Target, pattern: &str, pattern_matches: bool) -> serde_json::Value {
    let mut metadata = target.names();
    metadata.insert("tag_pattern".into(), json!(pattern));
    metadata.insert("tag_pattern_matches".into(), json!(pattern_matches));
    metadata.into()
}

/// Creates a policy and applies it to the scope's existing tags; returns its uuid.
pub async fn create_policy(
    app: &App,
    actor: &Actor,
    target: &Target,
    pattern: &str,
    pattern_matches: bool,
) -> Result<String> {
    let (pattern, regex) = checked(pattern)?;
    let uuid = uuid::Uuid::new_v4().to_string();
    let mut tx = app.db.begin().await?;
    check_unique(&mut tx, target, &pattern, None).await?;
    db::policies::insert_immutability_policy(
        &mut tx,
        &uuid,
        target.scope(),
        &pattern,
        pattern_matches,
        db::now_ms(),
    )
    .await?;
    let metadata = policy_metadata(target, &pattern, pattern_matches);
    logs::record(
        &mut tx,
        actor,
        "create_immutability_policy",
        target.log_scope(),
        metadata,
    )
    .await?;
    apply_to_existing(app, &mut tx, target, &pattern, &regex, pattern_matches).await?;
    db::commit(tx).await?;
    Ok(uuid)
}

/// Changes a policy and applies it to the scope's existing tags; tags it marked before stay
/// immutable.
pub async fn update_policy(
    app: &App,
    actor: &Actor,
    target: &Target,
    uuid: &str,
    pattern: &str,
    pattern_matches: bool,
) -> Result<()> {
    let (pattern, regex) = checked(pattern)?;
    let mut tx = app.db.begin().await?;
    check_unique(&mut tx, target, &pattern, Some(uuid)).await?;
    let scope = target.scope();
    if !db::policies::update_immutability_policy(&mut tx, uuid, scope, &pattern, pattern_matches)
        .await?
    {
        return Err(Error::NotFound);
    }
    let metadata = policy_metadata(target, &pattern, pattern_matches);
    logs::record(
        &mut tx,
        actor,
        "update_immutability_policy",
        target.log_scope(),
        metadata,
    )
    .await?;
    apply_to_existing(app, &mut tx, target, &pattern, &regex, pattern_matches).await?;
    Ok(db::commit(tx).await?)
}

pub async fn delete_policy(app: &App, actor: &Actor, target: &Target, uuid: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let scope = target.scope();
    if !db::policies::delete_policy(&mut tx, PolicyTable::Immutability, uuid, scope).await? {
        return Err(Error::NotFound);
    }
    let mut metadata = target.names();
    metadata.insert("policy_uuid".into(), json!(uuid));
    logs::record(
        &mut tx,
        actor,
        "delete_immutability_policy",
        target.log_scope(),
        metadata.into(),
    )
    .await?;
    Ok(db::commit(tx).await?)
}

/// Marks the scope's alive tags the policy takes, clearing their expiry unless immutable tags
/// may expire; logs how many, when any.
async fn apply_to_existing(
    app: &App,
    conn: &mut DbConn,
    target: &Target,
    pattern: &str,
    regex: &regex::Regex,
    pattern_matches: bool,
) -> Result<()> {
    let can_expire = app.config.features.immutable_tags_can_expire;
    let now = db::now_ms();
    let (mut after, mut count) = (0, 0u64);
    loop {
        let tags =
            db::policies::list_alive_tags_in_scope(conn, target.scope(), now, after, BATCH).await?;
        let Some(last) = tags.last() else { break };
        after = last.id;
        for tag in tags.iter().filter(|t| t.immutable == 0) {
            if takes(regex, pattern_matches, &tag.name) {
                let clear_expiry = !can_expire && tag.lifetime_end_ms.is_some();
                db::policies::set_tag_immutable(conn, tag.id, true, clear_expiry).await?;
                count += 1;
            }
        }
    }
    if count > 0 {
        let mut metadata = target.names();
        metadata.insert("tag_pattern".into(), json!(pattern));
        metadata.insert("tag_pattern_matches".into(), json!(pattern_matches));
        metadata.insert("count".into(), json!(count));
        let actor = Actor::anonymous(None);
        logs::record(
            conn,
            &actor,
            "tags_made_immutable_by_policy",
            target.log_scope(),
            metadata.into(),
        )
        .await?;
    }
    Ok(())
}

/// Whether a tag about to be created on `manifest_id` is immutable: its manifest carries
/// `quay.immutable=true`, or a policy of the repository or its namespace takes the name (then
/// logged `tag_made_immutable_by_policy`). Always false without `FEATURE_IMMUTABLE_TAGS`.
pub async fn for_new_tag(
    config: &Config,
    conn: &mut DbConn,
    repo: &Repository,
    tag: &str,
    manifest_id: i64,
) -> db::Result<bool> {
    if !config.features.immutable_tags {
        return Ok(false);
    }
    let label = db::labels::find_label_value(conn, manifest_id, IMMUTABLE_LABEL).await?;
    if label.is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        return Ok(true);
    }
    let policies =
        db::policies::list_immutability_policies_for_tag(conn, repo.namespace_id, repo.id).await?;
    let by_policy = policies.iter().any(|p| {
        anchored(&p.tag_pattern).is_ok_and(|r| takes(&r, p.tag_pattern_matches != 0, tag))
    });
    if by_policy {
        let metadata = json!({
            "tag": tag, "repo": repo.name, "namespace": repo.namespace, "immutable": true,
        });
        let scope = logs::Scope::repository(repo.namespace_id, repo.id);
        logs::record(
            conn,
            &Actor::anonymous(None),
            "tag_made_immutable_by_policy",
            scope,
            metadata,
        )
        .await?;
    }
    Ok(by_policy)
}

/// Refuses `op` (`delete`, `overwrite`) on an alive tag that is immutable.
pub fn check_mutable(config: &Config, immutable: bool, tag: &str, op: &'static str) -> Result<()> {
    if config.features.immutable_tags && immutable {
        return Err(Error::TagImmutable {
            tag: tag.to_owned(),
            op,
        });
    }
    Ok(())
}

/// Whether an immutable tag keeps an expiry (`FEATURE_IMMUTABLE_TAGS_CAN_EXPIRE`).
pub fn may_expire(config: &Config, immutable: bool) -> bool {
    !(config.features.immutable_tags && immutable) || config.features.immutable_tags_can_expire
}

/// `PUT .../tag/{tag}` with `immutable`: anyone who may write marks a tag immutable; only a
/// repository admin makes it mutable again. Logged `change_tag_immutability` every time.
pub async fn set_tag_immutability(
    app: &App,
    actor: &Actor,
    repo: &Repository,
    role: Option<Role>,
    name: &str,
    immutable: bool,
) -> Result<()> {
    if !app.config.features.immutable_tags {
        return Ok(());
    }
    let mut tx = app.db.begin().await?;
    db::registry::lock_repository(&mut tx, app.db.backend(), repo.id).await?;
    let tag = db::tags::find_alive_tag(&mut tx, repo.id, name, db::now_ms())
        .await?
        .ok_or(Error::NotFound)?;
    let previous = tag.immutable != 0;
    if previous && !immutable && role < Some(Role::Admin) {
        return Err(Error::Unauthorized);
    }
    if immutable
        && !previous
        && tag.lifetime_end_ms.is_some()
        && !app.config.features.immutable_tags_can_expire
    {
        return Err(Error::Conflict(format!(
            "Cannot make tag '{name}' immutable: tag has expiration set. Clear expiration first \
             or enable FEATURE_IMMUTABLE_TAGS_CAN_EXPIRE."
        )));
    }
    db::policies::set_tag_immutable(&mut tx, tag.id, immutable, false).await?;
    let metadata = json!({
        "username": actor.performer_name, "repo": repo.name, "tag": name,
        "namespace": repo.namespace, "immutable": immutable, "previous_immutable": previous,
    });
    let scope = logs::Scope::repository(repo.namespace_id, repo.id);
    logs::record(&mut tx, actor, "change_tag_immutability", scope, metadata).await?;
    Ok(db::commit(tx).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_names() {
        let regex = anchored("v[0-9]+").expect("regex");
        assert!(takes(&regex, true, "v12"));
        assert!(!takes(&regex, true, "v12-rc"));
        assert!(takes(&regex, false, "latest"));
        assert!(matches!(checked("  "), Err(Error::Invalid(_))));
        assert!(
            matches!(checked("[x"), Err(Error::Invalid(m)) if m.starts_with("Invalid regex pattern: "))
        );
        assert!(matches!(checked(&"a".repeat(257)), Err(Error::Invalid(_))));
    }
}
