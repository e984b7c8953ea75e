//! Path parameters with numeric ids (quota and limit ids). Quay's `<int:...>` routes never
//! match another value, so one that does not parse is its 404, not a framework 400.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::http::error::ApiError;

pub struct NumericPath<T>(pub T);

impl<S, T> FromRequestParts<S> for NumericPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(NumericPath(value)),
            Err(_) => Err(ApiError::not_found()),
        }
    }
}
