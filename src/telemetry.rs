//! The node's own measurements for `/metrics`: requests by route and status with their
//! latency, blob bytes received and sent, uploads in progress, job runs and requests to
//! upstream registries. One process-wide
//! set that any layer counts into; the HTTP layer adds what it reads at scrape time (quotas,
//! registry size, database pools) and encodes everything.

use std::sync::LazyLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: &'static str,
    /// The route's template (`/api/v1/superuser/users/{username}`), never the raw path, so
    /// the number of series stays bounded.
    pub route: String,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: &'static str,
    pub route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpstreamLabels {
    pub method: String,
    /// The upstream's status code, or `error` when it did not answer.
    pub status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    pub kind: String,
    /// `success` or `failure`.
    pub outcome: &'static str,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

pub struct Metrics {
    pub requests: Family<RequestLabels, Counter>,
    pub request_seconds: LatencyFamily,
    pub blob_bytes_received: Counter,
    pub blob_bytes_sent: Counter,
    pub uploads_in_progress: Gauge,
    pub job_runs: Family<JobLabels, Counter>,
    pub upstream_requests: Family<UpstreamLabels, Counter>,
    pub upstream_bytes: Counter,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| Metrics {
    requests: Family::default(),
    request_seconds: Family::new_with_constructor(latency_histogram),
    blob_bytes_received: Counter::default(),
    blob_bytes_sent: Counter::default(),
    uploads_in_progress: Gauge::default(),
    job_runs: Family::default(),
    upstream_requests: Family::default(),
    upstream_bytes: Counter::default(),
});

/// The node's measurements.
pub fn metrics() -> &'static Metrics {
    &METRICS
}

impl Metrics {
    /// Adds every measurement to `registry` (the handles share their values).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route and status",
            self.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its response head, by method and route",
            self.request_seconds.clone(),
        );
        registry.register(
            "blob_received_bytes",
            "Blob bytes received in uploads",
            self.blob_bytes_received.clone(),
        );
        registry.register(
            "blob_sent_bytes",
            "Blob bytes sent in downloads",
            self.blob_bytes_sent.clone(),
        );
        registry.register(
            "uploads_in_progress",
            "Upload request bodies being received now",
            self.uploads_in_progress.clone(),
        );
        registry.register(
            "job_runs",
            "Background job runs, by kind and outcome",
            self.job_runs.clone(),
        );
        registry.register(
            "upstream_requests",
            "Requests to proxy-cache upstream registries, by method and answer",
            self.upstream_requests.clone(),
        );
        registry.register(
            "upstream_received_bytes",
            "Manifest and blob bytes received from upstream registries",
            self.upstream_bytes.clone(),
        );
    }

    /// Marks an upload body as being received until the returned guard is dropped.
    pub fn upload_started(&'static self) -> UploadInProgress {
        self.uploads_in_progress.inc();
        UploadInProgress(self)
    }

    pub fn job_ran(&self, kind: &str, succeeded: bool) {
        let labels = JobLabels {
            kind: kind.to_owned(),
            outcome: if succeeded { "success" } else { "failure" },
        };
        self.job_runs.get_or_create(&labels).inc();
    }
}

/// An upload body being received; counted in `uploads_in_progress` while it lives.
pub struct UploadInProgress(&'static Metrics);

impl Drop for UploadInProgress {
    fn drop(&mut self) {
        self.0.uploads_in_progress.dec();
    }
}
