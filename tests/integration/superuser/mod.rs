//! `/api/v1/superuser/*`, mirroring `src/http/superuser/`.

mod config;
mod keys;
mod logs;
mod organizations;
mod quotas;
mod registry_size;
mod roles;
mod users;
