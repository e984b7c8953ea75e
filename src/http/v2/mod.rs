//! The OCI / Docker v2 registry protocol (core-api.md §2).

use axum::routing::get;
use axum::Router;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v2/", get(|| async { "true" }))
}
