//! The only place that decides status codes and error bodies.
//! `ApiError` speaks Quay's `/api/v1` error formats; `RegistryError` the `/v2` `{"errors": [...]}`.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

use super::json::Restful;
use crate::pyjson::{jsonify_bytes, restful_bytes};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Quay's problem body (`detail`, `error_message`, `error_type`, `title`, `type`, `status`).
    #[error("{status} {error_type}: {detail}")]
    Problem {
        status: StatusCode,
        error_type: &'static str,
        detail: String,
        /// Quay's one payload field, which goes before the others (see `not_signed_in`).
        session_required: Option<bool>,
    },
    /// A data-model failure: 400 `{"message": ...}` as `jsonify` writes it.
    #[error("{0}")]
    DataModel(String),
    /// A framework failure (415, undecodable JSON): `{"message": ...}` as flask-restful writes it.
    #[error("{status}: {message}")]
    Message { status: StatusCode, message: String },
    /// A resource's own error tuple: `{"detail": ...}` as flask-restful writes it.
    #[error("{status}: {detail}")]
    Detail { status: StatusCode, detail: String },
    /// A query parameter that did not parse: 400 `{"message": {"<param>": "<help>"}}`.
    #[error("bad query parameter {param}")]
    QueryParam {
        param: &'static str,
        help: &'static str,
    },
    /// `abort()` bodies: `{"error": ...}` without a trailing newline, served as text/html.
    #[error("{status}: {error}")]
    Abort { status: StatusCode, error: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn invalid_request(detail: impl Into<String>) -> Self {
        ApiError::Problem {
            status: StatusCode::BAD_REQUEST,
            error_type: "invalid_request",
            detail: detail.into(),
            session_required: None,
        }
    }

    pub fn not_found() -> Self {
        ApiError::Problem {
            status: StatusCode::NOT_FOUND,
            error_type: "not_found",
            detail: "Not Found".into(),
            session_required: None,
        }
    }

    /// Anonymous callers need to authenticate (401); anyone else lacks the right (403).
    pub fn unauthorized(anonymous: bool) -> Self {
        if anonymous {
            ApiError::Problem {
                status: StatusCode::UNAUTHORIZED,
                error_type: "invalid_token",
                detail: "Requires authentication".into(),
                session_required: None,
            }
        } else {
            ApiError::Problem {
                status: StatusCode::FORBIDDEN,
                error_type: "insufficient_scope",
                detail: "Unauthorized".into(),
                session_required: None,
            }
        }
    }

    /// `GET /api/v1/user/` for a caller who may not read a user: Quay's 401 `invalid_token`
    /// "Requires authentication" with `"session_required": false` in front, which tells its
    /// web UI not to send the browser to the sign-in page.
    pub fn not_signed_in() -> Self {
        ApiError::Problem {
            status: StatusCode::UNAUTHORIZED,
            error_type: "invalid_token",
            detail: "Requires authentication".into(),
            session_required: Some(false),
        }
    }

    pub fn fresh_login_required() -> Self {
        ApiError::Problem {
            status: StatusCode::UNAUTHORIZED,
            error_type: "fresh_login_required",
            detail: "Requires fresh login".into(),
            session_required: None,
        }
    }

    pub fn abort(status: StatusCode, error: impl Into<String>) -> Self {
        ApiError::Abort {
            status,
            error: error.into(),
        }
    }
}

impl From<crate::db::Error> for ApiError {
    fn from(err: crate::db::Error) -> Self {
        ApiError::Internal(err.into())
    }
}

/// The problem fields; the `type` URL needs the request's Host, so `render` completes it.
#[derive(Clone)]
struct PendingProblem {
    error_type: &'static str,
    detail: String,
    session_required: Option<bool>,
}

/// Quay builds the body from the payload first, then the problem fields.
#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    session_required: Option<bool>,
    detail: &'a str,
    error_message: &'a str,
    error_type: &'a str,
    title: &'a str,
    #[serde(rename = "type")]
    type_url: String,
    status: u16,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Problem {
                status,
                error_type,
                detail,
                session_required,
            } => {
                let mut response = status.into_response();
                response.extensions_mut().insert(PendingProblem {
                    error_type,
                    detail,
                    session_required,
                });
                response
            }
            ApiError::DataModel(message) => {
                let mut response = (
                    StatusCode::BAD_REQUEST,
                    jsonify_bytes(&json!({ "message": message })),
                )
                    .into_response();
                set_json(&mut response);
                response
            }
            ApiError::Message { status, message } => {
                Restful(status, json!({ "message": message })).into_response()
            }
            ApiError::Detail { status, detail } => {
                Restful(status, json!({ "detail": detail })).into_response()
            }
            ApiError::QueryParam { param, help } => Restful(
                StatusCode::BAD_REQUEST,
                json!({ "message": { param: help } }),
            )
            .into_response(),
            ApiError::Abort { status, error } => {
                let mut body = restful_bytes(&json!({ "error": error }));
                body.pop(); // abort() bodies carry no trailing newline
                let mut response = (status, body).into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                response
            }
            ApiError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                let mut response = (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    restful_bytes(&json!({ "message": "Internal Server Error" })),
                )
                    .into_response();
                set_json(&mut response);
                response
            }
        }
    }
}

fn set_json(response: &mut Response) {
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
}

/// Middleware: writes the body of a problem response, whose `type` is
/// `<scheme>://<request Host>/api/v1/error/<error_type>`.
pub async fn render(scheme: &'static str, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let mut response = next.run(request).await;
    if let Some(problem) = response.extensions_mut().remove::<PendingProblem>() {
        let status = response.status();
        let body = restful_bytes(&ProblemBody {
            session_required: problem.session_required,
            detail: &problem.detail,
            error_message: &problem.detail,
            error_type: problem.error_type,
            title: problem.error_type,
            type_url: format!("{scheme}://{host}/api/v1/error/{}", problem.error_type),
            status: status.as_u16(),
        });
        let (mut parts, _) = response.into_parts();
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        parts.headers.remove(header::CONTENT_LENGTH);
        response = Response::from_parts(parts, body.into());
    }
    response
}

/// A `/v2` error: `{"errors": [{"code", "message", "detail"}]}`, plus the Bearer challenge on 401.
#[derive(Debug)]
pub struct RegistryError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Boxed: the error travels in `Result`s, which should stay small.
    pub detail: Box<serde_json::Value>,
    pub challenge: Option<String>,
    /// Seconds for `Retry-After` (429).
    pub retry_after: Option<i64>,
}

impl RegistryError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        RegistryError {
            status,
            code,
            message: message.into(),
            detail: Box::new(json!({})),
            challenge: None,
            retry_after: None,
        }
    }

    /// 429 TOOMANYREQUESTS with `Retry-After`.
    pub fn too_many_requests(message: impl Into<String>, retry_after_s: i64) -> Self {
        RegistryError {
            retry_after: Some(retry_after_s),
            ..RegistryError::new(StatusCode::TOO_MANY_REQUESTS, "TOOMANYREQUESTS", message)
        }
    }

    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = Box::new(detail);
        self
    }

    /// 401 UNAUTHORIZED with `WWW-Authenticate: <challenge>`.
    pub fn unauthorized(challenge: String) -> Self {
        RegistryError {
            challenge: Some(challenge),
            ..RegistryError::new(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "access to the requested resource is not authorized",
            )
        }
    }
}

impl From<anyhow::Error> for RegistryError {
    fn from(cause: anyhow::Error) -> Self {
        tracing::error!(error = ?cause, "internal error");
        RegistryError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNKNOWN",
            "internal server error",
        )
    }
}

impl From<crate::db::Error> for RegistryError {
    fn from(err: crate::db::Error) -> Self {
        anyhow::Error::from(err).into()
    }
}

impl IntoResponse for RegistryError {
    fn into_response(self) -> Response {
        let body = json!({ "errors": [{ "code": self.code, "message": self.message, "detail": self.detail }] });
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            "Docker-Distribution-API-Version",
            HeaderValue::from_static("registry/2.0"),
        );
        if let Some(challenge) = self.challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<crate::logs::export::ExportError> for ApiError {
    fn from(err: crate::logs::export::ExportError) -> Self {
        use crate::logs::export::ExportError as E;
        match err {
            E::Db(e) => ApiError::Internal(e.into()),
            other => ApiError::invalid_request(other.to_string()),
        }
    }
}

impl From<crate::accounts::Error> for ApiError {
    fn from(err: crate::accounts::Error) -> Self {
        use crate::accounts::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::CannotUpdateSuperuser
            | E::CannotDeleteSuperuser
            | E::SuperuserByConfig(_)
            | E::LastSuperuser => ApiError::invalid_request(err.to_string()),
            E::Db(e) => ApiError::Internal(e.into()),
            E::Internal(e) => ApiError::Internal(e),
            other => ApiError::DataModel(other.to_string()),
        }
    }
}

impl From<crate::namespaces::Error> for ApiError {
    fn from(err: crate::namespaces::Error) -> Self {
        use crate::namespaces::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::Unauthorized => ApiError::unauthorized(false),
            // Quay's `request_error`s; the other refusals are data-model errors.
            E::CannotTakeOwnershipOfSuperuser | E::EmailInUse | E::ReservedApplicationName => {
                ApiError::invalid_request(err.to_string())
            }
            // Returned by the resource itself, so flask-restful writes it.
            E::TokenLimitReached(_) => ApiError::Message {
                status: StatusCode::BAD_REQUEST,
                message: err.to_string(),
            },
            E::Access(e) => e.into(),
            E::Db(e) => ApiError::Internal(e.into()),
            E::Internal(e) => ApiError::Internal(e),
            other => ApiError::DataModel(other.to_string()),
        }
    }
}

impl From<crate::repositories::management::Error> for ApiError {
    fn from(err: crate::repositories::management::Error) -> Self {
        use crate::repositories::management::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::Unauthorized => ApiError::unauthorized(false),
            E::InvalidRequest(message) => ApiError::invalid_request(message),
            E::Db(e) => ApiError::Internal(e.into()),
            other => ApiError::DataModel(other.to_string()),
        }
    }
}

impl From<crate::repositories::NotNormal> for ApiError {
    fn from(err: crate::repositories::NotNormal) -> Self {
        ApiError::Message {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: err.to_string(),
        }
    }
}

impl From<crate::repositories::tags::Error> for ApiError {
    fn from(err: crate::repositories::tags::Error) -> Self {
        use crate::repositories::tags::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::NotNormal(e) => e.into(),
            E::Policy(e) => e.into(),
            E::Db(e) => ApiError::Internal(e.into()),
            other => ApiError::invalid_request(other.to_string()),
        }
    }
}

impl From<crate::repositories::tag_policies::Error> for ApiError {
    fn from(err: crate::repositories::tag_policies::Error) -> Self {
        use crate::repositories::tag_policies::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::Unauthorized => ApiError::unauthorized(false),
            E::Invalid(detail) => ApiError::invalid_request(detail),
            E::TagImmutable { .. } => ApiError::Problem {
                status: StatusCode::CONFLICT,
                error_type: "tag_immutable",
                detail: err.to_string(),
                session_required: None,
            },
            E::Conflict(message) => ApiError::DataModel(message),
            E::Grants(e) => e.into(),
            E::Db(e) => ApiError::Internal(e.into()),
        }
    }
}

impl From<crate::namespaces::federation::Error> for ApiError {
    fn from(err: crate::namespaces::federation::Error) -> Self {
        use crate::namespaces::federation::Error as E;
        match err {
            E::Invalid(detail) => ApiError::invalid_request(detail),
            E::UnknownRobot => ApiError::DataModel(err.to_string()),
            E::Robots(e) => e.into(),
            E::Db(e) => ApiError::Internal(e.into()),
        }
    }
}

impl From<crate::repositories::notifications::Error> for ApiError {
    fn from(err: crate::repositories::notifications::Error) -> Self {
        use crate::repositories::notifications::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::Invalid(detail) => ApiError::invalid_request(detail),
            E::Db(e) => ApiError::Internal(e.into()),
        }
    }
}

impl From<crate::repositories::labels::Error> for ApiError {
    fn from(err: crate::repositories::labels::Error) -> Self {
        use crate::repositories::labels::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::NotNormal(e) => e.into(),
            E::Db(e) => ApiError::Internal(e.into()),
            other => ApiError::DataModel(other.to_string()),
        }
    }
}

impl From<crate::namespaces::teams::Error> for ApiError {
    fn from(err: crate::namespaces::teams::Error) -> Self {
        use crate::namespaces::teams::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::Unauthorized => ApiError::unauthorized(false),
            // Quay's `request_error`s; the other refusals are data-model errors.
            E::UnknownUser | E::UnknownActivatingUser | E::MissingDelegate => {
                ApiError::invalid_request(err.to_string())
            }
            E::Db(e) => ApiError::Internal(e.into()),
            other => ApiError::DataModel(other.to_string()),
        }
    }
}

impl From<crate::namespaces::proxy_cache::Error> for ApiError {
    fn from(err: crate::namespaces::proxy_cache::Error) -> Self {
        use crate::namespaces::proxy_cache::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::Access(e) => e.into(),
            E::Db(e) => ApiError::Internal(e.into()),
            E::Exists | E::ImmutableTags | E::NotAllowed | E::FailedLogin => {
                ApiError::invalid_request(err.to_string())
            }
        }
    }
}

impl From<crate::replication::mirror::Error> for ApiError {
    fn from(err: crate::replication::mirror::Error) -> Self {
        use crate::replication::mirror::Error as E;
        let detail = err.to_string();
        match err {
            E::NotFound => ApiError::not_found(),
            E::Exists(_) => ApiError::Detail {
                status: StatusCode::CONFLICT,
                detail,
            },
            E::PasswordWithoutUsername | E::SparseIndexRequired | E::InvalidArchitectures(_) => {
                ApiError::Detail {
                    status: StatusCode::BAD_REQUEST,
                    detail,
                }
            }
            E::UnknownRobot | E::InvalidRobot => ApiError::DataModel(detail),
            E::NotAllowed | E::NoRepositoryPath | E::EmptyRule | E::BadPattern(_) => {
                ApiError::invalid_request(detail)
            }
            E::Db(e) => ApiError::Internal(e.into()),
        }
    }
}

impl From<crate::namespaces::robots::Error> for ApiError {
    fn from(err: crate::namespaces::robots::Error) -> Self {
        use crate::namespaces::robots::Error as E;
        match err {
            E::InvalidName { .. } | E::Exists(_) => ApiError::invalid_request(err.to_string()),
            E::NotFound(_) => ApiError::DataModel(err.to_string()),
            E::Owner(e) => e.into(),
            E::Db(e) => ApiError::Internal(e.into()),
            E::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<crate::repositories::grants::Error> for ApiError {
    fn from(err: crate::repositories::grants::Error) -> Self {
        use crate::repositories::grants::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::Unauthorized => ApiError::unauthorized(false),
            E::Db(e) => ApiError::Internal(e.into()),
            other => ApiError::invalid_request(other.to_string()),
        }
    }
}

impl From<crate::accounts::app_tokens::Error> for ApiError {
    fn from(err: crate::accounts::app_tokens::Error) -> Self {
        use crate::accounts::app_tokens::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::InvalidTitle => ApiError::invalid_request(err.to_string()),
            E::Db(e) => ApiError::Internal(e.into()),
        }
    }
}

impl From<crate::service_keys::admin::Error> for ApiError {
    fn from(err: crate::service_keys::admin::Error) -> Self {
        use crate::service_keys::admin::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            // Quay's `ServiceNameInvalid`, a data-model error.
            E::InvalidService(_) => ApiError::DataModel(err.to_string()),
            E::InvalidName(_)
            | E::InvalidExpiration(_)
            | E::CreatedExpired
            | E::ExtendedExpired => ApiError::invalid_request(err.to_string()),
            E::Db(e) => ApiError::Internal(e.into()),
            E::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<crate::quotas::Error> for ApiError {
    fn from(err: crate::quotas::Error) -> Self {
        use crate::quotas::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            // Quay's `jsonify` bodies; a threshold of 0 fails its schema instead.
            E::InvalidLimitType => ApiError::DataModel(err.to_string()),
            E::InvalidPercent(percent) if percent != 0 => ApiError::DataModel(err.to_string()),
            E::Db(e) => ApiError::Internal(e.into()),
            other => ApiError::invalid_request(other.to_string()),
        }
    }
}

impl From<crate::builds::Error> for ApiError {
    fn from(err: crate::builds::Error) -> Self {
        use crate::builds::Error as E;
        match err {
            E::NotFound | E::UnknownRobot => ApiError::not_found(),
            E::Unauthorized => ApiError::unauthorized(false),
            E::Namespace(e) => e.into(),
            E::Internal(e) => ApiError::Internal(e),
            // Quay's data-model exception on the status and log routes.
            E::UnknownBuild(_) => ApiError::DataModel(err.to_string()),
            E::Blob(crate::blobs::Error::TooLarge { .. }) => ApiError::Message {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                message: err.to_string(),
            },
            E::Blob(crate::blobs::Error::Body(_)) => ApiError::invalid_request(err.to_string()),
            E::Blob(other) => ApiError::Internal(anyhow::Error::from(other)),
            E::Db(e) => ApiError::Internal(e.into()),
            other => ApiError::invalid_request(other.to_string()),
        }
    }
}
