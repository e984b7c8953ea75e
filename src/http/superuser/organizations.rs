//! Superuser organization management (superuser-api.md §5.7, §6; docs §6.17.3).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::http::api_v1::quota::namespace_usage;
use crate::http::error::ApiError;
use crate::http::extract::{fields, FreshCaller, QuayJson, QueryParams};
use crate::http::json::{Jsonify, Restful};
use crate::http::superuser::users::page_limit;
use crate::http::views::SuperuserOrganizationView;
use crate::namespaces::organizations::OrganizationChanges;
use crate::namespaces::superuser;
use crate::paging::IdCursor;

#[derive(Debug, Serialize)]
pub struct OrganizationListView {
    organizations: Vec<SuperuserOrganizationView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page: Option<String>,
}

/// GET /api/v1/superuser/organizations/ (listAllOrganizations), with Berth's `name` filter.
pub async fn list_organizations(
    State(app): State<AppState>,
    caller: FreshCaller,
    query: QueryParams,
) -> Result<Restful<OrganizationListView>, ApiError> {
    let limit = page_limit(&query)?;
    caller.require_any_superuser(&app.config)?;
    let cursor = IdCursor::from_token(&app.secrets.page_tokens, query.string("next_page"));
    let start_id = cursor.start_id;
    let (orgs, next) =
        superuser::list_organizations(&app, query.string("name"), start_id, limit).await?;
    let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
    let usage = namespace_usage(&app, &ids).await?;
    Ok(Restful(
        StatusCode::OK,
        OrganizationListView {
            organizations: orgs
                .iter()
                .map(|o| SuperuserOrganizationView::new(o, &app.config, usage.get(&o.id)))
                .collect(),
            next_page: cursor.next_token(&app.secrets.page_tokens, next),
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct UpdateOrganizationBody {
    #[serde(default, deserialize_with = "name")]
    name: Option<String>,
    #[serde(default, deserialize_with = "email")]
    email: Option<String>,
    #[serde(default, deserialize_with = "invoice_email")]
    invoice_email: Option<bool>,
    #[serde(default, deserialize_with = "invoice_email_address")]
    invoice_email_address: Option<String>,
    #[serde(default, deserialize_with = "tag_expiration_s")]
    tag_expiration_s: Option<i64>,
}

fn name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "name")
}
fn email<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fields::string(d, "email")
}
fn invoice_email<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    fields::boolean(d, "invoice_email")
}
fn invoice_email_address<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    fields::string(d, "invoice_email_address")
}
fn tag_expiration_s<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    fields::integer(d, "tag_expiration_s")
}

/// PUT /api/v1/superuser/organizations/{name} (changeOrganization): rename, e-mail, invoicing
/// and time-machine window (Berth's decision 1); answers the updated organization.
pub async fn update_organization(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(org): Path<String>,
    QuayJson(body): QuayJson<UpdateOrganizationBody>,
) -> Result<Restful<SuperuserOrganizationView>, ApiError> {
    caller.require_superuser(&app.config)?;
    let changes = OrganizationChanges {
        name: body.name,
        email: body.email,
        invoice_email: body.invoice_email,
        invoice_email_address: body.invoice_email_address.map(Some),
        tag_expiration_s: body.tag_expiration_s,
    };
    let updated = superuser::update_organization(&app, &caller.actor(), &org, changes).await?;
    let usage = namespace_usage(&app, &[updated.id]).await?;
    Ok(Restful(
        StatusCode::OK,
        SuperuserOrganizationView::new(&updated, &app.config, usage.get(&updated.id)),
    ))
}

/// DELETE /api/v1/superuser/organizations/{name} (deleteOrganization)
pub async fn delete_organization(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(org): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_superuser(&app.config)?;
    superuser::delete_organization(&app, &caller.actor(), &org).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
pub struct TakeOwnershipView {
    namespace: String,
}

/// POST /api/v1/superuser/takeownership/{namespace} (takeOwnership); `jsonify` answer.
pub async fn take_ownership(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(namespace): Path<String>,
) -> Result<Jsonify<TakeOwnershipView>, ApiError> {
    let identity = caller.require_superuser(&app.config)?;
    superuser::take_ownership(&app, &caller.actor(), &identity.account, &namespace).await?;
    Ok(Jsonify(StatusCode::OK, TakeOwnershipView { namespace }))
}
