//! Tags of a repository (core-api.md §3.4).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson, QueryParams, Read, RepositoryAccess, Write};
use crate::http::json::Restful;
use crate::http::views::rfc2822;
use crate::manifests::{DOCKER_MANIFEST_LIST, OCI_INDEX};
use crate::repositories::tag_policies::{self, immutability};
use crate::repositories::tags;

#[derive(Debug, Serialize)]
pub struct TagHistoryView {
    name: String,
    reversion: bool,
    /// With `FEATURE_IMMUTABLE_TAGS` only, as in Quay.
    #[serde(skip_serializing_if = "Option::is_none")]
    immutable: Option<bool>,
    start_ts: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_ts: Option<i64>,
    manifest_digest: String,
    is_manifest_list: bool,
    size: i64,
    last_modified: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TagListView {
    tags: Vec<TagHistoryView>,
    page: i64,
    has_additional: bool,
}

/// The `{tag}` of a tag path.
#[derive(Debug, Deserialize)]
pub struct TagPath {
    tag: String,
}

const LIMIT_HELP: &str = "Limit to the number of results to return per page. Max 100.";
const PAGE_HELP: &str = "Page index for the results. Default 1.";

/// GET /api/v1/repository/{repository}/tag/ (listRepoTags) [repo:read]
pub async fn list_tags(
    State(app): State<AppState>,
    RepositoryAccess { repo, .. }: RepositoryAccess<Read>,
    query: QueryParams,
) -> Result<Restful<TagListView>, ApiError> {
    let limit = query.int("limit", LIMIT_HELP)?.unwrap_or(50).clamp(1, 100);
    let page = query.int("page", PAGE_HELP)?.unwrap_or(1).max(1);
    let only_active = query.truthy("onlyActiveTags", false);
    let immutable_tags = app.config.features.immutable_tags;
    let history = tags::list_history(
        &app,
        &repo,
        query.string("specificTag"),
        only_active,
        page,
        limit,
    )
    .await?;
    Ok(Restful(
        StatusCode::OK,
        TagListView {
            tags: history
                .tags
                .into_iter()
                .map(|t| TagHistoryView {
                    is_manifest_list: [OCI_INDEX, DOCKER_MANIFEST_LIST]
                        .contains(&t.media_type.as_str()),
                    name: t.name,
                    reversion: t.reversion != 0,
                    immutable: immutable_tags.then_some(t.immutable != 0),
                    start_ts: t.lifetime_start_ms / 1000,
                    end_ts: t.lifetime_end_ms.map(|ms| ms / 1000),
                    manifest_digest: t.manifest_digest,
                    size: t.size,
                    last_modified: rfc2822(t.lifetime_start_ms),
                    expiration: t.lifetime_end_ms.map(rfc2822),
                })
                .collect(),
            page,
            has_additional: history.has_additional,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct ChangeTagBody {
    #[serde(default, deserialize_with = "manifest_digest")]
    manifest_digest: Option<String>,
    /// Absent: unchanged; `null`: no expiry; a number: epoch seconds.
    #[serde(default)]
    expiration: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "immutable")]
    immutable: Option<bool>,
}

fn immutable<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    fields::boolean(d, "immutable")
}

fn manifest_digest<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "manifest_digest")
}

/// PUT /api/v1/repository/{repository}/tag/{tag} (changeTag) [repo:write]. Quay answers 201,
/// having applied the expiration, then the immutability, then the move, each on its own.
pub async fn change_tag(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, role, .. }: RepositoryAccess<Write>,
    Path(TagPath { tag }): Path<TagPath>,
    QuayJson(body): QuayJson<ChangeTagBody>,
) -> Result<Restful<&'static str>, ApiError> {
    let actor = caller.actor();
    if let Some(expiration) = &body.expiration {
        let seconds = match expiration {
            serde_json::Value::Null => None,
            value => Some(value.as_f64().ok_or_else(|| {
                ApiError::invalid_request(format!(
                    "{} is not of type 'number', 'null'",
                    crate::pyjson::python_repr(value)
                ))
            })? as i64),
        };
        tags::set_expiration(&app, &actor, &repo, &tag, seconds).await?;
    }
    if let Some(immutable) = body.immutable {
        immutability::set_tag_immutability(&app, &actor, &repo, role, &tag, immutable)
            .await
            .map_err(|err| match err {
                tag_policies::Error::Unauthorized => caller.unauthorized(),
                other => other.into(),
            })?;
    }
    if let Some(digest) = &body.manifest_digest {
        tags::set_tag(&app, &actor, &repo, &tag, digest).await?;
    }
    Ok(Restful(StatusCode::CREATED, "Updated"))
}

/// DELETE /api/v1/repository/{repository}/tag/{tag} (deleteFullTag) [repo:write]
pub async fn delete_tag(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Write>,
    Path(TagPath { tag }): Path<TagPath>,
) -> Result<StatusCode, ApiError> {
    tags::delete_tag(&app, &caller.actor(), &repo, &tag).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct RestoreTagBody {
    #[serde(deserialize_with = "manifest_digest")]
    manifest_digest: Option<String>,
}

/// POST /api/v1/repository/{repository}/tag/{tag}/restore (restoreTag) [repo:write]
pub async fn restore_tag(
    State(app): State<AppState>,
    caller: Caller,
    RepositoryAccess { repo, .. }: RepositoryAccess<Write>,
    Path(TagPath { tag }): Path<TagPath>,
    QuayJson(body): QuayJson<RestoreTagBody>,
) -> Result<Restful<serde_json::Value>, ApiError> {
    let digest = body.manifest_digest.unwrap_or_default();
    tags::restore_tag(&app, &caller.actor(), &repo, &tag, &digest).await?;
    Ok(Restful(StatusCode::OK, json!({})))
}
