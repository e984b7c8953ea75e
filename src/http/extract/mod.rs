//! Request extractors: who is calling, JSON bodies and query parameters in Quay's error shapes.

mod caller;
mod numeric_path;
mod quay_json;
mod query;
mod repository_path;

pub use caller::{authenticate, Caller, FreshCaller, Identity};
pub use numeric_path::NumericPath;
pub use quay_json::{fields, parse_body, QuayJson, QuayJsonValue};
pub use query::QueryParams;
pub use repository_path::{
    read_as_admin, resolution_error, resolve_repository, Admin, Read, RepositoryAccess,
    RepositoryPath, Write,
};
