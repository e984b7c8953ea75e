//! `/api/v1` beyond the superuser panel, mirroring `src/http/api_v1/`.

mod app_tokens;
mod applications;
mod build_runs;
mod builds;
mod discovery;
mod entities;
mod federation;
mod log_exports;
mod messages;
mod notifications;
mod oauth;
mod organizations;
mod permissions;
mod policies;
mod proxy_cache;
mod repositories;
mod robots;
mod tags;
mod teams;
mod user;
