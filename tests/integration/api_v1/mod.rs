//! `/api/v1` beyond the superuser panel, mirroring `src/http/api_v1/`.

mod oauth;
mod repositories;
mod tags;
