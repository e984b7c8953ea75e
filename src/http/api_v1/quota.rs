//! Namespace quotas outside the superuser panel (superuser-api.md §10): an organization's
//! quota and its limits (read by members, changed by full-access superusers), and the caller's
//! own quota.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

use crate::accounts::{superuser_override, Account};
use crate::app::{App, AppState};
use crate::http::api_v1::app_token::require_user_admin;
use crate::http::error::ApiError;
use crate::http::extract::{Caller, NumericPath, QuayJson};
use crate::http::json::Restful;
use crate::http::views::{quota_list, QuotaLimitView, QuotaView};
use crate::namespaces::teams;
use crate::pyjson::python_repr;
use crate::quotas::{self, Route, Usage};

/// Sizes and quotas of `namespace_ids` for user and organization views; nothing is read
/// while those views show no quota fields.
pub async fn namespace_usage(
    app: &App,
    namespace_ids: &[i64],
) -> Result<HashMap<i64, Usage>, ApiError> {
    if !app.config.features.quota_views() {
        return Ok(HashMap::new());
    }
    Ok(quotas::usage_of(app, namespace_ids).await?)
}

/// The size a quota body gives: `{"limit_bytes": int}` or `{"limit": "<number> <unit>"}`
/// (Quay's `oneOf`); with `required` false, `{}` too (None).
pub fn quota_size(
    body: &Value,
    route: &Route<'_>,
    required: bool,
) -> Result<Option<i64>, ApiError> {
    let Some(fields) = body.as_object() else {
        return Err(ApiError::invalid_request(format!(
            "{} is not of type 'object'",
            python_repr(body)
        )));
    };
    if let Some(extra) = fields
        .keys()
        .find(|k| !matches!(k.as_str(), "limit_bytes" | "limit"))
    {
        return Err(ApiError::invalid_request(format!(
            "Additional properties are not allowed ('{extra}' was unexpected)"
        )));
    }
    match (fields.get("limit_bytes"), fields.get("limit")) {
        (Some(_), Some(_)) => Err(ApiError::invalid_request(
            "Give either limit_bytes or limit, not both",
        )),
        (Some(bytes), None) => match bytes.as_i64() {
            Some(bytes) => Ok(Some(bytes)),
            None => Err(ApiError::invalid_request(format!(
                "{} is not of type 'integer'",
                python_repr(bytes)
            ))),
        },
        (None, Some(Value::String(text))) => Ok(Some(quotas::parse_limit(text, route)?)),
        (None, Some(other)) => Err(ApiError::invalid_request(format!(
            "{} is not of type 'string'",
            python_repr(other)
        ))),
        (None, None) if required => Err(ApiError::invalid_request(
            "'limit_bytes' is a required property",
        )),
        (None, None) => Ok(None),
    }
}

/// The namespace whose quota a member reads: `org` must be an organization where the caller
/// is in a team, unless it is a full-access or read-only superuser (who may also name a user
/// namespace where `any_namespace`).
async fn readable_namespace(
    app: &App,
    caller: &Caller,
    name: &str,
    any_namespace: bool,
) -> Result<Account, ApiError> {
    let principal = caller.principal()?;
    let access = teams::org_access(app, &principal, name).await?;
    if access.role().is_none() && !access.oversees() {
        return Err(ApiError::unauthorized(false));
    }
    match access.organization() {
        Some(org) => Ok(org.clone()),
        None if any_namespace => Ok(quotas::namespace(app, name).await?),
        None => Err(ApiError::not_found()),
    }
}

/// The namespace a full-access superuser changes the quota of.
async fn managed_namespace(app: &App, caller: &Caller, name: &str) -> Result<Account, ApiError> {
    let principal = caller.principal()?;
    if !superuser_override(&app.config, principal.account, principal.scopes) {
        return Err(ApiError::unauthorized(false));
    }
    Ok(quotas::namespace(app, name).await?)
}

/// GET /api/v1/organization/{orgname}/quota (listOrganizationQuota): the quota, or the system
/// default standing in for a missing one.
pub async fn list_organization_quota(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
) -> Result<Restful<Vec<QuotaView>>, ApiError> {
    let org = readable_namespace(&app, &caller, &org, false).await?;
    let views = match quotas::quota_of(&app, &org).await? {
        Some(quota) => vec![QuotaView::new(&quota, &app.config)],
        None => QuotaView::system_default(&app.config).into_iter().collect(),
    };
    Ok(Restful(StatusCode::OK, views))
}

/// POST /api/v1/organization/{orgname}/quota (createOrganizationQuota) [super:user].
pub async fn create_organization_quota(
    State(app): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    QuayJson(body): QuayJson<Value>,
) -> Result<Restful<&'static str>, ApiError> {
    let actor = caller.actor();
    let route = Route::Organization(&actor);
    let size = quota_size(&body, &route, true)?.unwrap_or_default();
    let principal = caller.principal()?;
    if !superuser_override(&app.config, principal.account, principal.scopes) {
        return Err(ApiError::unauthorized(false));
    }
    let org = quotas::namespace(&app, &org)
        .await
        .ok()
        .filter(|a| a.organization)
        .ok_or_else(ApiError::not_found)?;
    quotas::create_quota(&app, &route, &org, size).await?;
    Ok(Restful(StatusCode::CREATED, "Created"))
}

/// GET /api/v1/organization/{orgname}/quota/{quota_id} (getOrganizationQuota).
pub async fn get_organization_quota(
    State(app): State<AppState>,
    caller: Caller,
    NumericPath((org, quota_id)): NumericPath<(String, i64)>,
) -> Result<Restful<QuotaView>, ApiError> {
    let namespace = readable_namespace(&app, &caller, &org, true).await?;
    let quota = quotas::get_quota(&app, &namespace, quota_id).await?;
    Ok(Restful(StatusCode::OK, QuotaView::new(&quota, &app.config)))
}

/// PUT /api/v1/organization/{orgname}/quota/{quota_id} (changeOrganizationQuota) [super:user].
pub async fn change_organization_quota(
    State(app): State<AppState>,
    caller: Caller,
    NumericPath((org, quota_id)): NumericPath<(String, i64)>,
    QuayJson(body): QuayJson<Value>,
) -> Result<Restful<QuotaView>, ApiError> {
    let namespace = managed_namespace(&app, &caller, &org).await?;
    let actor = caller.actor();
    let route = Route::Organization(&actor);
    let size = quota_size(&body, &route, false)?;
    let quota = quotas::change_quota(&app, &route, &namespace, quota_id, size).await?;
    Ok(Restful(StatusCode::OK, QuotaView::new(&quota, &app.config)))
}

/// DELETE /api/v1/organization/{orgname}/quota/{quota_id} (deleteOrganizationQuota)
/// [super:user].
pub async fn delete_organization_quota(
    State(app): State<AppState>,
    caller: Caller,
    NumericPath((org, quota_id)): NumericPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let namespace = managed_namespace(&app, &caller, &org).await?;
    let actor = caller.actor();
    quotas::delete_quota(&app, &Route::Organization(&actor), &namespace, quota_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/v1/organization/{orgname}/quota/{quota_id}/limit (listOrganizationQuotaLimit).
pub async fn list_organization_quota_limits(
    State(app): State<AppState>,
    caller: Caller,
    NumericPath((org, quota_id)): NumericPath<(String, i64)>,
) -> Result<Restful<Vec<QuotaLimitView>>, ApiError> {
    let namespace = readable_namespace(&app, &caller, &org, true).await?;
    let quota = quotas::get_quota(&app, &namespace, quota_id).await?;
    Ok(Restful(
        StatusCode::OK,
        quota.limits.iter().map(QuotaLimitView::new).collect(),
    ))
}

/// `type` and `threshold_percent` of a limit body; both required when creating.
fn limit_fields(body: &Value, required: bool) -> Result<(Option<&str>, Option<i64>), ApiError> {
    let kind = match body.get("type") {
        Some(Value::String(kind)) => Some(kind.as_str()),
        Some(other) => {
            return Err(ApiError::invalid_request(format!(
                "{} is not of type 'string'",
                python_repr(other)
            )))
        }
        None if required => return Err(ApiError::invalid_request("'type' is a required property")),
        None => None,
    };
    let percent = match body.get("threshold_percent") {
        Some(value) => Some(value.as_i64().ok_or_else(|| {
            ApiError::invalid_request(format!("{} is not of type 'integer'", python_repr(value)))
        })?),
        None if required => {
            return Err(ApiError::invalid_request(
                "'threshold_percent' is a required property",
            ))
        }
        None => None,
    };
    Ok((kind, percent))
}

/// POST /api/v1/organization/{orgname}/quota/{quota_id}/limit (createOrganizationQuotaLimit)
/// [super:user].
pub async fn create_organization_quota_limit(
    State(app): State<AppState>,
    caller: Caller,
    NumericPath((org, quota_id)): NumericPath<(String, i64)>,
    QuayJson(body): QuayJson<Value>,
) -> Result<Restful<&'static str>, ApiError> {
    let (kind, percent) = limit_fields(&body, true)?;
    let namespace = managed_namespace(&app, &caller, &org).await?;
    let (kind, percent) = (kind.unwrap_or_default(), percent.unwrap_or_default());
    quotas::add_limit(&app, &caller.actor(), &namespace, quota_id, kind, percent).await?;
    Ok(Restful(StatusCode::CREATED, "Created"))
}

/// GET /api/v1/organization/{orgname}/quota/{quota_id}/limit/{limit_id}
/// (getOrganizationQuotaLimit).
pub async fn get_organization_quota_limit(
    State(app): State<AppState>,
    caller: Caller,
    NumericPath((org, quota_id, limit_id)): NumericPath<(String, i64, i64)>,
) -> Result<Restful<QuotaLimitView>, ApiError> {
    let namespace = readable_namespace(&app, &caller, &org, true).await?;
    let limit = quotas::get_limit(&app, &namespace, quota_id, limit_id).await?;
    Ok(Restful(StatusCode::OK, QuotaLimitView::new(&limit)))
}

/// PUT /api/v1/organization/{orgname}/quota/{quota_id}/limit/{limit_id}
/// (changeOrganizationQuotaLimit) [super:user]: answers with the whole quota, as Quay does.
pub async fn change_organization_quota_limit(
    State(app): State<AppState>,
    caller: Caller,
    NumericPath((org, quota_id, limit_id)): NumericPath<(String, i64, i64)>,
    QuayJson(body): QuayJson<Value>,
) -> Result<Restful<QuotaView>, ApiError> {
    let (kind, percent) = limit_fields(&body, false)?;
    let namespace = managed_namespace(&app, &caller, &org).await?;
    let ids = (quota_id, limit_id);
    let quota = quotas::change_limit(&app, &caller.actor(), &namespace, ids, kind, percent).await?;
    Ok(Restful(StatusCode::OK, QuotaView::new(&quota, &app.config)))
}

/// DELETE /api/v1/organization/{orgname}/quota/{quota_id}/limit/{limit_id}
/// (deleteOrganizationQuotaLimit) [super:user].
pub async fn delete_organization_quota_limit(
    State(app): State<AppState>,
    caller: Caller,
    NumericPath((org, quota_id, limit_id)): NumericPath<(String, i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let namespace = managed_namespace(&app, &caller, &org).await?;
    quotas::delete_limit(&app, &caller.actor(), &namespace, (quota_id, limit_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's own namespace, for `/user/quota...` [user:admin].
fn own_namespace(caller: &Caller) -> Result<Account, ApiError> {
    Ok(require_user_admin(caller)?.account.clone())
}

/// GET /api/v1/user/quota (listUserQuota).
pub async fn list_user_quota(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Restful<Vec<QuotaView>>, ApiError> {
    let account = own_namespace(&caller)?;
    let quota = quotas::quota_of(&app, &account).await?;
    Ok(Restful(
        StatusCode::OK,
        quota_list(quota.as_ref(), &app.config),
    ))
}

/// GET /api/v1/user/quota/{quota_id} (getUserQuota).
pub async fn get_user_quota(
    State(app): State<AppState>,
    caller: Caller,
    NumericPath(quota_id): NumericPath<i64>,
) -> Result<Restful<QuotaView>, ApiError> {
    let account = own_namespace(&caller)?;
    let quota = quotas::get_quota(&app, &account, quota_id).await?;
    Ok(Restful(StatusCode::OK, QuotaView::new(&quota, &app.config)))
}

/// GET /api/v1/user/quota/{quota_id}/limit (listUserQuotaLimit).
pub async fn list_user_quota_limits(
    State(app): State<AppState>,
    caller: Caller,
    NumericPath(quota_id): NumericPath<i64>,
) -> Result<Restful<Vec<QuotaLimitView>>, ApiError> {
    let account = own_namespace(&caller)?;
    let quota = quotas::get_quota(&app, &account, quota_id).await?;
    Ok(Restful(
        StatusCode::OK,
        quota.limits.iter().map(QuotaLimitView::new).collect(),
    ))
}

/// GET /api/v1/user/quota/{quota_id}/limit/{limit_id} (getUserQuotaLimit): Quay answers with
/// the whole quota once the limit is found.
pub async fn get_user_quota_limit(
    State(app): State<AppState>,
    caller: Caller,
    NumericPath((quota_id, limit_id)): NumericPath<(i64, i64)>,
) -> Result<Restful<QuotaView>, ApiError> {
    let account = own_namespace(&caller)?;
    quotas::get_limit(&app, &account, quota_id, limit_id).await?;
    let quota = quotas::get_quota(&app, &account, quota_id).await?;
    Ok(Restful(StatusCode::OK, QuotaView::new(&quota, &app.config)))
}
