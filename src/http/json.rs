//! Quay's two JSON response styles (`crate::pyjson` writes the bytes): flask-restful bodies
//! and Flask's `jsonify` bodies, both served as `application/json`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::pyjson::{jsonify_bytes, restful_bytes};

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A flask-restful response body.
pub struct Restful<T>(pub StatusCode, pub T);

impl<T: Serialize> IntoResponse for Restful<T> {
    fn into_response(self) -> Response {
        json_response(self.0, restful_bytes(&self.1))
    }
}

/// A `jsonify` response body.
pub struct Jsonify<T>(pub StatusCode, pub T);

impl<T: Serialize> IntoResponse for Jsonify<T> {
    fn into_response(self) -> Response {
        json_response(self.0, jsonify_bytes(&self.1))
    }
}
