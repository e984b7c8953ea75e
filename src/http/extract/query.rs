//! Query parameters parsed as flask-restful's reqparse does: a value that does not parse gets
//! 400 `{"message": {"<param>": "<help text>"}}`.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;

use crate::http::error::ApiError;

pub struct QueryParams(HashMap<String, String>);

impl QueryParams {
    pub fn string(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn int(&self, name: &'static str, help: &'static str) -> Result<Option<i64>, ApiError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(text) => text
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ApiError::QueryParam { param: name, help }),
        }
    }

    /// Quay's truthy booleans: only `false`, `False`, `FALSE`, `0`, `""` and `null` are false.
    pub fn truthy(&self, name: &str, default: bool) -> bool {
        match self.0.get(name).map(String::as_str) {
            None => default,
            Some("false" | "False" | "FALSE" | "0" | "" | "null") => false,
            Some(_) => true,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(map) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::Message {
                status: axum::http::StatusCode::BAD_REQUEST,
                message:
                    "The browser (or proxy) sent a request that this server could not understand."
                        .into(),
            })?;
        Ok(QueryParams(map))
    }
}
