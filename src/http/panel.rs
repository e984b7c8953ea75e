//! The superuser web panel: one page (sign-in at `/`, the panel at `/superuser`) and its
//! script and style, embedded in the binary so that `berth serve` needs nothing beside it.
//! The page calls only the public `/api/v1` endpoints, with Quay's session and CSRF rules.
//! Its sources are `web/panel/`: plain ES modules and CSS, which need no build step.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::app::AppState;

const PAGE: &str = include_str!("../../web/panel/index.html");
const SCRIPT: &str = include_str!("../../web/panel/app.js");
const STYLE: &str = include_str!("../../web/panel/style.css");

/// Everything the page loads comes from Berth itself; it is never framed.
const POLICY: &str = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
}

async fn page() -> impl IntoResponse {
    asset("text/html; charset=utf-8", PAGE)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(page))
        .route("/superuser", get(page))
        .route("/superuser/", get(page))
        .route(
            "/static/panel/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/static/panel/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
}
