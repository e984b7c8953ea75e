//! Quay's `/api/v1` families other than the superuser panel.

pub mod applications;
pub mod logs;
pub mod manifest;
pub mod organization;
pub mod repository;
pub mod tag;
pub mod user;

use axum::routing::{any, delete, get, post};
use axum::Router;

use crate::app::AppState;
use crate::http::session;

/// Routes behind the `/api/v1` pipeline (authentication, CSRF, ...).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/user/", get(user::get_current_user))
        .route("/signin", post(session::signin))
        .route("/signout", post(session::signout))
        .route("/organization/", post(organization::create_organization))
        .route(
            "/organization/{orgname}/logs",
            get(logs::list_organization_logs),
        )
        .route(
            "/organization/{orgname}/aggregatelogs",
            get(logs::aggregate_organization_logs),
        )
        .route(
            "/organization/{orgname}/exportlogs",
            post(logs::export_organization_logs),
        )
        .route(
            "/repository",
            post(repository::create_repository).get(repository::list_repositories),
        )
        .route("/repository/{*path}", any(repository::dispatch))
        .route("/user/starred", post(repository::star_repository))
        .route(
            "/user/starred/{*repository}",
            delete(repository::unstar_repository),
        )
        .route("/user/logs", get(logs::list_user_logs))
        .route("/user/exportlogs", post(logs::export_user_logs))
        .route("/user/aggregatelogs", get(logs::aggregate_user_logs))
        .route(
            "/organization/{orgname}/applications",
            post(applications::create_application),
        )
        .route(
            "/organization/{orgname}/applications/{client_id}/tokens",
            post(applications::create_token),
        )
}
