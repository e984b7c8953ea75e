//! `QuayJson<T>`: a JSON body checked the way Quay checks it (superuser-api.md §1.2): media
//! type (415), syntax (400 `{"message"}`), `null` (400 "Missing JSON body"), then the schema,
//! whose failure reports jsonschema's first line.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::http::error::ApiError;
use crate::http::server::is_body_timeout;
use crate::pyjson::python_repr;

pub struct QuayJson<T>(pub T);

const NOT_JSON: &str =
    "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.";
const UNDECODABLE: &str =
    "The browser (or proxy) sent a request that this server could not understand.";

/// A body that could not be read: 413 past the size limit, 408 when it stalled (both Werkzeug's
/// texts), else Quay's 400.
fn body_rejection(rejection: BytesRejection) -> ApiError {
    let (status, message) = match &rejection {
        BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "The data value transmitted exceeds the capacity limit.",
        ),
        stalled if is_body_timeout(stalled) => (
            StatusCode::REQUEST_TIMEOUT,
            "The server closed the network connection because the browser didn't finish the \
             request within the specified time.",
        ),
        _ => (StatusCode::BAD_REQUEST, UNDECODABLE),
    };
    ApiError::Message {
        status,
        message: message.into(),
    }
}

fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The body as JSON after Quay's media type, syntax and `null` checks.
async fn read_json<S: Send + Sync>(request: Request, state: &S) -> Result<Value, ApiError> {
    let json_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json_media_type);
    if !json_type {
        return Err(ApiError::Message {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            message: NOT_JSON.into(),
        });
    }
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(body_rejection)?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| ApiError::Message {
        status: StatusCode::BAD_REQUEST,
        message: UNDECODABLE.into(),
    })?;
    if value.is_null() {
        return Err(ApiError::invalid_request("Missing JSON body"));
    }
    Ok(value)
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for QuayJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        parse_body(read_json(request, state).await?).map(QuayJson)
    }
}

/// A JSON body of any type (the few schemas whose root is not an object), checked like
/// `QuayJson` up to the schema.
pub struct QuayJsonValue(pub Value);

impl<S: Send + Sync> FromRequest<S> for QuayJsonValue {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_json(request, state).await.map(QuayJsonValue)
    }
}

/// Applies the schema (the target type) to a decoded body.
pub fn parse_body<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    if value.is_null() {
        return Err(ApiError::invalid_request("Missing JSON body"));
    }
    if !value.is_object() {
        return Err(ApiError::invalid_request(format!(
            "{} is not of type 'object'",
            python_repr(&value)
        )));
    }
    T::deserialize(&value)
        .map_err(|err| ApiError::invalid_request(schema_message(&err.to_string(), &value)))
}

/// Turns serde's message into jsonschema's first line.
fn schema_message(serde_message: &str, body: &Value) -> String {
    if let Some(rest) = serde_message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return format!("'{field}' is a required property");
    }
    if let Some(field) = serde_message.strip_prefix("wrong type for field ") {
        // Produced by the field deserializers below: "wrong type for field <name>: <type>".
        if let Some((name, expected)) = field.split_once(": ") {
            let instance = body
                .get(name)
                .map(python_repr)
                .unwrap_or_else(|| "None".into());
            return format!("{instance} is not of type '{expected}'");
        }
    }
    serde_message.to_owned()
}

/// Field deserializers that report a schema type mismatch in a form `schema_message` reads.
pub mod fields {
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    fn typed<'de, D: Deserializer<'de>, T>(
        d: D,
        name: &'static str,
        expected: &'static str,
        pick: impl Fn(Value) -> Option<T>,
    ) -> Result<Option<T>, D::Error> {
        let value = Value::deserialize(d)?;
        pick(value).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("wrong type for field {name}: {expected}"))
        })
    }

    /// A present string (`null` is refused, as the schema's `type: string` does).
    pub fn string<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
    ) -> Result<Option<String>, D::Error> {
        typed(d, name, "string", |v| match v {
            Value::String(s) => Some(s),
            _ => None,
        })
    }

    pub fn integer<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
    ) -> Result<Option<i64>, D::Error> {
        typed(d, name, "integer", |v| v.as_i64())
    }

    /// An integer with a schema `minimum`, refused in jsonschema's words.
    pub fn integer_at_least<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
        minimum: i64,
    ) -> Result<Option<i64>, D::Error> {
        match integer(d, name)? {
            Some(value) if value < minimum => Err(serde::de::Error::custom(format!(
                "{value} is less than the minimum of {minimum}"
            ))),
            other => Ok(other),
        }
    }

    /// A string or `null` (schema `type: ["string", "null"]`): `Some(None)` for `null`. The
    /// expected type is spelled so that the message lists both types as jsonschema does.
    pub fn nullable_string<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
    ) -> Result<Option<Option<String>>, D::Error> {
        typed(d, name, "string', 'null", |v| match v {
            Value::String(s) => Some(Some(s)),
            Value::Null => Some(None),
            _ => None,
        })
    }

    /// An integer with a schema `minimum`, or `null`: `Some(None)` for `null`.
    pub fn nullable_integer_at_least<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
        minimum: i64,
    ) -> Result<Option<Option<i64>>, D::Error> {
        match typed(d, name, "integer', 'null", |v| match v {
            Value::Null => Some(None),
            other => other.as_i64().map(Some),
        })? {
            Some(Some(value)) if value < minimum => Err(serde::de::Error::custom(format!(
                "{value} is less than the minimum of {minimum}"
            ))),
            other => Ok(other),
        }
    }

    pub fn boolean<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
    ) -> Result<Option<bool>, D::Error> {
        typed(d, name, "boolean", |v| v.as_bool())
    }

    /// A string from a schema `enum`, refused in jsonschema's words.
    pub fn one_of<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
        allowed: &[&str],
    ) -> Result<Option<String>, D::Error> {
        match string(d, name)? {
            Some(value) if !allowed.contains(&value.as_str()) => {
                let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
                Err(serde::de::Error::custom(format!(
                    "{} is not one of [{}]",
                    crate::pyjson::python_repr(&Value::String(value)),
                    quoted.join(", ")
                )))
            }
            other => Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        username: String,
        #[serde(default, deserialize_with = "email")]
        email: Option<String>,
    }

    fn email<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        fields::string(d, "email")
    }

    #[derive(Debug, Deserialize)]
    struct Settings {
        #[serde(default, deserialize_with = "address")]
        address: Option<Option<String>>,
        #[serde(default, deserialize_with = "seconds")]
        #[allow(dead_code)]
        seconds: Option<i64>,
    }

    fn address<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
        fields::nullable_string(d, "address")
    }

    fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        fields::integer_at_least(d, "seconds", 0)
    }

    fn message_for<T: DeserializeOwned + std::fmt::Debug>(value: Value) -> String {
        match parse_body::<T>(value).unwrap_err() {
            ApiError::Problem { detail, .. } => detail,
            other => panic!("{other:?}"),
        }
    }

    fn message(value: Value) -> String {
        message_for::<Body>(value)
    }

    #[test]
    fn schema_messages_match_jsonschema() {
        assert_eq!(
            message(json!({"email": "x@example.com"})),
            "'username' is a required property"
        );
        assert_eq!(
            message(json!({"username": "u", "email": null})),
            "None is not of type 'string'"
        );
        assert_eq!(message(json!([])), "[] is not of type 'object'");
        assert_eq!(
            message_for::<Settings>(json!({"address": 5})),
            "5 is not of type 'string', 'null'"
        );
        assert_eq!(
            message_for::<Settings>(json!({"seconds": -1})),
            "-1 is less than the minimum of 0"
        );
        let cleared: Settings = parse_body(json!({"address": null})).unwrap();
        assert_eq!(cleared.address, Some(None));
        assert_eq!(message(Value::Null), "Missing JSON body");
        assert!(parse_body::<Body>(json!({"username": "u", "extra": 1})).is_ok());
    }

    #[test]
    fn media_types() {
        assert!(is_json_media_type("application/json; charset=utf-8"));
        assert!(is_json_media_type("application/merge-patch+json"));
        assert!(!is_json_media_type("application/x-www-form-urlencoded"));
    }
}
