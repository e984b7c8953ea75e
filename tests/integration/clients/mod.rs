//! The real container clients against Berth's registry (core-api.md §2.12).

mod crane;
mod oras;
mod podman;
mod skopeo;
