//! `/api/v1/superuser/*`, mirroring `src/http/superuser/`.

mod logs;
mod organizations;
mod roles;
mod users;
