//! Berth's integration suite: every test runs the real `berth` binary over HTTP, once on SQLite
//! and once on PostgreSQL (see `harness`), and the container CLIs (podman, skopeo, umoci)
//! against it.

mod harness;

mod api_v1;
mod authorization;
mod bad_input;
mod cli;
mod clients;
mod cluster;
mod connections;
mod crash;
mod damaged_storage;
mod health;
mod jobs;
mod journey;
mod keyserver;
mod metrics;
mod mirroring;
mod panel;
mod proxy_pulls;
mod roles;
mod shutdown;
mod superuser;
mod switches;
mod throttling;
mod user_events;
mod v2;
