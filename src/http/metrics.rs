//! `GET /metrics`: gauges in the Prometheus text format for any superuser's credential (a
//! scraper sends a superuser's OAuth token): used, quota and available bytes per namespace,
//! the registry's stored bytes now and at its last size calculation.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::Caller;
use crate::{quotas, registry_size};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NamespaceLabel {
    namespace: String,
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

    let mut registry = Registry::with_prefix("berth");
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
