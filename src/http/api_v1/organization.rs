//! Organizations (core-api.md §3.2).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{fields, Caller, QuayJson};
use crate::http::json::Restful;
use crate::namespaces;

#[derive(Debug, Deserialize)]
pub struct CreateOrganizationBody {
    #[serde(deserialize_with = "name")]
    name: Option<String>,
    #[serde(default, deserialize_with = "email")]
    email: Option<String>,
}

fn name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "name")
}
fn email<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "email")
}

/// POST /api/v1/organization/ (createOrganization) [user:admin]. Quay answers 201 `"Created"`.
pub async fn create_organization(
    State(app): State<AppState>,
    caller: Caller,
    QuayJson(body): QuayJson<CreateOrganizationBody>,
) -> Result<Restful<&'static str>, ApiError> {
    let identity = match &caller.identity {
        Some(id) if id.account.is_plain_user() && id.scopes.contains_user_admin() => id,
        _ => return Err(caller.unauthorized()),
    };
    let name = body.name.unwrap_or_default();
    namespaces::create_organization(
        &app,
        &caller.actor(),
        &identity.account,
        &name,
        body.email.as_deref(),
    )
    .await?;
    Ok(Restful(StatusCode::CREATED, "Created"))
}
