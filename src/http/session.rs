//! Browser sessions (core-api.md §1.5): `GET /csrf_token`, `POST /api/v1/signin`,
//! `POST /api/v1/signout`.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::accounts::login::{self, LoginError};
use crate::accounts::sessions::{self, Session};
use crate::app::AppState;
use crate::db;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson};
use crate::http::json::{Jsonify, Restful};
use crate::http::pipeline::request_session;

fn with_session(app: &AppState, mut response: Response, session: &Session) -> Response {
    let cookie = sessions::set_cookie(&app.secrets.secret_key, session);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// GET /csrf_token: the session's CSRF token, starting a session when there is none.
pub async fn csrf_token(State(app): State<AppState>, request: Request) -> Response {
    let session =
        request_session(&app, &request).unwrap_or_else(|| Session::anonymous(db::now_ms()));
    let body = Jsonify(StatusCode::OK, json!({ "csrf_token": session.csrf_token }));
    with_session(&app, body.into_response(), &session)
}

#[derive(Debug, Deserialize)]
pub struct SigninBody {
    #[serde(deserialize_with = "username")]
    username: Option<String>,
    #[serde(deserialize_with = "password")]
    password: Option<String>,
}

fn username<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "username")
}
fn password<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "password")
}

#[derive(Serialize)]
struct SigninFailure {
    #[serde(rename = "needsEmailVerification")]
    needs_email_verification: bool,
    #[serde(rename = "invalidCredentials")]
    invalid_credentials: bool,
    message: String,
}

/// POST /api/v1/signin: a new signed-in session and a new CSRF token (`X-Next-CSRF-Token`).
pub async fn signin(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    QuayJson(body): QuayJson<SigninBody>,
) -> Result<Response, ApiError> {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let username = body.username.unwrap_or_default();
    let password = body.password.unwrap_or_default();
    match login::sign_in(&app, &caller.actor(), &username, &password, user_agent).await {
        Ok(account) => {
            let session = Session::signed_in(&account.uuid, db::now_ms());
            let mut response = Restful(StatusCode::OK, json!({ "success": true })).into_response();
            if let Ok(value) = HeaderValue::from_str(&session.csrf_token) {
                response.headers_mut().insert("X-Next-CSRF-Token", value);
            }
            Ok(with_session(&app, response, &session))
        }
        Err(LoginError::Db(e)) => Err(ApiError::Internal(e.into())),
        // Quay's handler answers the back-off in plain text.
        Err(err @ LoginError::TooManyAttempts { retry_after_s }) => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, retry_after_s.to_string())],
            err.to_string(),
        )
            .into_response()),
        Err(err) => {
            let failure = SigninFailure {
                needs_email_verification: false,
                invalid_credentials: true,
                message: err.to_string(),
            };
            Ok(Restful(StatusCode::FORBIDDEN, failure).into_response())
        }
    }
}

/// POST /api/v1/signout: ends every session of the user.
pub async fn signout(State(app): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    if let Some(identity) = &caller.identity {
        login::sign_out(&app, &caller.actor(), &identity.account)
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
    }
    let session = Session::anonymous(db::now_ms());
    Ok(with_session(
        &app,
        Restful(StatusCode::OK, json!({ "success": true })).into_response(),
        &session,
    ))
}
