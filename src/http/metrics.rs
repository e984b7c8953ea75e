//! `GET /metrics` in the OpenMetrics text format for any superuser's credential (a scraper
//! sends a superuser's OAuth token): the node's own measurements (`telemetry`: requests,
//! latency, blob bytes, uploads in progress, job runs), its database pools, and the
//! registry-wide gauges (used, quota and available bytes per namespace, stored bytes now and
//! at the last size calculation). `record` is the middleware that counts every request.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::Caller;
use crate::telemetry::{self, RequestLabels, RouteLabels};
use crate::{quotas, registry_size};

/// The route a response answered, for handlers that serve several under one catch-all route
/// (`/v2`); others are named by their matched route.
#[derive(Debug, Clone, Copy)]
pub struct RouteLabel(pub &'static str);

/// Counts the request and its time to the response head under its route's template.
pub async fn record(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = match *request.method() {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let response = next.run(request).await;
    let route = match (response.extensions().get::<RouteLabel>(), matched) {
        (Some(label), _) => label.0.to_owned(),
        (None, Some(matched)) => matched,
        (None, None) => "unmatched".to_owned(),
    };
    let metrics = telemetry::metrics();
    metrics
        .request_seconds
        .get_or_create(&RouteLabels {
            method,
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NamespaceLabel {
    namespace: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabel {
    pool: &'static str,
}

pub async fn metrics(State(app): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require_any_superuser(&app.config)?;
    let used = Family::<NamespaceLabel, Gauge>::default();
    let quota = Family::<NamespaceLabel, Gauge>::default();
    let available = Family::<NamespaceLabel, Gauge>::default();
    for usage in quotas::usage_report(&app).await? {
        let label = NamespaceLabel {
            namespace: usage.namespace,
        };
        used.get_or_create(&label).set(usage.used_bytes);
        if let Some(limit) = usage.quota_bytes {
            quota.get_or_create(&label).set(limit);
            available
                .get_or_create(&label)
                .set((limit - usage.used_bytes).max(0));
        }
    }
    let registry_size = Gauge::<i64>::default();
    if let Some(status) = registry_size::status(&app).await? {
        registry_size.set(status.size_bytes);
    }
    let stored = Gauge::<i64>::default();
    stored.set(registry_size::stored_bytes(&app).await?);

    let pool_connections = Family::<PoolLabels, Gauge>::default();
    let pool_max = Family::<PoolLabel, Gauge>::default();
    for pool in app.db.pool_stats() {
        let idle = i64::from(pool.idle);
        for (state, count) in [("idle", idle), ("in_use", i64::from(pool.open) - idle)] {
            pool_connections
                .get_or_create(&PoolLabels {
                    pool: pool.name,
                    state,
                })
                .set(count);
        }
        pool_max
            .get_or_create(&PoolLabel { pool: pool.name })
            .set(i64::from(pool.max));
    }

    let mut registry = Registry::with_prefix("berth");
    telemetry::metrics().register(&mut registry);
    registry.register(
        "db_pool_connections",
        "Open database connections of this node, idle or in use, by pool",
        pool_connections,
    );
    registry.register(
        "db_pool_max_connections",
        "The most connections a pool of this node opens",
        pool_max,
    );
    registry.register(
        "namespace_used_bytes",
        "Bytes of the blobs a namespace's manifests use, each counted once",
        used,
    );
    registry.register(
        "namespace_quota_bytes",
        "A namespace's quota (its own or DEFAULT_SYSTEM_REJECT_QUOTA_BYTES)",
        quota,
    );
    registry.register(
        "namespace_available_bytes",
        "Bytes a namespace may still use under its quota",
        available,
    );
    registry.register(
        "registry_size_bytes",
        "Stored blob bytes at the last registry size calculation",
        registry_size,
    );
    registry.register(
        "registry_stored_bytes",
        "Stored blob bytes now, each blob counted once",
        stored,
    );
    let mut text = String::new();
    encode(&mut text, &registry).map_err(|e| ApiError::Internal(e.into()))?;
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response())
}
