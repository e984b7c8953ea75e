//! `/api/v1/superuser/*` (superuser-api.md, docs §6.17). Every path answers with and without
//! its trailing slash (Berth's decision 3), so `curl` without `-L` works.

mod logs;
mod organizations;
pub(crate) mod users;

use axum::routing::{get, post, MethodRouter};
use axum::Router;

use crate::app::AppState;

/// Registers `path` and its twin with (or without) a trailing slash.
fn both(router: Router<AppState>, path: &str, methods: MethodRouter<AppState>) -> Router<AppState> {
    let twin = match path.strip_suffix('/') {
        Some(bare) => bare.to_owned(),
        None => format!("{path}/"),
    };
    router.route(path, methods.clone()).route(&twin, methods)
}

pub fn routes() -> Router<AppState> {
    let router = Router::new();
    let router = both(
        router,
        "/users/",
        get(users::list_users).post(users::create_user),
    );
    let router = both(
        router,
        "/users/{username}",
        get(users::get_user)
            .put(users::update_user)
            .delete(users::delete_user),
    );
    let router = both(
        router,
        "/organizations/",
        get(organizations::list_organizations),
    );
    let router = both(
        router,
        "/organizations/{name}",
        axum::routing::put(organizations::update_organization)
            .delete(organizations::delete_organization),
    );
    let router = both(
        router,
        "/takeownership/{namespace}",
        post(organizations::take_ownership),
    );
    let router = both(router, "/logs", get(logs::list_all_logs));
    both(router, "/aggregatelogs", get(logs::aggregate_all_logs))
}
