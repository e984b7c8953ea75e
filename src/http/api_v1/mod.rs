//! Quay's `/api/v1` families other than the superuser panel.

pub mod user;

use axum::routing::get;
use axum::Router;

use crate::app::AppState;

/// Routes behind the `/api/v1` pipeline (authentication, CSRF, ...).
pub fn routes() -> Router<AppState> {
    Router::new().route("/user/", get(user::get_current_user))
}
