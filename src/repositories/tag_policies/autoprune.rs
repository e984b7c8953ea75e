//! Auto-prune policies (Quay's `FEATURE_AUTO_PRUNE`): a namespace or repository keeps its
//! newest N tags (`number_of_tags`) or none older than a span (`creation_date`, e.g. `2w`),
//! optionally only among tags whose names match (or do not match) a pattern. The pruning job
//! ends tags as a delete does (they stay restorable for the time machine's window), logging
//! `autoprune_tag_delete` for each; immutable tags are never pruned.

use std::collections::{BTreeMap, HashSet};

use regex::Regex;
use serde_json::{json, Value};

use super::{Error, Result, Target};
use crate::app::App;
use crate::db::{
    self, policies::AutoPrunePolicyRow, policies::NewAutoPrunePolicy, policies::PolicyTable,
};
use crate::jobs;
use crate::logs::{self, Actor};
use crate::repositories::{Repository, STATE_NORMAL};

pub const NUMBER_OF_TAGS: &str = "number_of_tags";
pub const CREATION_DATE: &str = "creation_date";

/// How many repositories or namespaces one query of the pruning job reads.
const PAGE: i64 = 50;

pub struct Policy {
    pub uuid: String,
    pub method: String,
    /// An integer for `number_of_tags`, a string for `creation_date`.
    pub value: Value,
    pub tag_pattern: Option<String>,
    pub tag_pattern_matches: bool,
}

impl From<AutoPrunePolicyRow> for Policy {
    fn from(row: AutoPrunePolicyRow) -> Self {
        Policy {
            uuid: row.uuid,
            value: serde_json::from_str(&row.value).unwrap_or(Value::Null),
            method: row.method,
            tag_pattern: row.tag_pattern,
            tag_pattern_matches: row.tag_pattern_matches != 0,
        }
    }
}

/// A policy as a request gives it.
pub struct PolicyRequest {
    pub method: String,
    pub value: Value,
    pub tag_pattern: Option<String>,
    pub tag_pattern_matches: bool,
}

/// Quay's spans: a whole number and a unit `s`, `m`, `h`, `d`, `w` or `y`; in milliseconds.
pub fn parse_span_ms(text: &str) -> Option<i64> {
    let unit = text.chars().last()?;
    let number: i64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let seconds = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        'y' => 365 * 86_400,
        _ => return None,
    };
    (number > 0)
        .then(|| number.checked_mul(seconds * 1000))
        .flatten()
}

/// Quay's checks of a policy; returns its pattern trimmed (a bad regex is refused here, where
/// Quay would store it and fail every later pruning run).
fn checked(request: &PolicyRequest) -> Result<Option<String>> {
    let valid_value = match request.method.as_str() {
        NUMBER_OF_TAGS => request.value.as_i64().is_some_and(|n| n > 0),
        CREATION_DATE => request.value.as_str().and_then(parse_span_ms).is_some(),
        _ => return Err(Error::Invalid("Invalid method provided".into())),
    };
    if !valid_value {
        return Err(Error::Invalid("Invalid value given for method type".into()));
    }
    let Some(pattern) = &request.tag_pattern else {
        return Ok(None);
    };
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return Err(Error::Invalid("tag_pattern cannot be empty".into()));
    }
    Regex::new(pattern).map_err(|e| Error::Invalid(format!("Invalid regex pattern: {e}")))?;
    Ok(Some(pattern.to_owned()))
}

fn log_kind(target: &Target, action: &str) -> String {
    let level = match target {
        Target::Namespace(_) => "namespace",
        Target::Repository(_) => "repository",
    };
    format!("{action}_{level}_autoprune_policy")
}

fn policy_metadata(target: &Target, request: &PolicyRequest, pattern: Option<&str>) -> Value {
    let mut metadata = serde_json::Map::new();
    metadata.insert("method".into(), json!(request.method));
    metadata.insert("value".into(), request.value.clone());
    metadata.insert("tag_pattern".into(), json!(pattern));
    metadata.insert(
        "tag_pattern_matches".into(),
        json!(request.tag_pattern_matches),
    );
    metadata.extend(target.names());
    metadata.into()
}

pub async fn list_policies(app: &App, target: &Target) -> Result<Vec<Policy>> {
    let mut conn = app.db.reader().await?;
    let rows = db::policies::list_autoprune_policies(&mut conn, target.scope()).await?;
    Ok(rows.into_iter().map(Policy::from).collect())
}

async fn get_policy(app: &App, target: &Target, uuid: &str) -> Result<Policy> {
    list_policies(app, target)
        .await?
        .into_iter()
        .find(|p| p.uuid == uuid)
        .ok_or(Error::NotFound)
}

/// Creates a policy (an identical one of the scope is refused) and queues a pruning run.
pub async fn create_policy(
    app: &App,
    actor: &Actor,
    target: &Target,
    request: &PolicyRequest,
) -> Result<String> {
    let pattern = checked(request)?;
    let value = request.value.to_string();
    let mut tx = app.db.begin().await?;
    let existing = db::policies::list_autoprune_policies(&mut tx, target.scope()).await?;
    let duplicate = existing.into_iter().map(Policy::from).any(|p| {
        p.method == request.method
            && p.value == request.value
            && p.tag_pattern == pattern
            && p.tag_pattern_matches == request.tag_pattern_matches
    });
    if duplicate {
        let level = match target {
            Target::Namespace(_) => "namespace",
            Target::Repository(_) => "repository",
        };
        return Err(Error::Invalid(format!(
            "Existing policy with same values for this {level}, duplicate policies are not permitted"
        )));
    }
    let uuid = uuid::Uuid::new_v4().to_string();
    let policy = NewAutoPrunePolicy {
        method: &request.method,
        value: &value,
        tag_pattern: pattern.as_deref(),
        tag_pattern_matches: request.tag_pattern_matches,
    };
    db::policies::insert_autoprune_policy(&mut tx, &uuid, target.scope(), &policy, db::now_ms())
        .await?;
    let metadata = policy_metadata(target, request, pattern.as_deref());
    logs::record(
        &mut tx,
        actor,
        &log_kind(target, "create"),
        target.log_scope(),
        metadata,
    )
    .await?;
    jobs::enqueue(&mut tx, &jobs::PruneTags::default()).await?;
    db::commit(tx).await?;
    Ok(uuid)
}

/// Changes a policy (an unknown one is 404 before its body is checked, as in Quay).
pub async fn update_policy(
    app: &App,
    actor: &Actor,
    target: &Target,
    uuid: &str,
    request: &PolicyRequest,
) -> Result<()> {
    get_policy(app, target, uuid).await?;
    let pattern = checked(request)?;
    let value = request.value.to_string();
    let policy = NewAutoPrunePolicy {
        method: &request.method,
        value: &value,
        tag_pattern: pattern.as_deref(),
        tag_pattern_matches: request.tag_pattern_matches,
    };
    let mut tx = app.db.begin().await?;
    if !db::policies::update_autoprune_policy(&mut tx, uuid, target.scope(), &policy).await? {
        return Err(Error::NotFound);
    }
    let metadata = policy_metadata(target, request, pattern.as_deref());
    logs::record(
        &mut tx,
        actor,
        &log_kind(target, "update"),
        target.log_scope(),
        metadata,
    )
    .await?;
    jobs::enqueue(&mut tx, &jobs::PruneTags::default()).await?;
    Ok(db::commit(tx).await?)
}

pub async fn delete_policy(app: &App, actor: &Actor, target: &Target, uuid: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if !db::policies::delete_policy(&mut tx, PolicyTable::AutoPrune, uuid, target.scope()).await? {
        return Err(Error::NotFound);
    }
    let mut metadata = serde_json::Map::new();
    metadata.insert("policy_uuid".into(), json!(uuid));
    metadata.extend(target.names());
    logs::record(
        &mut tx,
        actor,
        &log_kind(target, "delete"),
        target.log_scope(),
        metadata.into(),
    )
    .await?;
    Ok(db::commit(tx).await?)
}

/// Runs every namespace's policies once; returns how many tags were pruned.
pub async fn prune_all(app: &App) -> Result<u64> {
    let (mut after, mut pruned) = (0, 0);
    loop {
        let namespaces = {
            let mut conn = app.db.reader().await?;
            db::policies::list_namespaces_with_autoprune(&mut conn, after, PAGE).await?
        };
        let Some(&last) = namespaces.last() else {
            return Ok(pruned);
        };
        after = last;
        for namespace_id in namespaces {
            pruned += prune_namespace(app, namespace_id).await?;
        }
    }
}

/// A policy ready to apply: its pattern compiled (matched anywhere in a name, as Quay's
/// database search does).
struct Rule {
    method: String,
    value: Value,
    pattern: Option<Regex>,
    pattern_matches: bool,
}

impl Rule {
    fn of(policy: Policy) -> Option<Rule> {
        let pattern = match &policy.tag_pattern {
            Some(p) => Some(Regex::new(p).ok()?),
            None => None,
        };
        Some(Rule {
            method: policy.method,
            value: policy.value,
            pattern,
            pattern_matches: policy.tag_pattern_matches,
        })
    }

    fn selects(&self, tag: &str) -> bool {
        self.pattern
            .as_ref()
            .is_none_or(|p| p.is_match(tag) == self.pattern_matches)
    }
}

/// Cosign's tags (`sha256-<hex>.sig|att|sbom`) go with their manifest, never by policy.
fn is_cosign_tag(name: &str) -> bool {
    let Some((digest, suffix)) = name.rsplit_once('.') else {
        return false;
    };
    let hex = digest.strip_prefix("sha256-").unwrap_or("");
    matches!(suffix, "sig" | "att" | "sbom")
        && hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Applies a namespace's policies to its repositories: the namespace's to every normal
/// repository, each repository's own to it; creation-date rules before tag counts.
async fn prune_namespace(app: &App, namespace_id: i64) -> Result<u64> {
    let mut conn = app.db.reader().await?;
    let policies = db::policies::list_namespace_autoprune_policies(&mut conn, namespace_id).await?;
    let Some(namespace) = db::accounts::find_account_by_id(&mut conn, namespace_id).await? else {
        return Ok(0);
    };
    drop(conn);
    let mut namespace_rules = Vec::new();
    let mut repository_rules: BTreeMap<i64, Vec<Rule>> = BTreeMap::new();
    for row in policies {
        let repository_id = row.repository_id;
        let Some(rule) = Rule::of(Policy::from(row)) else {
            continue;
        };
        match repository_id {
            None => namespace_rules.push(rule),
            Some(id) => repository_rules.entry(id).or_default().push(rule),
        }
    }
    let mut pruned = 0;
    let mut after = 0;
    loop {
        let repositories = {
            let mut conn = app.db.reader().await?;
            db::policies::list_repositories_in_state(
                &mut conn,
                namespace_id,
                STATE_NORMAL,
                after,
                PAGE,
            )
            .await?
        };
        let Some(last) = repositories.last() else {
            return Ok(pruned);
        };
        after = last.id;
        for row in repositories {
            let own = repository_rules.remove(&row.id).unwrap_or_default();
            if namespace_rules.is_empty() && own.is_empty() {
                continue;
            }
            let repo = Repository::from_row(row, &namespace.username);
            let rules: Vec<&Rule> = namespace_rules.iter().chain(own.iter()).collect();
            pruned += prune_repository(app, &repo, &rules).await?;
        }
    }
}

/// The tags of `repo` the rules end, then ends them (each re-checked under the repository's
/// lock, so a tag moved or made immutable meanwhile stays).
async fn prune_repository(app: &App, repo: &Repository, rules: &[&Rule]) -> Result<u64> {
    let now = db::now_ms();
    let mut conn = app.db.reader().await?;
    let mut alive = db::policies::list_alive_tags_of_repository(&mut conn, repo.id, now).await?;
    drop(conn);
    alive.retain(|t| t.immutable == 0 && !is_cosign_tag(&t.name));
    let by_date = rules.iter().filter(|r| r.method == CREATION_DATE);
    let by_count = rules.iter().filter(|r| r.method == NUMBER_OF_TAGS);
    let mut doomed = Vec::new();
    for rule in by_date.chain(by_count) {
        let candidates: Vec<usize> = (0..alive.len())
            .filter(|&i| rule.selects(&alive[i].name))
            .collect();
        let ending: HashSet<usize> = if rule.method == CREATION_DATE {
            let span = rule
                .value
                .as_str()
                .and_then(parse_span_ms)
                .unwrap_or(i64::MAX);
            candidates
                .into_iter()
                .filter(|&i| now - alive[i].lifetime_start_ms > span)
                .collect()
        } else {
            let keep =
                usize::try_from(rule.value.as_i64().unwrap_or(i64::MAX)).unwrap_or(usize::MAX);
            candidates.into_iter().skip(keep).collect()
        };
        // Later rules see what earlier ones left.
        let mut index = 0;
        alive.retain(|tag| {
            let gone = ending.contains(&index);
            index += 1;
            if gone {
                doomed.push(tag.clone());
            }
            !gone
        });
    }
    if doomed.is_empty() {
        return Ok(0);
    }
    let mut tx = app.db.begin().await?;
    db::registry::lock_repository(&mut tx, app.db.backend(), repo.id).await?;
    let now = db::now_ms();
    let mut pruned = 0;
    let actor = Actor::anonymous(None);
    let scope = logs::Scope::repository(repo.namespace_id, repo.id);
    for tag in doomed {
        let current = db::tags::find_alive_tag(&mut tx, repo.id, &tag.name, now).await?;
        if !current.is_some_and(|c| c.id == tag.id && c.immutable == 0) {
            continue;
        }
        db::registry::end_alive_tag(&mut tx, repo.id, &tag.name, now).await?;
        let metadata = json!({
            "performer": "autoprune worker", "namespace": repo.namespace, "repo": repo.name,
            "tag": tag.name,
        });
        logs::record(&mut tx, &actor, "autoprune_tag_delete", scope, metadata).await?;
        pruned += 1;
    }
    db::commit(tx).await?;
    tracing::info!(repo.name = %repo.full_name(), tags = pruned, "tags pruned");
    Ok(pruned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_follow_quay() {
        assert_eq!(parse_span_ms("2d"), Some(2 * 86_400_000));
        assert_eq!(parse_span_ms("1w"), Some(7 * 86_400_000));
        assert_eq!(parse_span_ms("1y"), Some(365 * 86_400_000));
        assert_eq!(parse_span_ms("60s"), Some(60_000));
        for bad in ["2D", "d", "1.5d", "2dd", "", "0d", "-1d"] {
            assert_eq!(parse_span_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn cosign_tags_are_recognized() {
        let hex = "a".repeat(64);
        assert!(is_cosign_tag(&format!("sha256-{hex}.sig")));
        assert!(!is_cosign_tag(&format!("sha256-{hex}.tar")));
        assert!(!is_cosign_tag("v1.sig"));
    }
}
