//! `GET /v2/_catalog` (core-api.md §2.6): the repositories the caller can see, by id.

use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{registry_url, with_headers, RegistryQuery, PAGE_SIZE};
use crate::app::AppState;
use crate::http::error::RegistryError;
use crate::paging::{self, PageToken};
use crate::repositories::{self, RegistryCaller};

#[derive(Serialize)]
struct CatalogView {
    repositories: Vec<String>,
}

/// GET /v2/_catalog?n=<n>&next_page=<token> — anonymous callers see nothing (no
/// `FEATURE_PUBLIC_CATALOG`); `last` is accepted for `next_page`.
pub async fn list_repositories(
    State(app): State<AppState>,
    caller: RegistryCaller,
    uri: Uri,
) -> Result<Response, RegistryError> {
    let query = RegistryQuery::from_uri(&uri)?;
    let limit = query.page_size(PAGE_SIZE, PAGE_SIZE).max(1);
    let start_id = query
        .get("next_page")
        .or_else(|| query.get("last"))
        .and_then(|text| paging::decode(&app.secrets.page_tokens, text))
        .and_then(|token| token.start_id())
        .unwrap_or(0);
    let (names, next) = match &caller.username {
        Some(username) => {
            repositories::list_visible_repositories(&app, username, start_id, limit).await?
        }
        None => (Vec::new(), None),
    };
    let response = axum::Json(CatalogView {
        repositories: names,
    })
    .into_response();
    let Some(next) = next else {
        return Ok(response);
    };
    let token = paging::encode(&app.secrets.page_tokens, &PageToken::for_id(next, 0));
    let link = format!(
        r#"<{}>; rel="next""#,
        registry_url(
            &app.config,
            &format!("_catalog?n={limit}&next_page={token}")
        )
    );
    Ok(with_headers(response, &[("Link", link)]))
}
