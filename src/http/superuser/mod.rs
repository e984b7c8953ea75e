//! `/api/v1/superuser/*` (superuser-api.md, docs §6.17). Routes are in the table of
//! `http::endpoints`; every path answers with and without its trailing slash (Berth's
//! decision 3), so `curl` without `-L` works.

pub mod builds;
pub mod config;
pub mod keys;
pub mod logs;
pub mod organizations;
pub mod quotas;
pub mod registry_size;
pub mod users;
