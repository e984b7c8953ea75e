//! `/api/v1/superuser/*`, mirroring `src/http/superuser/`.

mod users;
