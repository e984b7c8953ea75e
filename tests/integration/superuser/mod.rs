//! `/api/v1/superuser/*`, mirroring `src/http/superuser/`.

mod keys;
mod logs;
mod organizations;
mod registry_size;
mod roles;
mod users;
