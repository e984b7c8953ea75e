//! `GET /v2/<name>/tags/list` (core-api.md §2.7): alive, visible tags by name.

use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{authorize, registry_url, with_headers, Need, RegistryQuery, RepoRequest, PAGE_SIZE};
use crate::http::error::RegistryError;
use crate::manifests;

#[derive(Serialize)]
struct TagListView {
    name: String,
    tags: Vec<String>,
}

/// GET /v2/<name>/tags/list?n=<n>&last=<tag> — a `Link` to the next page when more follow.
pub async fn list_tags(
    request: RepoRequest<'_>,
    query: &RegistryQuery,
) -> Result<Response, RegistryError> {
    let RepoRequest { app, caller, name } = request;
    let repo = authorize(app, caller, name, Need::Pull).await?;
    let limit = query.page_size(PAGE_SIZE, PAGE_SIZE);
    let (tags, more) =
        manifests::list_tags(app, &repo, query.get("last").unwrap_or(""), limit).await?;
    let link = match tags.last() {
        Some(last) if more => {
            let next = registry_url(
                &app.config,
                &format!("{}/tags/list?n={limit}&last={last}", repo.full_name()),
            );
            vec![("Link", format!(r#"<{next}>; rel="next""#))]
        }
        _ => Vec::new(),
    };
    let response = axum::Json(TagListView {
        name: repo.full_name(),
        tags,
    })
    .into_response();
    Ok(with_headers(response, &link))
}
