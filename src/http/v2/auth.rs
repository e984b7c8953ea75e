//! `GET /v2/auth` (core-api.md §2.4): basic credentials in, a registry JWT out.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;

use super::{header_text, with_headers, RegistryQuery};
use crate::accounts::login::{authenticate_basic, Attempt, Login, LoginError};
use crate::app::AppState;
use crate::http::error::RegistryError;
use crate::repositories::access::{issue_registry_token, AuthError, TokenRequest};

#[derive(Serialize)]
struct TokenView {
    token: String,
}

/// GET /v2/auth?service=<host>&scope=repository:<name>:<actions>... — 200 `{"token"}`.
pub async fn get_token(
    State(app): State<AppState>,
    request: Request,
) -> Result<Response, RegistryError> {
    let query = RegistryQuery::from_uri(request.uri())?;
    let ip = crate::http::pipeline::client_ip(&request);
    let headers = request.headers();
    let attempt = Attempt {
        source: "v2auth",
        user_agent: header_text(headers, header::USER_AGENT).unwrap_or(""),
        ip: ip.clone(),
    };
    let login = login(&app, headers, &attempt).await?;
    let scopes = query.all("scope");
    let token = issue_registry_token(
        &app,
        TokenRequest {
            login: login.as_ref(),
            service: query.get("service").unwrap_or(&app.config.server_hostname),
            scopes: &scopes,
            user_agent: header_text(headers, header::USER_AGENT),
            ip,
        },
    )
    .await;
    let token = match token {
        Ok(token) => token,
        // Quay's plain abort body, not the `errors` list.
        Err(AuthError::AnonymousNotAllowed) => {
            let body = axum::Json(
                serde_json::json!({ "error": AuthError::AnonymousNotAllowed.to_string() }),
            );
            return Ok((StatusCode::UNAUTHORIZED, body).into_response());
        }
        Err(err) => return Err(err.into()),
    };
    let response = axum::Json(TokenView { token }).into_response();
    Ok(with_headers(
        response,
        &[
            (
                "Cache-Control",
                "no-cache, no-store, must-revalidate".into(),
            ),
            ("Pragma", "no-cache".into()),
        ],
    ))
}

/// The caller's basic credentials: None without an `Authorization` header, 401 with the
/// specific reason when they do not authenticate.
async fn login(
    app: &AppState,
    headers: &HeaderMap,
    attempt: &Attempt<'_>,
) -> Result<Option<Login>, RegistryError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let refused =
        |message: String| RegistryError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message);
    let (user, password) = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|encoded| STANDARD.decode(encoded.trim()).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|text| {
            text.split_once(':')
                .map(|(u, p)| (u.to_owned(), p.to_owned()))
        })
        .ok_or_else(|| refused(LoginError::InvalidCredentials.to_string()))?;
    match authenticate_basic(app, &user, &password, attempt).await {
        Ok(login) => Ok(Some(login)),
        Err(LoginError::Db(cause)) => Err(cause.into()),
        Err(LoginError::TooManyAttempts { retry_after_s }) => {
            Err(RegistryError::too_many_requests(
                LoginError::TooManyAttempts { retry_after_s }.to_string(),
                retry_after_s,
            ))
        }
        Err(err) => Err(refused(err.to_string())),
    }
}
