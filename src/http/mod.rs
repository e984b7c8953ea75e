//! HTTP: the router, its middleware stack and one module per URL family.

pub mod api_v1;
pub mod endpoints;
pub mod error;
pub mod exported_logs;
pub mod extract;
pub mod health;
pub mod json;
mod keyserver;
pub mod metrics;
pub mod oauth;
mod panel;
pub mod pipeline;
mod realtime;
pub mod server;
pub mod session;
pub mod superuser;
mod userfiles;
pub mod v2;
pub mod views;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use tower::util::MapRequest;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use error::ApiError;

/// The whole service: repository names made routable, then the router.
pub fn service(app: AppState) -> MapRequest<Router, impl FnMut(Request) -> Request + Clone> {
    let table = endpoints::table(&app.config);
    let names = endpoints::RepositoryNames::new(&table);
    router(app, table).map_request(move |request: Request<Body>| names.rewrite(request))
}

fn router(app: AppState, table: Vec<endpoints::Endpoint>) -> Router {
    let scheme: &'static str = if app.config.preferred_url_scheme == "https" {
        "https"
    } else {
        "http"
    };
    let api = endpoints::router(table)
        .fallback(|| async { ApiError::not_found() })
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            pipeline::api_v1,
        ));

    Router::new()
        // The web blueprint serves initialize: no CSRF, no API pipeline.
        .route("/api/v1/user/initialize", post(api_v1::user::initialize))
        .route("/csrf_token", get(session::csrf_token))
        .route("/oauth/authorize", get(oauth::authorize))
        .route("/oauth/authorizeapp", post(oauth::authorize_app))
        .route("/oauth/denyapp", post(oauth::deny_app))
        .route("/oauth/localapp", get(oauth::local_app))
        .route("/oauth/access_token", post(oauth::access_token))
        .route(
            "/oauth2/federation/robot/token",
            get(oauth::federated_robot_token),
        )
        .route("/oauth/authorize/assignuser", post(oauth::assign_user))
        .route(
            "/exportedlogs/{export_id}",
            get(exported_logs::download_export),
        )
        .nest("/api/v1", api)
        .merge(v2::routes())
        .merge(panel::routes())
        .merge(keyserver::routes())
        .route("/health", get(health::instance))
        .route("/health/instance", get(health::instance))
        .route("/health/endtoend", get(health::endtoend))
        .route("/_internal_ping", get(|| async { "true" }))
        .route("/realtime/user/subscribe", get(realtime::subscribe))
        .route("/realtime/user/test", get(realtime::publish_test))
        .route(
            "/userfiles/{file_id}",
            get(userfiles::get_user_file).put(userfiles::put_user_file),
        )
        // Authenticated as `/api/v1` is: a scraper sends a superuser's OAuth token.
        .route(
            "/metrics",
            get(metrics::metrics).route_layer(middleware::from_fn_with_state(
                app.clone(),
                pipeline::api_v1,
            )),
        )
        .layer(middleware::from_fn(move |req, next| {
            error::render(scheme, req, next)
        }))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(metrics::record))
        .layer(TraceLayer::new_for_http())
        .with_state(app)
}
