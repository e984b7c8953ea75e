//! Namespace quotas through the superuser API (superuser-api.md §9; docs §6.17.5–6.17.6).
//! Every route exists under `/superuser/users/` and `/superuser/organization/`; the prefix
//! does not restrict the kind of namespace. These calls write no usage log, as in Quay.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

use crate::app::AppState;
use crate::http::api_v1::quota::quota_size;
use crate::http::error::ApiError;
use crate::http::extract::{Caller, FreshCaller, NumericPath, QuayJson};
use crate::http::json::Restful;
use crate::http::views::{quota_list, QuotaView};
use crate::quotas::{self, Route};

/// GET .../{namespace}/quota (listUserQuotaSuperUser, listOrganizationQuotaSuperUser): the
/// namespace's quota, never the system default.
pub async fn list_quota(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(namespace): Path<String>,
) -> Result<Restful<Vec<QuotaView>>, ApiError> {
    caller.require_any_superuser(&app.config)?;
    let namespace = quotas::namespace(&app, &namespace).await?;
    let quota = quotas::quota_of(&app, &namespace).await?;
    Ok(Restful(
        StatusCode::OK,
        quota_list(quota.as_ref(), &app.config),
    ))
}

/// POST .../{namespace}/quota (createUserQuotaSuperUser, createOrganizationQuotaSuperUser):
/// the body is checked before the caller, as in Quay; an unknown namespace is 404 (Quay: 500).
pub async fn create_quota(
    State(app): State<AppState>,
    caller: FreshCaller,
    Path(namespace): Path<String>,
    QuayJson(body): QuayJson<Value>,
) -> Result<Restful<&'static str>, ApiError> {
    let size = quota_size(&body, &Route::Superuser, true)?.unwrap_or_default();
    caller.require_superuser(&app.config)?;
    let namespace = quotas::namespace(&app, &namespace).await?;
    quotas::create_quota(&app, &Route::Superuser, &namespace, size).await?;
    Ok(Restful(StatusCode::CREATED, "Created"))
}

/// PUT .../{namespace}/quota/{quota_id} (changeUserQuotaSuperUser,
/// changeOrganizationQuotaSuperUser): `{}` or a size of 0 changes nothing.
pub async fn change_quota(
    State(app): State<AppState>,
    caller: FreshCaller,
    NumericPath((namespace, quota_id)): NumericPath<(String, i64)>,
    QuayJson(body): QuayJson<Value>,
) -> Result<Restful<QuotaView>, ApiError> {
    let size = quota_size(&body, &Route::Superuser, false)?;
    caller.require_superuser(&app.config)?;
    let namespace = quotas::namespace(&app, &namespace).await?;
    let quota = quotas::change_quota(&app, &Route::Superuser, &namespace, quota_id, size).await?;
    Ok(Restful(StatusCode::OK, QuotaView::new(&quota, &app.config)))
}

/// DELETE .../{namespace}/quota/{quota_id} (deleteUserQuotaSuperUser,
/// deleteOrganizationQuotaSuperUser); no fresh login.
pub async fn delete_quota(
    State(app): State<AppState>,
    caller: Caller,
    NumericPath((namespace, quota_id)): NumericPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    caller.require_superuser(&app.config)?;
    let namespace = quotas::namespace(&app, &namespace).await?;
    quotas::delete_quota(&app, &Route::Superuser, &namespace, quota_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
